/** The shell: sign-in gate, navigation, and the page the URL hash names. */
import { Component, lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { api, ApiFailure, setUnauthorizedHandler, storedToken, storeToken } from './api/client';
import type { WhoAmI } from './api/types';
import { ErrorBox, Loading, scopeText } from './components/ui';
import { PriceCoverageNotice } from './components/price-coverage-notice';
import { hrefFor, useHashRoute } from './lib/hash-route';
import { viewerZone } from './lib/time';
import { Overview } from './pages/overview';
import { SignIn } from './pages/sign-in';

// Only the overview ships in the first download; the other pages load when first opened.
const Explorer = lazy(() => import('./pages/explorer').then((m) => ({ default: m.Explorer })));
const Budgets = lazy(() => import('./pages/budgets').then((m) => ({ default: m.Budgets })));
const Requests = lazy(() => import('./pages/requests').then((m) => ({ default: m.Requests })));
const Keys = lazy(() => import('./pages/keys').then((m) => ({ default: m.Keys })));
const Alerts = lazy(() => import('./pages/alerts').then((m) => ({ default: m.Alerts })));
const Incidents = lazy(() => import('./pages/incidents').then((m) => ({ default: m.Incidents })));
const Prices = lazy(() => import('./pages/prices').then((m) => ({ default: m.Prices })));
const UnitEconomics = lazy(() => import('./pages/unit-economics').then((m) => ({ default: m.UnitEconomics })));
const Reconciliation = lazy(() => import('./pages/reconciliation').then((m) => ({ default: m.Reconciliation })));
const Advisor = lazy(() => import('./pages/advisor').then((m) => ({ default: m.Advisor })));
const AiSpend = lazy(() => import('./pages/ai-spend').then((m) => ({ default: m.AiSpend })));

const PAGES = [
  { id: 'overview', label: 'Overview' },
  { id: 'explorer', label: 'Explorer' },
  { id: 'budgets', label: 'Budgets' },
  { id: 'requests', label: 'Requests' },
  { id: 'alerts', label: 'Alerts' },
  { id: 'incidents', label: 'Incidents' },
  { id: 'keys', label: 'Keys' },
  { id: 'prices', label: 'Prices' },
  { id: 'economics', label: 'Unit economics' },
  { id: 'reconciliation', label: 'Reconciliation' },
  { id: 'advisor', label: 'Advisor' },
  { id: 'ai-spend', label: 'All AI spend' },
];

type Session = { state: 'checking' } | { state: 'signed-out'; reason?: Error } | { state: 'signed-in'; who: WhoAmI };

export function App() {
  const [session, setSession] = useState<Session>(() => (storedToken() ? { state: 'checking' } : { state: 'signed-out' }));
  const route = useHashRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [route]);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      storeToken(null);
      setSession({ state: 'signed-out', reason: new ApiFailure(401, 'unauthorized', 'the token was not accepted; sign in again') });
    });
    if (session.state !== 'checking') return;
    api<WhoAmI>('GET', '/api/whoami').then(
      (who) => setSession({ state: 'signed-in', who }),
      (e: Error) => {
        if (e instanceof ApiFailure && e.status === 401) storeToken(null);
        setSession({ state: 'signed-out', reason: e });
      },
    );
  }, [session.state]);

  if (session.state === 'checking') return <Loading what="your session" />;
  if (session.state === 'signed-out') return <SignIn reason={session.reason} onSignedIn={(who) => setSession({ state: 'signed-in', who })} />;
  const who = session.who;
  const page = PAGES.some((p) => p.id === route.page) ? route.page : 'overview';

  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" href={hrefFor('overview')}>
          <span className="logo" aria-hidden>
            ▤
          </span>{' '}
          Costrail
        </a>
        {/* On a phone the pages fold into a menu the button opens. */}
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen((o) => !o)} data-testid="menu-toggle">
          ☰ Menu
        </button>
        <nav id="main-nav" className={menuOpen ? 'open' : ''}>
          {PAGES.map((p) => (
            <a key={p.id} href={hrefFor(p.id)} className={page === p.id ? 'active' : ''} aria-current={page === p.id ? 'page' : undefined} data-testid={`nav-${p.id}`}>
              {p.label}
            </a>
          ))}
        </nav>
        <span className="spacer" />
        <PriceCoverageNotice />
        <span className="who" title={`token ${who.token_id}; times in ${viewerZone()} (UTC on hover)`} data-testid="who">
          {who.kind === 'admin' ? 'admin' : `scoped: ${scopeText(who.scope)}`}
        </span>
        <button
          type="button"
          className="link"
          onClick={() => {
            storeToken(null);
            setSession({ state: 'signed-out' });
          }}
        >
          Sign out
        </button>
      </header>
      <main className="content">
        <PageBoundary page={page}>
          <Suspense fallback={<Loading what="the page" />}>
            {page === 'overview' ? <Overview /> : null}
            {page === 'explorer' ? <Explorer route={route} /> : null}
            {page === 'budgets' ? <Budgets /> : null}
            {page === 'requests' ? <Requests route={route} /> : null}
            {page === 'keys' ? <Keys /> : null}
            {page === 'alerts' ? <Alerts route={route} /> : null}
            {page === 'incidents' ? <Incidents route={route} /> : null}
            {page === 'prices' ? <Prices /> : null}
            {page === 'economics' ? <UnitEconomics route={route} /> : null}
            {page === 'reconciliation' ? <Reconciliation route={route} /> : null}
            {page === 'advisor' ? <Advisor /> : null}
            {page === 'ai-spend' ? <AiSpend route={route} canWrite={who.kind === 'admin'} /> : null}
          </Suspense>
        </PageBoundary>
      </main>
    </div>
  );
}

/** A page that fails to render (or to load: a redeploy removed its chunk) shows its error, not a blank screen. */
class PageBoundary extends Component<{ children: ReactNode; page: string }, { error: Error | undefined }> {
  override state: { error: Error | undefined } = { error: undefined };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override componentDidUpdate(prev: { page: string }) {
    if (prev.page !== this.props.page && this.state.error) this.setState({ error: undefined });
  }
  override render() {
    return this.state.error ? <ErrorBox error={this.state.error} onRetry={() => window.location.reload()} /> : this.props.children;
  }
}
