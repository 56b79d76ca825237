/**
 * The overview's coverage card: how much of this month's AI bill went through Costrail (metered)
 * and how much carries a team, overall and per provider. Fetched on its own, apart from
 * /api/overview, so reconciling never slows the overview's figures; a failure stays in the card.
 */
import { useMemo } from 'react';
import { api, ApiFailure } from '../api/client';
import { Card, Empty, Money } from '../components/ui';
import { hrefFor } from '../lib/hash-route';
import { startOfMonth, viewerZone } from '../lib/time';
import { useApi } from '../lib/use-api';
import { pctText, type Reconciliation } from './reconciliation-types';

export function CoverageCard() {
  // Month to date up to the next whole hour: the same question on every reload within the hour.
  const { from, to } = useMemo(() => {
    const now = new Date();
    return { from: startOfMonth(now).toISOString(), to: new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000).toISOString() };
  }, []);
  const { data, error } = useApi((signal) => api<Reconciliation>('GET', '/api/reconciliation', { query: { from, to, tz: viewerZone() }, signal }), [from, to]);
  // Reconciliation is an admin view: a scoped token's overview simply has no card.
  if (error instanceof ApiFailure && error.status === 403) return null;
  return (
    <Card title="Bill coverage this month" actions={<a href={hrefFor('reconciliation')}>reconcile →</a>} className="coverage-card">
      {error ? <p className="muted">Coverage unavailable: {error.message}</p> : null}
      {!data && !error ? <p className="muted">Reconciling with the imported bills…</p> : null}
      {data && data.coverage.metered_pct === null ? (
        <Empty>
          No bill imported for this month: <code>costrail import billing FILE</code>.
        </Empty>
      ) : null}
      {data && data.coverage.metered_pct !== null ? (
        <div data-testid="coverage-card" data-from={from} data-to={to}>
          <p>
            <strong data-testid="coverage-metered">{pctText(data.coverage.metered_pct)}</strong> of billed usage went through Costrail ·{' '}
            <strong data-testid="coverage-attributed">{pctText(data.coverage.attributed_pct)}</strong> carries a team
          </p>
          <ol className="bars" data-testid="coverage-providers">
            {data.coverage_by_provider.map((p) => (
              <li key={p.provider} data-provider={p.provider} title={`${p.provider}: metered $${p.metered_usage} of $${p.billed_usage} billed usage; ${pctText(p.attributed_pct)} with a team`}>
                <span className="bar-label">
                  {p.provider} <Money value={p.billed_usage} />
                </span>
                <span className="pct" data-testid="coverage-provider-pct">
                  {pctText(p.metered_pct)}
                </span>
                <span className="bar" style={{ width: `${Math.max(2, Math.min(100, p.metered_pct ?? 0))}%` }} />
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </Card>
  );
}
