/**
 * Advisor: the stacked recommendations for the last 30 days (each with its evidence, how and
 * risk) and a what-if panel that re-prices the same calls under a change. Figures come from
 * /api/advice and /api/whatif as exact decimal strings and are only formatted here.
 */
import { useMemo, useState } from 'react';
import { api } from '../api/client';
import { Card, Empty, ErrorBox, Loading, Money, Stat } from '../components/ui';
import { useApi } from '../lib/use-api';

interface Recommendation {
  id: string;
  kind: string;
  scope: Record<string, string | null>;
  stack_order: number;
  evidence: { calls: number; current_cost: string; projected_cost: string; period_savings: string } & Record<string, string | number | boolean | null>;
  monthly_savings: string;
  confidence: 'measured' | 'estimated';
  assumptions: string[];
  how: string;
  risk: string;
}
interface Advice {
  summary: { calls: number; unpriced_calls: number; baseline_cost: string; projected_cost: string; period_savings: string; monthly_savings: string };
  recommendations: Recommendation[];
}
interface WhatIfLine {
  calls: number;
  before: string;
  after: string;
  savings: string;
}
interface WhatIf {
  total: WhatIfLine & { monthly_savings: string; unpriced_calls: number };
  by_feature: (WhatIfLine & { feature: string | null })[];
  notes: string[];
}

const KIND_LABEL: Record<string, string> = { model_fit: 'Model fit', prompt_caching: 'Prompt caching', batch: 'Batch API', output_limit: 'Output limit' };
const DAY_MS = 86_400_000;
const scopeLine = (scope: Record<string, string | null>): string => Object.entries(scope).map(([k, v]) => `${k}=${v ?? '(none)'}`).join(' · ');

export function Advisor() {
  const { from, to } = useMemo(() => {
    const end = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
    return { from: new Date(end - 30 * DAY_MS).toISOString(), to: new Date(end).toISOString() };
  }, []);
  const advice = useApi((signal) => api<Advice>('GET', '/api/advice', { query: { from, to }, signal }), [from, to]);

  const [feature, setFeature] = useState('');
  const [model, setModel] = useState('');
  const [batch, setBatch] = useState(false);
  const [cacheHit, setCacheHit] = useState('');
  const [asked, setAsked] = useState<string | null>(null);
  const whatIf = useApi(async (signal) => (asked === null ? undefined : api<WhatIf>('GET', `/api/whatif?${asked}`, { signal })), [asked]);
  const run = () => {
    const q = new URLSearchParams({ from, to });
    if (feature && model) q.append('move', `feature=${feature}:model=${model}`);
    if (batch) q.set('batch', 'true');
    if (cacheHit) q.set('cache_hit', cacheHit);
    setAsked(q.toString());
  };

  return (
    <div className="page">
      <h1>Advisor</h1>
      {advice.error ? <ErrorBox error={advice.error} onRetry={advice.reload} /> : null}
      {!advice.data && !advice.error ? <Loading what="recommendations" /> : null}
      {advice.data ? (
        <>
          <div className="stats">
            <Stat label="Last 30 days, re-priced" testId="advisor-baseline"><Money value={advice.data.summary.baseline_cost} /></Stat>
            <Stat label="With every recommendation" sub={`${advice.data.summary.calls} calls, ${advice.data.summary.unpriced_calls} unpriced left out`}><Money value={advice.data.summary.projected_cost} /></Stat>
            <Stat label="Saving per month (stacked)" testId="advisor-monthly"><Money value={advice.data.summary.monthly_savings} /></Stat>
          </div>
          <Card title="Recommendations, largest saving first">
            {advice.data.recommendations.length === 0 ? <Empty>No recommendation for the last 30 days.</Empty> : null}
            <ol className="advisor-list" data-testid="advisor-recommendations">
              {advice.data.recommendations.map((r) => (
                <li key={r.id} data-kind={r.kind}>
                  <strong>{KIND_LABEL[r.kind] ?? r.kind}</strong> <span className="muted">{scopeLine(r.scope)}</span>
                  <div>
                    <Money value={r.monthly_savings} /> / month · {r.confidence} · {r.evidence.calls} calls, <Money value={r.evidence.current_cost} /> → <Money value={r.evidence.projected_cost} /> (stack order {r.stack_order})
                  </div>
                  <div>How: {r.how}</div>
                  <div className="muted">Risk: {r.risk}</div>
                  <div className="muted">Assumes: {r.assumptions.join('; ')}</div>
                </li>
              ))}
            </ol>
          </Card>
        </>
      ) : null}
      <Card title="What if…">
        <form
          className="advisor-whatif"
          style={{ display: 'flex', flexWrap: 'wrap', gap: '0.75rem', alignItems: 'center' }}
          onSubmit={(e) => {
            e.preventDefault();
            run();
          }}
        >
          <label>
            Feature <input data-testid="whatif-feature" value={feature} onChange={(e) => setFeature(e.target.value)} placeholder="triage" />
          </label>
          <label>
            to model <input data-testid="whatif-model" value={model} onChange={(e) => setModel(e.target.value)} placeholder="gpt-4o-mini" />
          </label>
          <label>
            <input type="checkbox" data-testid="whatif-batch" checked={batch} onChange={(e) => setBatch(e.target.checked)} /> batch API
          </label>
          <label>
            cache hit rate <input data-testid="whatif-cache" value={cacheHit} onChange={(e) => setCacheHit(e.target.value)} placeholder="0.6" size={5} />
          </label>
          <button type="submit" data-testid="whatif-run">Re-price</button>
        </form>
        {whatIf.error ? <ErrorBox error={whatIf.error} /> : null}
        {whatIf.data ? (
          <div data-testid="whatif-result">
            <p>
              {whatIf.data.total.calls} calls: <Money value={whatIf.data.total.before} /> → <Money value={whatIf.data.total.after} />, saving <Money value={whatIf.data.total.savings} /> (<Money value={whatIf.data.total.monthly_savings} /> per month)
            </p>
            <ul className="muted">
              {whatIf.data.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </Card>
    </div>
  );
}
