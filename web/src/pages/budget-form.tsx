/** Create or edit one budget (POST /api/budgets, PUT /api/budgets/{id}). */
import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import type { Budget } from '../api/types';
import { ErrorBox } from '../components/ui';
import { parseScope, scopeInput } from '../lib/scope';
import { viewerZone } from '../lib/time';

export function BudgetForm({ budget, onDone, onCancel }: { budget?: Budget; onDone: () => void; onCancel: () => void }) {
  const [name, setName] = useState(budget?.name ?? '');
  const [scope, setScope] = useState(scopeInput(budget?.scope));
  const [period, setPeriod] = useState<Budget['period']>(budget?.period ?? 'month');
  const [timezone, setTimezone] = useState(budget?.timezone ?? viewerZone());
  const [unit, setUnit] = useState<'usd' | 'tokens'>(budget?.limit_tokens ? 'tokens' : 'usd');
  const [limit, setLimit] = useState(String(budget?.limit_usd ?? budget?.limit_tokens ?? ''));
  const [thresholds, setThresholds] = useState((budget?.thresholds ?? [0.5, 0.8, 1]).join(', '));
  const [action, setAction] = useState<Budget['action']>(budget?.action ?? 'block');
  const [downgradeTo, setDowngradeTo] = useState(budget?.downgrade_to ?? '');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    // PUT replaces the budget: settings this form does not show are carried over unchanged.
    const kept = Object.fromEntries(['fiscal_month_start_day', 'background_pause_at', 'on_counter_error'].filter((k) => budget?.[k] !== undefined && budget?.[k] !== null).map((k) => [k, budget?.[k]]));
    const body: Record<string, unknown> = {
      ...kept,
      name,
      scope: parseScope(scope),
      period,
      timezone,
      thresholds: thresholds.split(/[,\s]+/).filter(Boolean).map(Number),
      action,
      ...(unit === 'usd' ? { limit_usd: limit.trim() } : { limit_tokens: Number(limit) }),
      ...(action === 'downgrade' ? { downgrade_to: downgradeTo } : {}),
    };
    try {
      if (budget) await api('PUT', `/api/budgets/${encodeURIComponent(budget.id)}`, { body });
      else await api('POST', '/api/budgets', { body });
      onDone();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="budget-form">
      <h3>{budget ? `Edit ${budget.name}` : 'New budget'}</h3>
      <label>
        Name <input required value={name} onChange={(e) => setName(e.target.value)} name="name" />
      </label>
      <label>
        Scope <input value={scope} onChange={(e) => setScope(e.target.value)} placeholder="team=search, model=gpt-4o (empty: global)" name="scope" />
      </label>
      <label>
        Period
        <select value={period} onChange={(e) => setPeriod(e.target.value as Budget['period'])} name="period">
          {['hour', 'day', 'week', 'month', 'total'].map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      <label>
        Time zone <input value={timezone} onChange={(e) => setTimezone(e.target.value)} name="timezone" />
      </label>
      <label>
        Limit
        <span className="inline">
          <select value={unit} onChange={(e) => setUnit(e.target.value as 'usd' | 'tokens')} name="unit">
            <option value="usd">USD</option>
            <option value="tokens">tokens</option>
          </select>
          <input required value={limit} onChange={(e) => setLimit(e.target.value)} inputMode="decimal" pattern={unit === 'usd' ? '\\d+(\\.\\d+)?' : '\\d+'} name="limit" />
        </span>
      </label>
      <label>
        Thresholds <input value={thresholds} onChange={(e) => setThresholds(e.target.value)} placeholder="0.5, 0.8, 1.0" name="thresholds" />
      </label>
      <label>
        Action
        <select value={action} onChange={(e) => setAction(e.target.value as Budget['action'])} name="action">
          <option value="block">block (refuse calls past the limit)</option>
          <option value="notify">notify only</option>
          <option value="downgrade">downgrade model</option>
        </select>
      </label>
      {action === 'downgrade' ? (
        <label>
          Downgrade to <input required value={downgradeTo} onChange={(e) => setDowngradeTo(e.target.value)} placeholder="gpt-4o-mini" name="downgrade_to" />
        </label>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {budget ? 'Save' : 'Create budget'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
