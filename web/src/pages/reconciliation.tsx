/**
 * Reconciliation: the ledger (observed, list price) against the imported bills (billed), per
 * provider over time, what explains the gap, the accounts on the bill that never went through
 * Costrail (with their spend), and coverage as a trend. Every figure is the API's
 * (`GET /api/reconciliation`), an exact decimal string until drawn; the unmetered accounts come
 * from the same endpoint split by account.
 */
import { lazy, Suspense, useMemo } from 'react';
import { api } from '../api/client';
import { DataTable, type Column } from '../components/data-table';
import { Card, Empty, ErrorBox, Loading, Money, Stat } from '../components/ui';
import { hrefFor, navigate, type HashRoute } from '../lib/hash-route';
import { compareMoney, fromUnits, toUnits } from '../lib/money';
import { viewerZone } from '../lib/time';
import { useApi } from '../lib/use-api';
import type { LineSeries, ReconChartProps } from './reconciliation-charts';
import { pctText, type CoveragePoint, type Reconciliation as ReconciliationResult, type ReconRow } from './reconciliation-types';

const ReconChart = lazy(() => import('./reconciliation-charts'));

const RANGE_DAYS: Record<string, number> = { '7d': 7, '30d': 30, '90d': 90 };
const DAY_MS = 86_400_000;
const KIND_LABEL: Record<string, string> = {
  unmetered_account: 'Unmetered accounts',
  price_difference: 'Price difference',
  credit: 'Credits and refunds',
  tax: 'Tax',
  discount: 'Discounts',
  unpriced_calls: 'Unpriced calls',
  timing: 'Day-boundary timing',
};

function LazyChart(props: ReconChartProps) {
  return (
    <Suspense fallback={<div className="chart chart-placeholder" style={{ height: props.height ?? 240 }} />}>
      <ReconChart {...props} />
    </Suspense>
  );
}

/** Whole days ending at the next midnight UTC, so reloads within the day ask the same question. */
export function reconciliationRange(days: number, now = Date.now()): { from: string; to: string } {
  const end = Math.ceil(now / DAY_MS) * DAY_MS;
  return { from: new Date(end - days * DAY_MS).toISOString(), to: new Date(end).toISOString() };
}

interface UnmeteredAccount {
  provider: string;
  account: string;
  amount: string;
}

export function Reconciliation({ route }: { route: HashRoute }) {
  const range = RANGE_DAYS[route.params.get('range') ?? ''] ? (route.params.get('range') as string) : '30d';
  const trend = route.params.get('trend') === 'week' ? 'week' : 'day';
  const { from, to } = useMemo(() => reconciliationRange(RANGE_DAYS[range]!), [range]);
  const tz = viewerZone();
  const set = (k: string, v: string) => {
    const p = new URLSearchParams(route.params);
    p.set(k, v);
    navigate(hrefFor('reconciliation', p), true);
  };
  const recon = useApi((signal) => api<ReconciliationResult>('GET', '/api/reconciliation', { query: { from, to, tz, trend }, signal }), [from, to, tz, trend]);
  const byAccount = useApi((signal) => api<ReconciliationResult>('GET', '/api/reconciliation', { query: { from, to, tz, by: 'provider,day,account' }, signal }), [from, to, tz]);

  const unmetered = useMemo((): UnmeteredAccount[] => {
    const sums = new Map<string, UnmeteredAccount & { units: bigint }>();
    for (const r of byAccount.data?.rows ?? []) {
      const e = r.explained.find((x) => x.kind === 'unmetered_account');
      if (!e) continue;
      const key = JSON.stringify([r.provider, r.account ?? '']);
      const cur = sums.get(key) ?? { provider: r.provider, account: r.account ?? '(no account)', amount: '0', units: 0n };
      cur.units += toUnits(e.amount);
      sums.set(key, cur);
    }
    return [...sums.values()].map((a) => ({ provider: a.provider, account: a.account, amount: fromUnits(a.units) })).sort((a, b) => compareMoney(b.amount, a.amount));
  }, [byAccount.data]);

  const controls = (
    <div className="toolbar" style={{ display: 'flex', gap: '0.75rem', flexWrap: 'wrap' }}>
      <div className="segmented" role="group" aria-label="Range">
        {Object.keys(RANGE_DAYS).map((r) => (
          <button key={r} type="button" className={range === r ? 'on' : ''} onClick={() => set('range', r)}>
            last {r}
          </button>
        ))}
      </div>
      <div className="segmented" role="group" aria-label="Coverage trend by">
        {(['day', 'week'] as const).map((g) => (
          <button key={g} type="button" className={trend === g ? 'on' : ''} onClick={() => set('trend', g)} data-testid={`trend-${g}`}>
            coverage by {g}
          </button>
        ))}
      </div>
    </div>
  );

  if (recon.error) return <ErrorBox error={recon.error} onRetry={recon.reload} />;
  if (!recon.data) return <Loading what="the reconciliation" />;
  const r = recon.data;
  const unexplained = fromUnits(toUnits(r.total.gap) - r.total.explained.reduce((s, e) => s + toUnits(e.amount), 0n));

  return (
    <div className="page reconciliation" data-testid="reconciliation" data-loading={recon.loading ? 'true' : 'false'}>
      <h1>Reconciliation</h1>
      {controls}
      {r.rows.length === 0 ? (
        <Empty>
          Nothing to reconcile in this range. Import a provider&apos;s bill with <code>costrail import billing FILE</code>.
        </Empty>
      ) : null}
      <div className="stats">
        <Stat label="Observed (ledger)" testId="recon-observed" sub="list price of metered calls">
          <Money value={r.total.observed} />
        </Stat>
        <Stat label="Billed" testId="recon-billed" sub="usage, tax, credits, net">
          <Money value={r.total.billed} />
        </Stat>
        <Stat label="Gap" testId="recon-gap" sub={`billed − observed · ${pctText(r.total.gap_pct)} of billed`}>
          <Money value={r.total.gap} />
        </Stat>
        <Stat label="Metered coverage" testId="recon-metered-pct" sub="billed usage that went through Costrail">
          {pctText(r.coverage.metered_pct)}
        </Stat>
        <Stat label="Attributed coverage" testId="recon-attributed-pct" sub="billed usage that carries a team">
          {pctText(r.coverage.attributed_pct)}
        </Stat>
      </div>

      <Card title="Billed vs observed, by provider">
        <BilledVsObserved rows={r.rows} />
      </Card>

      <div className="grid-2">
        <Card title="What explains the gap">
          <table className="data" data-testid="recon-explained">
            <thead>
              <tr>
                <th>Explanation</th>
                <th className="num">Amount</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {r.total.explained.map((e) => (
                <tr key={e.kind} data-kind={e.kind}>
                  <td>{KIND_LABEL[e.kind] ?? e.kind}</td>
                  <td className="num">
                    <Money value={e.amount} />
                  </td>
                  <td className="muted" style={{ whiteSpace: 'normal' }}>
                    {e.detail}
                  </td>
                </tr>
              ))}
              <tr data-kind="unexplained">
                <td>Unexplained</td>
                <td className="num">
                  <Money value={unexplained} />
                </td>
                <td className="muted" style={{ whiteSpace: 'normal' }}>fees, commitment purchases, ratios that change from day to day, models named differently</td>
              </tr>
            </tbody>
          </table>
        </Card>
        <Card title="Accounts on the bill, never in the ledger">
          {byAccount.error ? <ErrorBox error={byAccount.error} onRetry={byAccount.reload} /> : null}
          {byAccount.data && unmetered.length === 0 ? <Empty>Every billed account went through Costrail.</Empty> : null}
          <table className="data" data-testid="recon-unmetered">
            <tbody>
              {unmetered.map((a) => (
                <tr key={`${a.provider}/${a.account}`} data-provider={a.provider} data-account={a.account}>
                  <td>{a.account}</td>
                  <td className="muted">{a.provider}</td>
                  <td className="num">
                    <Money value={a.amount} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      </div>

      <Card title={`Coverage by ${trend}`}>
        <CoverageTrend points={r.coverage_trend} />
      </Card>
    </div>
  );
}

function BilledVsObserved({ rows }: { rows: ReconRow[] }) {
  const providers = [...new Set(rows.map((r) => r.provider))].sort();
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const columns: Column<ReconRow>[] = [
    { key: 'day', label: 'Day', render: (x) => x.day, sort: (x) => x.day },
    { key: 'provider', label: 'Provider', render: (x) => x.provider, sort: (x) => x.provider },
    { key: 'observed', label: 'Observed', money: true, render: (x) => <Money value={x.observed} />, sort: (x) => x.observed },
    { key: 'billed', label: 'Billed', money: true, render: (x) => <Money value={x.billed} />, sort: (x) => x.billed },
    { key: 'gap', label: 'Gap', money: true, render: (x) => <Money value={x.gap} />, sort: (x) => x.gap },
    { key: 'gap_pct', label: 'Gap %', numeric: true, render: (x) => pctText(x.gap_pct), sort: (x) => x.gap_pct },
  ];
  if (rows.length === 0) return <Empty>No billed or observed spend in this range.</Empty>;
  return (
    <>
      <div className="grid-2">
        {providers.map((p) => {
          const of = (field: 'billed' | 'observed'): number[] => days.map((d) => Number(rows.find((x) => x.provider === p && x.day === d)?.[field] ?? 0));
          const series: LineSeries[] = [
            { name: 'observed', values: of('observed') },
            { name: 'billed', values: of('billed') },
          ];
          return (
            <div key={p} data-testid={`recon-provider-${p}`}>
              <h3>{p}</h3>
              <LazyChart categories={days} series={series} kind="money" label={`${p}: billed vs observed per day`} testId="recon-chart" />
            </div>
          );
        })}
      </div>
      <details>
        <summary>Per provider and day</summary>
        <DataTable columns={columns} rows={rows} rowKey={(x) => `${x.provider}/${x.day}`} initialSort={{ key: 'day', desc: true }} testId="recon-rows" />
      </details>
    </>
  );
}

function CoverageTrend({ points }: { points: CoveragePoint[] }) {
  const overall = points.filter((p) => p.provider === null);
  if (overall.length === 0) return <Empty>No billed usage in this range: coverage needs an imported bill.</Empty>;
  const categories = overall.map((p) => p.period);
  const series: LineSeries[] = [
    { name: 'metered %', values: overall.map((p) => p.metered_pct) },
    { name: 'attributed %', values: overall.map((p) => p.attributed_pct) },
  ];
  return (
    <>
      <LazyChart categories={categories} series={series} kind="percent" label="Coverage over time, all providers" testId="recon-coverage-chart" />
      <details>
        <summary>Per period and provider</summary>
        <div className="table-wrap">
        <table className="data" data-testid="recon-coverage-trend">
          <thead>
            <tr>
              <th>Period</th>
              <th>Provider</th>
              <th className="num">Billed usage</th>
              <th className="num">Metered</th>
              <th className="num">Metered %</th>
              <th className="num">With a team %</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={`${p.period}/${p.provider ?? ''}`} data-period={p.period} data-provider={p.provider ?? 'all'} className={p.provider === null ? 'total' : ''}>
                <td>{p.period}</td>
                <td>{p.provider ?? <strong>all</strong>}</td>
                <td className="num">
                  <Money value={p.billed_usage} />
                </td>
                <td className="num">
                  <Money value={p.metered_usage} />
                </td>
                <td className="num" data-testid="metered-pct">
                  {pctText(p.metered_pct)}
                </td>
                <td className="num" data-testid="attributed-pct">
                  {pctText(p.attributed_pct)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      </details>
    </>
  );
}
