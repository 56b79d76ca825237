/**
 * Advisor: the stacked recommendations for the last 30 days (each with its evidence, confidence,
 * how and risk) and a what-if panel that re-prices the same calls under changes written in the
 * `costrail whatif --change` grammar, one per line. Lines are checked as they are typed by the
 * server's own parser (/api/whatif/changes), so the page never disagrees with the CLI. Figures come
 * from /api/advice and /api/whatif as exact decimal strings and are only formatted here.
 * `#/advisor?change=…&change=…` opens the panel with those changes applied.
 */
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import { Card, Empty, ErrorBox, Loading, Money, Stat } from '../components/ui';
import { useHashRoute } from '../lib/hash-route';
import { useApi } from '../lib/use-api';

type EvidenceValue = string | number | boolean | null;
interface Recommendation {
  id: string;
  kind: string;
  scope: Record<string, string | null>;
  stack_order: number;
  evidence: { calls: number; current_cost: string; projected_cost: string; period_savings: string } & Record<string, EvidenceValue>;
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
  applied: string[];
  total: WhatIfLine & { monthly_savings: string; unpriced_calls: number };
  by_day: (WhatIfLine & { day: string })[];
  by_feature: (WhatIfLine & { feature: string | null })[];
  notes: string[];
}
interface ChangeCheck {
  valid: boolean;
  changes: { change: string; ok: boolean; error: string | null; text: string | null }[];
}

const KIND_LABEL: Record<string, string> = {
  response_cache: 'Response cache',
  paid_retries: 'Paid retries and errors',
  model_fit: 'Model fit',
  prompt_bloat: 'Prompt bloat',
  prompt_caching: 'Prompt caching',
  batch: 'Batch API',
  output_limit: 'Output limit',
};
/** Shown in the line above the evidence list, so left out of it. */
const SHOWN = new Set(['calls', 'current_cost', 'projected_cost', 'period_savings']);
const DAY_MS = 86_400_000;
/** Recommendations listed before "show all": the largest savings are the ones to read first. */
const FIRST = 8;
const scopeLine = (scope: Record<string, string | null>): string => Object.entries(scope).map(([k, v]) => `${k}=${v ?? '(none)'}`).join(' · ');
const evidenceText = (v: EvidenceValue): string => (v === null ? '—' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));
const linesOf = (text: string): string[] => text.split('\n').map((l) => l.trim()).filter(Boolean);

/** The what-if change that tries a recommendation, where the grammar can say it. */
function changeFor(r: Recommendation): string | undefined {
  const where = r.scope['feature'] ? ` where feature=${r.scope['feature']}` : '';
  if (r.kind === 'model_fit' && typeof r.evidence['candidate_model'] === 'string' && r.scope['model']) return `model:${r.scope['model']}->${r.evidence['candidate_model']}${where}`;
  if (r.kind === 'batch') return `batch${where}`;
  if (r.kind === 'prompt_caching') return `cache prefix${where}`;
  return undefined;
}

function RecommendationItem({ r, onTry }: { r: Recommendation; onTry: (change: string) => void }) {
  const change = changeFor(r);
  const evidence = Object.entries(r.evidence).filter(([k]) => !SHOWN.has(k));
  return (
    <li data-kind={r.kind} data-confidence={r.confidence}>
      <strong>{KIND_LABEL[r.kind] ?? r.kind}</strong> <span className="muted">{scopeLine(r.scope)}</span>{' '}
      <span className={`pill ${r.confidence === 'measured' ? '' : 'muted'}`} data-testid="advisor-confidence" title={r.confidence === 'measured' ? 'quality measured on your own calls' : 'sized from the ledger; quality not measured'}>
        {r.confidence}
      </span>
      <div>
        <Money value={r.monthly_savings} /> / month · {r.evidence.calls} calls, <Money value={r.evidence.current_cost} /> → <Money value={r.evidence.projected_cost} /> (stack order {r.stack_order})
      </div>
      <div className="muted" data-testid="advisor-evidence" style={{ fontSize: '12px', overflowWrap: 'anywhere' }}>
        Evidence:{' '}
        {evidence.map(([k, v], n) => (
          <span key={k}>
            {n > 0 ? ' · ' : ''}
            {k.replace(/_/g, ' ')}: <strong>{evidenceText(v)}</strong>
          </span>
        ))}
      </div>
      <div>How: {r.how}</div>
      <div className="muted">Risk: {r.risk}</div>
      <div className="muted">Assumes: {r.assumptions.join('; ')}</div>
      {change ? (
        <button type="button" className="link" data-testid="advisor-try" onClick={() => onTry(change)}>
          Try in what-if: {change}
        </button>
      ) : null}
    </li>
  );
}

function BeforeAfterTable({ rows, label, testId }: { rows: (WhatIfLine & { key: string })[]; label: string; testId: string }) {
  return (
    <div className="table-wrap">
      <table className="data compact" data-testid={testId}>
        <thead>
          <tr>
            <th>{label}</th>
            <th className="num">calls</th>
            <th className="num">before</th>
            <th className="num">after</th>
            <th className="num">saving</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.key}</td>
              <td className="num">{r.calls}</td>
              <td className="num"><Money value={r.before} /></td>
              <td className="num"><Money value={r.after} /></td>
              <td className="num"><Money value={r.savings} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function WhatIfPanel({ from, to, text, setText, opened }: { from: string; to: string; text: string; setText: (t: string) => void; opened: string }) {
  const lines = useMemo(() => linesOf(text), [text]);
  // Check the lines with the server's parser once typing pauses.
  const [checked, setChecked] = useState<string[]>(lines);
  useEffect(() => {
    const t = setTimeout(() => setChecked(lines), 300);
    return () => clearTimeout(t);
  }, [lines]);
  const check = useApi(async (signal) => {
    if (checked.length === 0) return undefined;
    const query = new URLSearchParams();
    for (const l of checked) query.append('change', l);
    return api<ChangeCheck>('GET', `/api/whatif/changes?${query.toString()}`, { signal });
  }, [checked.join('\n')]);
  const [asked, setAsked] = useState<string | null>(null);
  const whatIf = useApi(async (signal) => (asked === null ? undefined : api<WhatIf>('GET', `/api/whatif?${asked}`, { signal })), [asked]);
  const run = (changes: string[]) => {
    const q = new URLSearchParams({ from, to });
    for (const c of changes) q.append('change', c);
    setAsked(q.toString());
  };
  useEffect(() => {
    // Only the changes the page was opened with run by themselves (the panel is keyed by them).
    if (opened !== '') run(linesOf(opened));
  }, []);
  const errors = check.data?.changes.map((c, n) => ({ ...c, line: n + 1 })).filter((c) => !c.ok) ?? [];
  const current = checked.join('\n') === lines.join('\n');
  const ready = lines.length > 0 && current && check.data?.valid === true;
  return (
    <Card title="What if…">
      <form
        className="advisor-whatif"
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) run(lines);
        }}
      >
        <label htmlFor="whatif-changes">
          Changes, one per line, applied in order (the <code>costrail whatif --change</code> grammar: <code>model:A-&gt;B where feature=F</code>, <code>batch where priority=background</code>, <code>cache prefix [hit=0.6]</code>, <code>price provider=anthropic -12%</code>)
        </label>
        <textarea
          id="whatif-changes"
          data-testid="whatif-changes"
          rows={4}
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={'model:gpt-4o->gpt-4o-mini where feature=triage\nbatch where priority=background'}
          style={{ width: '100%', fontFamily: 'var(--mono, monospace)', boxSizing: 'border-box', margin: '0.5rem 0' }}
          aria-invalid={errors.length > 0}
          aria-describedby="whatif-errors"
        />
        <ul id="whatif-errors" data-testid="whatif-errors" className="state error" style={{ display: errors.length > 0 ? undefined : 'none', margin: '0 0 0.5rem', paddingLeft: '1.5rem' }}>
          {errors.map((e) => (
            <li key={e.line} data-line={e.line}>
              line {e.line}: {e.error}
            </li>
          ))}
        </ul>
        {check.error ? <ErrorBox error={check.error} /> : null}
        <button type="submit" data-testid="whatif-run" disabled={!ready}>
          Re-price {lines.length > 0 ? `${lines.length} change${lines.length > 1 ? 's' : ''}` : ''}
        </button>
      </form>
      {whatIf.error ? <ErrorBox error={whatIf.error} /> : null}
      {asked !== null && whatIf.loading ? <Loading what="re-pricing" /> : null}
      {whatIf.data ? (
        <div data-testid="whatif-result">
          <p data-testid="whatif-total">
            {whatIf.data.total.calls} calls: <Money value={whatIf.data.total.before} /> → <Money value={whatIf.data.total.after} />, saving <Money value={whatIf.data.total.savings} /> (<Money value={whatIf.data.total.monthly_savings} /> per month)
          </p>
          <ol className="muted" data-testid="whatif-applied">
            {whatIf.data.applied.map((a, n) => (
              <li key={`${n}-${a}`}>
                <code>{a}</code>
              </li>
            ))}
          </ol>
          <h3>By feature</h3>
          <BeforeAfterTable testId="whatif-by-feature" label="feature" rows={whatIf.data.by_feature.map((f) => ({ ...f, key: f.feature ?? '(none)' }))} />
          <h3>By day (UTC)</h3>
          <BeforeAfterTable testId="whatif-by-day" label="day" rows={whatIf.data.by_day.map((d) => ({ ...d, key: d.day }))} />
          <ul className="muted">
            {whatIf.data.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </Card>
  );
}

export function Advisor() {
  const { from, to } = useMemo(() => {
    const end = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
    return { from: new Date(end - 30 * DAY_MS).toISOString(), to: new Date(end).toISOString() };
  }, []);
  const advice = useApi((signal) => api<Advice>('GET', '/api/advice', { query: { from, to }, signal }), [from, to]);
  const route = useHashRoute();
  // Changes named in the address (a shared link) fill the panel and run; a new address replaces them.
  const opened = route.params.getAll('change').join('\n');
  const [text, setText] = useState(opened);
  useEffect(() => setText(opened), [opened]);
  const [showAll, setShowAll] = useState(false);
  const addChange = (change: string) => setText((t) => (linesOf(t).includes(change) ? t : [...linesOf(t), change].join('\n')));

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
              {advice.data.recommendations.slice(0, showAll ? undefined : FIRST).map((r) => (
                <RecommendationItem key={r.id} r={r} onTry={addChange} />
              ))}
            </ol>
            {!showAll && advice.data.recommendations.length > FIRST ? (
              <button type="button" className="link" data-testid="advisor-show-all" onClick={() => setShowAll(true)}>
                Show all {advice.data.recommendations.length} recommendations
              </button>
            ) : null}
            <p className="muted">Savings are stacked: each saves what it adds after those with a lower stack order, so they add up to what doing all of them saves.</p>
          </Card>
        </>
      ) : null}
      <WhatIfPanel key={opened} from={from} to={to} text={text} setText={setText} opened={opened} />
    </div>
  );
}
