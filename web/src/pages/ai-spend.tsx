/**
 * All AI spend: the one total (API spend from the ledger and bills, card and expense spend from
 * the inventory) by category and team, sanctioned vs shadow, over time, the findings with the
 * monthly dollars they would save, and the review queue. Every figure is an exact decimal string
 * from the API (`GET /api/ai-spend`, `/api/ai-spend/trend`, `/api/inventory/findings`) until drawn.
 */
import { lazy, Suspense, useMemo } from 'react';
import { api, listOf } from '../api/client';
import { DataTable, type Column } from '../components/data-table';
import { Card, Empty, ErrorBox, Loading, Money, Stat } from '../components/ui';
import { hrefFor, navigate, type HashRoute } from '../lib/hash-route';
import { sumMoney } from '../lib/money';
import { useApi } from '../lib/use-api';
import type { AiSpendChartProps } from './ai-spend-charts';
import { ReviewQueue } from './ai-spend-review';
import { CATEGORY_LABEL, FINDING_LABEL, type AiSpendResult, type AiSpendRow, type AiSpendTrend, type InventoryFinding, type QueuedLine } from './ai-spend-types';

const Chart = lazy(() => import('./ai-spend-charts'));
const DAY_MS = 86_400_000;
const RANGES: Record<string, string> = { month: 'This month', '30d': 'Last 30 days', '90d': 'Last 90 days' };

function LazyChart(props: AiSpendChartProps) {
  return (
    <Suspense fallback={<div className="chart chart-placeholder" style={{ height: props.height ?? 260 }} />}>
      <Chart {...props} />
    </Suspense>
  );
}

/** The window in whole UTC days (card lines carry dates, not instants), ending after today. */
export function aiSpendRange(range: string, now = Date.now()): { from: string; to: string } {
  const end = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  if (range === 'month') {
    const d = new Date(now);
    return { from: new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)).toISOString(), to: new Date(end).toISOString() };
  }
  const days = range === '90d' ? 90 : 30;
  return { from: new Date(end - days * DAY_MS).toISOString(), to: new Date(end).toISOString() };
}

/** The total's parts in words, the zero ones left out. */
function partsText(p: AiSpendResult['parts']): string {
  const named: [string, string | undefined][] = [['API metered', p.ledger], ['API billed', p.billed], ['cards & expenses', p.expenses], ['seat plans', p.seats], ['GPUs', p.gpu]];
  return named.filter(([, v]) => v !== undefined && v !== '0').map(([k, v]) => `${k} $${v ?? '0'}`).join(' · ');
}

const amountOf = (rows: AiSpendRow[] | undefined, key: string): string => rows?.find((r) => r.key === key)?.amount_usd ?? '0';

export function AiSpend({ route, canWrite }: { route: HashRoute; canWrite: boolean }) {
  const range = RANGES[route.params.get('range') ?? ''] ? (route.params.get('range') as string) : 'month';
  const { from, to } = useMemo(() => aiSpendRange(range), [range]);
  const granularity = range === '90d' ? 'week' : 'day';
  const setRange = (r: string) => {
    const p = new URLSearchParams(route.params);
    p.set('range', r);
    navigate(hrefFor('ai-spend', p), true);
  };
  const byCategory = useApi((signal) => api<AiSpendResult>('GET', '/api/ai-spend', { query: { from, to, by: 'category' }, signal }), [from, to]);
  const byTeam = useApi((signal) => api<AiSpendResult>('GET', '/api/ai-spend', { query: { from, to, by: 'team' }, signal }), [from, to]);
  const byStatus = useApi((signal) => api<AiSpendResult>('GET', '/api/ai-spend', { query: { from, to, by: 'status' }, signal }), [from, to]);
  const trend = useApi((signal) => api<AiSpendTrend>('GET', '/api/ai-spend/trend', { query: { from, to, granularity }, signal }), [from, to, granularity]);
  const findings = useApi(async (signal) => listOf<InventoryFinding>(await api('GET', '/api/inventory/findings', { query: { as_of: to }, signal }), 'findings'), [to]);
  const queue = useApi(async (signal) => listOf<QueuedLine>(await api('GET', '/api/inventory/review', { signal }), 'lines'), []);
  const reloadAll = () => {
    for (const l of [byCategory, byTeam, byStatus, trend, findings, queue]) l.reload();
  };

  const trendChart = useMemo(() => {
    const rows = trend.data?.rows ?? [];
    const cats = [...new Set(rows.flatMap((r) => r.by_category.map((c) => c.key ?? 'other')))];
    return {
      categories: rows.map((r) => r.period),
      series: cats.map((c) => ({ name: CATEGORY_LABEL[c] ?? c, values: rows.map((r) => Number(r.by_category.find((x) => (x.key ?? 'other') === c)?.amount_usd ?? 0)) })),
    };
  }, [trend.data]);

  const breakdown = (rows: AiSpendRow[], label: (k: string | null) => string) => ({ categories: rows.map((r) => label(r.key)), series: [{ name: 'AI spend', values: rows.map((r) => Number(r.amount_usd)) }] });
  const categoryLabel = (k: string | null) => (k === null ? 'unattributed' : CATEGORY_LABEL[k] ?? k);
  const teamLabel = (k: string | null) => k ?? 'no team';
  const savings = sumMoney((findings.data ?? []).filter((f) => f.kind !== 'renewal').map((f) => f.monthly_usd));

  const findingColumns: Column<InventoryFinding>[] = [
    { key: 'kind', label: 'Finding', render: (f) => <span className="pill">{FINDING_LABEL[f.kind] ?? f.kind}</span>, sort: (f) => f.kind },
    { key: 'vendor', label: 'Vendor', render: (f) => f.vendor ?? '—', sort: (f) => f.vendor },
    { key: 'team', label: 'Team', render: (f) => f.team ?? '—', sort: (f) => f.team },
    { key: 'detail', label: 'Detail', render: (f) => f.detail },
    { key: 'monthly_usd', label: 'Monthly $', render: (f) => <Money value={f.monthly_usd} />, sort: (f) => f.monthly_usd, money: true },
  ];

  const error = byCategory.error ?? byStatus.error;
  return (
    <div className="page ai-spend" data-testid="ai-spend">
      <Card
        title="All AI spend"
        actions={
          <label className="controls">
            Range
            <select value={range} onChange={(e) => setRange(e.target.value)} data-testid="ai-spend-range">
              {Object.entries(RANGES).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </label>
        }
      >
        {error ? <ErrorBox error={error} onRetry={reloadAll} /> : null}
        {!byCategory.data && !error ? <Loading what="AI spend" /> : null}
        {byCategory.data ? (
          <div className="stats">
            <Stat label="Total AI spend" testId="ai-spend-total" sub={partsText(byCategory.data.parts)}>
              <Money value={byCategory.data.total} testId="ai-spend-total-value" />
            </Stat>
            <Stat label="Sanctioned" testId="ai-spend-sanctioned">
              <Money value={amountOf(byStatus.data?.rows, 'sanctioned')} />
            </Stat>
            <Stat label="Shadow (unsanctioned)" testId="ai-spend-shadow">
              <Money value={amountOf(byStatus.data?.rows, 'unsanctioned')} />
            </Stat>
            <Stat label="Under review" sub="discovered, not yet decided">
              <Money value={amountOf(byStatus.data?.rows, 'under_review')} />
            </Stat>
            <Stat label="Findings: monthly savings" testId="ai-spend-savings" sub="renewals not included">
              <Money value={savings} />
            </Stat>
          </div>
        ) : null}
        {byCategory.data && byCategory.data.excluded_prepaid !== '0' ? <p className="muted">Card charges for API credits of providers whose usage is already counted are left out: ${byCategory.data.excluded_prepaid}.</p> : null}
        {byCategory.data && byCategory.data.unconverted_lines > 0 ? <p className="muted">{byCategory.data.unconverted_lines} matched line(s) have no USD amount (no rate given) and are not in the total.</p> : null}
      </Card>

      <Card title={`Trend (per ${granularity})`}>
        {trend.error ? <ErrorBox error={trend.error} onRetry={trend.reload} /> : null}
        {trend.data && trend.data.rows.length === 0 ? <Empty>No AI spend in this range.</Empty> : null}
        {trend.data && trend.data.rows.length > 0 ? <LazyChart kind="trend" categories={trendChart.categories} series={trendChart.series} label="AI spend over time by category" testId="ai-spend-trend" /> : null}
      </Card>

      <div className="ai-split">
        <Card title="By category">
          {byCategory.data && byCategory.data.rows.length > 0 ? <LazyChart kind="breakdown" {...breakdown(byCategory.data.rows, categoryLabel)} label="AI spend by category" testId="ai-spend-by-category" height={Math.max(120, byCategory.data.rows.length * 30 + 40)} /> : <Empty>No spend.</Empty>}
        </Card>
        <Card title="By team">
          {byTeam.error ? <ErrorBox error={byTeam.error} onRetry={byTeam.reload} /> : null}
          {byTeam.data && byTeam.data.rows.length > 0 ? <LazyChart kind="breakdown" {...breakdown(byTeam.data.rows, teamLabel)} label="AI spend by team" testId="ai-spend-by-team" height={Math.max(120, byTeam.data.rows.length * 30 + 40)} /> : <Empty>No spend.</Empty>}
        </Card>
      </div>

      <Card title="Findings">
        {findings.error ? <ErrorBox error={findings.error} onRetry={findings.reload} /> : null}
        {!findings.data && !findings.error ? <Loading what="findings" /> : null}
        {findings.data?.length === 0 ? <Empty>No findings: no duplicate channels, idle seats, overlapping tools, unsanctioned vendors or renewals due.</Empty> : null}
        {findings.data && findings.data.length > 0 ? <DataTable columns={findingColumns} rows={findings.data} rowKey={(f, i) => `${f.kind}-${i}`} initialSort={{ key: 'monthly_usd', desc: true }} testId="ai-spend-findings" /> : null}
      </Card>

      <Card title={`Review queue${queue.data ? ` (${queue.data.length})` : ''}`}>
        {queue.error ? <ErrorBox error={queue.error} onRetry={queue.reload} /> : null}
        {!queue.data && !queue.error ? <Loading what="the review queue" /> : null}
        {queue.data ? <ReviewQueue lines={queue.data} canWrite={canWrite} onDecided={reloadAll} /> : null}
      </Card>
    </div>
  );
}
