/**
 * Unit economics: cost per outcome by feature (with its trend and success rate beside it), agent
 * runs (cost per run and per successful run, each run opening its calls), the customer margin
 * table (sortable, worst margin first) and the prompt/model comparison of one feature. Every figure comes from the economics API; money stays an exact decimal string until
 * it is drawn.
 */
import { useMemo } from 'react';
import { api } from '../api/client';
import { Card, Empty, ErrorBox, Loading, Money } from '../components/ui';
import { DataTable, type Column } from '../components/data-table';
import { formatCount, formatMoney } from '../lib/money';
import { hrefFor, navigate, type HashRoute } from '../lib/hash-route';
import { useApi } from '../lib/use-api';
import { AgentRunsCard } from './agent-runs';

interface UnitRow {
  key: string | null;
  cost: string;
  calls: number;
  outcomes: number;
  successful_outcomes: number;
  success_rate: string | null;
  cost_per_outcome: string | null;
  cost_per_successful_outcome: string | null;
  unlinked_cost: string;
  unpriced_calls: number;
}
interface UnitReport {
  rows: UnitRow[];
  total: { cost: string; calls: number; unlinked_cost: string; unpriced_calls: number };
  outcomes_without_calls: { outcomes: number; successful_outcomes: number };
}
interface MarginRow {
  customer: string;
  revenue: string;
  ai_cost: string;
  gross_margin: string;
  margin_pct: string | null;
  has_revenue: boolean;
  over_threshold: boolean;
}
interface MarginReport {
  rows: MarginRow[];
  total: { revenue: string; ai_cost: string; gross_margin: string };
}
interface Variant extends UnitRow {
  variant: string | null;
  success_rate_ci: [number, number] | null;
  vs_baseline: { difference: number; z: number; p_value: number; significant: boolean } | null;
}
interface Comparison {
  baseline: string | null;
  test: string;
  variants: Variant[];
}

const RANGE_DAYS: Record<string, number> = { '7d': 7, '30d': 30, '90d': 90 };
const BUCKETS = 6;
const DAY_MS = 86_400_000;
const pct = (s: string | number | null): string => (s === null ? '–' : `${(Number(s) * 100).toFixed(1)}%`);

/** A line of values (null: no outcome in that bucket) drawn small beside a figure; for shape only. */
function Sparkline({ values, label }: { values: (number | null)[]; label: string }) {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return <span className="muted">–</span>;
  const max = Math.max(...known);
  const min = Math.min(...known);
  const w = 96;
  const h = 22;
  const x = (i: number) => (values.length === 1 ? w / 2 : (i / (values.length - 1)) * (w - 4) + 2);
  const y = (v: number) => (max === min ? h / 2 : h - 2 - ((v - min) / (max - min)) * (h - 4));
  const points = values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter(Boolean);
  return (
    <svg className="sparkline" width={w} height={h} role="img" aria-label={label}>
      <polyline points={points.join(' ')} fill="none" stroke="#0e7490" strokeWidth="1.5" />
      {values.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r="1.8" fill="#0e7490" />))}
    </svg>
  );
}

export function UnitEconomics({ route }: { route: HashRoute }) {
  const range = RANGE_DAYS[route.params.get('range') ?? ''] ? (route.params.get('range') as string) : '30d';
  const type = route.params.get('type') ?? '';
  const rates = route.params.get('rates') ?? '';
  const compareBy = route.params.get('compare_by') === 'model' ? 'model' : 'prompt_version';
  // Whole hours, so reloads within the hour ask the same question.
  const { from, to } = useMemo(() => {
    const end = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
    return { from: new Date(end - RANGE_DAYS[range]! * DAY_MS).toISOString(), to: new Date(end).toISOString() };
  }, [range]);
  const set = (changes: Record<string, string | null>) => {
    const p = new URLSearchParams(route.params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') p.delete(k);
      else p.set(k, v);
    }
    navigate(hrefFor('economics', p), true);
  };

  const byFeature = useApi((signal) => api<UnitReport>('GET', '/api/economics/unit-economics', { query: { from, to, by: 'feature', type: type || undefined }, signal }), [from, to, type]);
  const trend = useApi(
    async (signal) => {
      const step = (Date.parse(to) - Date.parse(from)) / BUCKETS;
      const starts = Array.from({ length: BUCKETS }, (_v, i) => Date.parse(from) + i * step);
      return Promise.all(starts.map((s) => api<UnitReport>('GET', '/api/economics/unit-economics', { query: { from: new Date(s).toISOString(), to: new Date(s + step).toISOString(), by: 'feature', type: type || undefined }, signal })));
    },
    [from, to, type],
  );
  const margin = useApi((signal) => api<MarginReport>('GET', '/api/economics/margin', { query: { from, to, rates: rates || undefined }, signal }), [from, to, rates]);
  const features = (byFeature.data?.rows ?? []).filter((r) => r.key !== null && r.outcomes > 0).map((r) => r.key as string);
  const feature = route.params.get('feature') ?? features[0] ?? '';
  const comparison = useApi(
    async (signal) => (feature ? api<Comparison>('GET', '/api/economics/compare', { query: { feature, by: compareBy, from, to, type: type || undefined }, signal }) : undefined),
    [feature, compareBy, from, to, type],
  );

  const series = (key: string | null, pick: (r: UnitRow) => string | null): (number | null)[] =>
    (trend.data ?? []).map((rep) => {
      const v = rep.rows.find((r) => r.key === key);
      const x = v ? pick(v) : null;
      return x === null ? null : Number(x);
    });

  const featureColumns: Column<UnitRow>[] = [
    { key: 'key', label: 'Feature', render: (r) => r.key ?? <span className="muted">(none)</span>, sort: (r) => r.key },
    { key: 'cost', label: 'Cost', money: true, render: (r) => <Money value={r.cost} />, sort: (r) => r.cost },
    { key: 'outcomes', label: 'Outcomes', numeric: true, render: (r) => formatCount(r.outcomes), sort: (r) => r.outcomes },
    { key: 'success_rate', label: 'Success rate', numeric: true, render: (r) => pct(r.success_rate), sort: (r) => (r.success_rate === null ? null : Number(r.success_rate)) },
    { key: 'cpo', label: 'Cost / outcome', money: true, render: (r) => (r.cost_per_outcome === null ? '–' : <Money value={r.cost_per_outcome} />), sort: (r) => r.cost_per_outcome },
    { key: 'cpso', label: 'Cost / success', money: true, render: (r) => (r.cost_per_successful_outcome === null ? '–' : <Money value={r.cost_per_successful_outcome} />), sort: (r) => r.cost_per_successful_outcome },
    { key: 'trend', label: 'Cost / success over time', render: (r) => <Sparkline values={series(r.key, (x) => x.cost_per_successful_outcome)} label={`cost per successful outcome of ${r.key ?? 'no feature'} over time`} /> },
    { key: 'rate_trend', label: 'Success rate over time', render: (r) => <Sparkline values={series(r.key, (x) => x.success_rate)} label={`success rate of ${r.key ?? 'no feature'} over time`} /> },
    { key: 'unlinked', label: 'Unlinked cost', money: true, render: (r) => <Money value={r.unlinked_cost} />, sort: (r) => r.unlinked_cost },
  ];
  const marginColumns: Column<MarginRow>[] = [
    { key: 'customer', label: 'Customer', render: (r) => r.customer, sort: (r) => r.customer },
    { key: 'revenue', label: 'Revenue', money: true, render: (r) => (r.has_revenue ? <Money value={r.revenue} /> : <span className="muted">none</span>), sort: (r) => r.revenue },
    { key: 'ai_cost', label: 'AI cost', money: true, render: (r) => <Money value={r.ai_cost} />, sort: (r) => r.ai_cost },
    { key: 'gross_margin', label: 'Gross margin', money: true, render: (r) => <span className={r.gross_margin.startsWith('-') ? 'negative' : ''}><Money value={r.gross_margin} /></span>, sort: (r) => r.gross_margin },
    { key: 'margin_pct', label: 'Margin %', numeric: true, render: (r) => (r.margin_pct === null ? '–' : `${r.margin_pct}%`), sort: (r) => (r.margin_pct === null ? null : Number(r.margin_pct)) },
  ];
  const variantColumns: Column<Variant>[] = [
    { key: 'variant', label: compareBy === 'model' ? 'Model' : 'Prompt version', render: (v) => `${v.variant ?? '(none)'}${v.variant === comparison.data?.baseline ? ' (baseline)' : ''}` },
    { key: 'outcomes', label: 'Outcomes', numeric: true, render: (v) => formatCount(v.outcomes) },
    { key: 'rate', label: 'Success rate (95% CI)', numeric: true, render: (v) => (v.success_rate_ci ? `${pct(v.success_rate)} (${pct(v.success_rate_ci[0])}–${pct(v.success_rate_ci[1])})` : '–') },
    { key: 'cpo', label: 'Cost / outcome', money: true, render: (v) => (v.cost_per_outcome === null ? '–' : <Money value={v.cost_per_outcome} />) },
    { key: 'cpso', label: 'Cost / success', money: true, render: (v) => (v.cost_per_successful_outcome === null ? '–' : <Money value={v.cost_per_successful_outcome} />) },
    { key: 'p', label: 'p vs baseline', numeric: true, render: (v) => (v.vs_baseline ? v.vs_baseline.p_value.toPrecision(2) : '–') },
    { key: 'sig', label: 'Significant', render: (v) => (v.vs_baseline ? (v.vs_baseline.significant ? <strong>yes</strong> : 'no') : '–') },
  ];

  return (
    <div className="page unit-economics" data-testid="unit-economics">
      <div className="controls">
        <label>
          Range{' '}
          <select value={range} onChange={(e) => set({ range: e.target.value })} data-testid="ue-range">
            {Object.keys(RANGE_DAYS).map((r) => (
              <option key={r} value={r}>
                Last {RANGE_DAYS[r]} days
              </option>
            ))}
          </select>
        </label>
        <label>
          Outcome type{' '}
          <input defaultValue={type} placeholder="all types" onBlur={(e) => set({ type: e.target.value.trim() })} data-testid="ue-type" />
        </label>
      </div>

      <Card title="Cost per outcome by feature">
        {byFeature.error ? <ErrorBox error={byFeature.error} onRetry={byFeature.reload} /> : null}
        {!byFeature.data && !byFeature.error ? <Loading what="unit economics" /> : null}
        {byFeature.data?.rows.length === 0 ? <Empty>No calls in this range. Outcomes come from POST /api/outcomes, `costrail import outcomes` or the x-costrail-outcome header.</Empty> : null}
        {byFeature.data && byFeature.data.rows.length > 0 ? (
          <>
            <DataTable testId="ue-features" columns={featureColumns} rows={byFeature.data.rows} rowKey={(r) => r.key ?? '(none)'} initialSort={{ key: 'cost', desc: true }} />
            <p className="muted" data-testid="ue-unlinked">
              {formatMoney(byFeature.data.total.unlinked_cost)} of {formatMoney(byFeature.data.total.cost)} belongs to no outcome and is not spread over the outcomes.
              {byFeature.data.outcomes_without_calls.outcomes > 0 ? ` ${formatCount(byFeature.data.outcomes_without_calls.outcomes)} outcome(s) match no call.` : ''}
              {byFeature.data.total.unpriced_calls > 0 ? ` ${formatCount(byFeature.data.total.unpriced_calls)} call(s) have no known price.` : ''}
            </p>
          </>
        ) : null}
      </Card>

      <AgentRunsCard from={from} to={to} type={type} agent={route.params.get('agent') ?? ''} status={route.params.get('run_status') ?? ''} set={set} />

      <Card title="Customer margin">
        <div className="controls">
          <label>
            Rates to USD{' '}
            <input defaultValue={rates} placeholder="EUR=1.08,GBP=1.27" onBlur={(e) => set({ rates: e.target.value.trim() })} data-testid="ue-rates" />
          </label>
        </div>
        {margin.error ? <ErrorBox error={margin.error} onRetry={margin.reload} /> : null}
        {!margin.data && !margin.error ? <Loading what="margins" /> : null}
        {margin.data?.rows.length === 0 ? <Empty>No revenue or customer spend in this range. Import revenue with `costrail import revenue FILE`.</Empty> : null}
        {margin.data && margin.data.rows.length > 0 ? (
          <>
            <DataTable testId="ue-margin" columns={marginColumns} rows={margin.data.rows} rowKey={(r) => r.customer} initialSort={{ key: 'gross_margin', desc: false }} />
            <p className="muted">
              Total revenue {formatMoney(margin.data.total.revenue)}, AI cost {formatMoney(margin.data.total.ai_cost)}, gross margin {formatMoney(margin.data.total.gross_margin)}.
            </p>
          </>
        ) : null}
      </Card>

      <Card title="Prompt and model comparison">
        <div className="controls">
          <label>
            Feature{' '}
            <select value={feature} onChange={(e) => set({ feature: e.target.value })} data-testid="ue-compare-feature">
              {features.length === 0 ? <option value="">(no feature with outcomes)</option> : null}
              {features.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </label>
          <label>
            By{' '}
            <select value={compareBy} onChange={(e) => set({ compare_by: e.target.value })} data-testid="ue-compare-by">
              <option value="prompt_version">prompt version</option>
              <option value="model">model</option>
            </select>
          </label>
        </div>
        {comparison.error ? <ErrorBox error={comparison.error} onRetry={comparison.reload} /> : null}
        {feature && !comparison.data && !comparison.error ? <Loading what="the comparison" /> : null}
        {comparison.data ? (
          <>
            <DataTable testId="ue-compare" columns={variantColumns} rows={comparison.data.variants} rowKey={(v) => v.variant ?? '(none)'} />
            <p className="muted">Test: {comparison.data.test}.</p>
          </>
        ) : null}
      </Card>
    </div>
  );
}
