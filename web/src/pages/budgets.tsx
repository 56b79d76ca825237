/** Budgets as bars (spent, reserved, remaining, thresholds) and the kill switches, each liftable in one click. */
import { useState } from 'react';
import { api, listOf } from '../api/client';
import type { Budget, KillSwitch } from '../api/types';
import { Card, Empty, ErrorBox, Loading, Money, scopeText, Time } from '../components/ui';
import { formatCount } from '../lib/money';
import { useApi } from '../lib/use-api';
import { BudgetForm } from './budget-form';
import { KillSwitchForm } from './kill-switch-form';

export function Budgets() {
  const budgets = useApi(async (signal) => listOf<Budget>(await api('GET', '/api/budgets', { signal }), 'budgets'), []);
  const switches = useApi(async (signal) => listOf<KillSwitch>(await api('GET', '/api/kill-switches', { signal }), 'kill_switches'), []);
  const [editing, setEditing] = useState<Budget | 'new' | null>(null);
  const [actionError, setActionError] = useState<Error>();
  const [switching, setSwitching] = useState(false);

  const act = async (fn: () => Promise<unknown>, reload: () => void) => {
    setActionError(undefined);
    try {
      await fn();
      reload();
    } catch (e) {
      setActionError(e as Error);
    }
  };

  return (
    <div className="page budgets" data-testid="budgets">
      {actionError ? <ErrorBox error={actionError} /> : null}
      <Card
        title="Budgets"
        actions={
          <button type="button" className="primary" onClick={() => setEditing('new')} data-testid="new-budget">
            New budget
          </button>
        }
      >
        {editing ? (
          <BudgetForm
            budget={editing === 'new' ? undefined : editing}
            onCancel={() => setEditing(null)}
            onDone={() => {
              setEditing(null);
              budgets.reload();
            }}
          />
        ) : null}
        {budgets.error ? <ErrorBox error={budgets.error} onRetry={budgets.reload} /> : null}
        {!budgets.data && !budgets.error ? <Loading what="budgets" /> : null}
        {budgets.data?.length === 0 ? <Empty>No budgets yet. A budget caps spend for a scope (a team, a model, a key…) per period, and can block, notify or downgrade.</Empty> : null}
        <ul className="budget-list" data-testid="budget-list">
          {budgets.data?.map((b) => (
            <li key={b.id} className="budget" data-testid={`budget-${b.name}`}>
              <div className="budget-head">
                <strong>{b.name}</strong>
                <span className="pill">{scopeText(b.scope)}</span>
                {b.scope && ('vendor' in b.scope || 'category' in b.scope) ? (
                  <span className="pill" title="Evaluated on imported card, expense and billed spend (All AI spend); it alerts at its thresholds and never blocks a call" data-testid="imported-spend">
                    imported spend · alerts only
                  </span>
                ) : null}
                <span className="pill">per {b.period}</span>
                <span className={`pill action-${b.action}`}>{b.action === 'downgrade' ? `downgrade → ${b.downgrade_to ?? '?'}` : b.action}</span>
                <span className="muted">resets {b.period === 'total' ? 'never' : <Time iso={b.resets_at} />}</span>
                <span className="spacer" />
                <button type="button" onClick={() => setEditing(b)}>
                  Edit
                </button>
                <button type="button" className="danger" onClick={() => window.confirm(`Delete budget "${b.name}"?`) && void act(() => api('DELETE', `/api/budgets/${encodeURIComponent(b.id)}`), budgets.reload)}>
                  Delete
                </button>
              </div>
              <BudgetBar budget={b} />
            </li>
          ))}
        </ul>
      </Card>

      <Card
        title="Kill switches"
        actions={
          <button type="button" className="danger" onClick={() => setSwitching(true)} data-testid="new-kill-switch">
            Set a kill switch
          </button>
        }
      >
        {switching ? (
          <KillSwitchForm
            onCancel={() => setSwitching(false)}
            onDone={() => {
              setSwitching(false);
              switches.reload();
            }}
          />
        ) : null}
        {switches.error ? <ErrorBox error={switches.error} onRetry={switches.reload} /> : null}
        {!switches.data && !switches.error ? <Loading what="kill switches" /> : null}
        {switches.data?.length === 0 ? <Empty>No kill switch is on: every scope may call.</Empty> : null}
        <ul className="switch-list" data-testid="kill-switches">
          {switches.data?.map((k) => (
            <li key={k.id} data-testid={`kill-switch-${k.id}`}>
              <span className="pill danger">{scopeText(k.scope)}</span>
              <span>{k.reason ?? <span className="muted">no reason given</span>}</span>
              <span className="muted">
                since <Time iso={k.set_at} />
              </span>
              <span className="spacer" />
              <button type="button" className="primary" onClick={() => void act(() => api('DELETE', `/api/kill-switches/${encodeURIComponent(k.id)}`), switches.reload)}>
                Lift
              </button>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}

function num(v: string | number | null | undefined): number {
  const n = Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
}

function BudgetBar({ budget: b }: { budget: Budget }) {
  const tokens = b.unit ? b.unit === 'tokens' : !b.limit_usd && !!b.limit_tokens;
  const limit = tokens ? num(b.limit_tokens) : num(b.limit_usd);
  const spent = num(b.spent);
  const reserved = num(b.reserved);
  const pct = (v: number) => (limit > 0 ? Math.min(100, (v / limit) * 100) : 0);
  const used = limit > 0 ? (spent + reserved) / limit : 0;
  const crossed = (b.thresholds ?? []).filter((t) => used >= t);
  const level = used >= 1 ? 'over' : crossed.length ? 'warn' : 'ok';
  const show = (v: string | number | null | undefined) => (tokens ? `${formatCount(num(v))} tok` : <Money value={v ?? '0'} />);
  return (
    <div className="budget-body">
      <div className={`meter meter-${level}`} role="meter" aria-valuemin={0} aria-valuemax={limit} aria-valuenow={spent + reserved} aria-label={`${b.name} used`}>
        <span className="meter-spent" style={{ width: `${pct(spent)}%` }} />
        <span className="meter-reserved" style={{ width: `${Math.max(0, Math.min(100 - pct(spent), pct(reserved)))}%` }} />
        {(b.thresholds ?? []).map((t) => (
          <span key={t} className="meter-mark" style={{ left: `${Math.min(100, t * 100)}%` }} title={`threshold ${Math.round(t * 100)}%`} />
        ))}
      </div>
      <div className="budget-figures">
        <span>
          spent <strong>{show(b.spent)}</strong>
        </span>
        <span>reserved {show(b.reserved)}</span>
        <span>remaining {show(b.remaining)}</span>
        <span>
          of <strong>{show(tokens ? b.limit_tokens : b.limit_usd)}</strong> ({Math.round(used * 100)}%)
        </span>
      </div>
    </div>
  );
}
