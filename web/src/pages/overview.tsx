/**
 * The five-second answer: what we spend today, this week and this month and how that compares
 * with last month, how fast right now, where the month lands (the API's forecast, the same model
 * as `costrail forecast` and the forecast-breach alerts), which budgets are closest to their
 * limit, what is alerting, who and what spends it, and what is not priced or not attributed.
 */
import { useState } from 'react';
import { api, listOf } from '../api/client';
import { getOverview } from '../api/overview';
import { getSpend } from '../api/spend';
import type { AlertItem, Budget, ForecastResult, SpendResult, SpendRow } from '../api/types';
import { LazySpendChart } from '../charts/lazy-chart';
import type { ChartSeries } from '../charts/spend-chart';
import { Card, Empty, ErrorBox, Loading, Money, scopeText, Stat, Time } from '../components/ui';
import { hrefFor, navigate } from '../lib/hash-route';
import { formatCount, formatMoney, sumMoney, toUnits } from '../lib/money';
import { toSeries, NONE_LABEL } from '../lib/series';
import { DAY_MS, startOfDay, startOfMonth, startOfWeek, viewerZone } from '../lib/time';
import { bucketEnd } from '../lib/time-range';
import { useApi } from '../lib/use-api';
import { CoverageCard } from './coverage-card';
import { groupFilters } from './filters';

const TOP_DIMS = ['team', 'feature', 'customer', 'model'] as const;

interface OverviewData {
  now: Date;
  daily: SpendResult;
  lastHour: SpendResult;
  lastWeekHour: SpendResult;
  top: Record<(typeof TOP_DIMS)[number], SpendResult>;
  /** The same days of last month (1st → the same day and time, capped at its month end). */
  lastMonthSameDays: SpendResult;
  forecast: ForecastResult | Error;
  budgets: Budget[] | Error;
  alerts: AlertItem[] | Error;
  /** This month's response-cache hits: their count and what they saved. */
  cacheHits: SpendResult | Error;
}

/** A side panel's failure (e.g. a scoped token may not list budgets) must not blank the page. */
function settled<T>(p: Promise<T>): Promise<T | Error> {
  return p.catch((e: unknown) => (e instanceof Error && e.name === 'AbortError' ? Promise.reject(e) : e instanceof Error ? e : new Error(String(e))));
}

/** Last month's 1st up to the same day of month and time of day (the 31st maps to last month's end). */
export function sameDaysLastMonth(now: Date): { from: Date; to: Date } {
  const from = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  const monthEnd = startOfMonth(now);
  const same = new Date(now.getFullYear(), now.getMonth() - 1, now.getDate(), now.getHours(), now.getMinutes(), now.getSeconds(), now.getMilliseconds());
  return { from, to: same.getMonth() === from.getMonth() ? same : monthEnd };
}

async function loadOverview(stackBy: string, signal: AbortSignal): Promise<OverviewData> {
  const now = new Date();
  const monthStart = startOfMonth(now);
  const weekStart = startOfWeek(now);
  const chartFrom = new Date(Math.min(monthStart.getTime(), weekStart.getTime(), startOfDay(new Date(now.getTime() - 29 * DAY_MS)).getTime()));
  // All requests at once: the page is done when the slowest answers, not the sum of them. The
  // spend figures (chart, burn rate now and a week ago, same days last month, top lists) are one
  // request: /api/overview answers them with one grouping-sets query instead of seven.
  const last = sameDaysLastMonth(now);
  const [spend, forecast, budgets, alerts, cacheHits] = await Promise.all([
    getOverview({ at: now, chartFrom, monthFrom: monthStart, stackBy, topBy: TOP_DIMS, lastMonth: last }, signal),
    // As of the same instant as the other figures, in the viewer's calendar: `costrail forecast --tz <zone> --at <as_of>` prints the same.
    settled(api<ForecastResult>('GET', '/api/forecast', { query: { period: 'month', tz: viewerZone(), at: now.toISOString() }, signal })),
    settled(api<unknown>('GET', '/api/budgets', { signal }).then((b) => listOf<Budget>(b, 'budgets'))),
    settled(Promise.all((['open', 'acknowledged'] as const).map((status) => api<{ alerts: AlertItem[] }>('GET', '/api/alerts', { query: { status, limit: 1000 }, signal }))).then((pages) => pages.flatMap((b) => b.alerts))),
    settled(getSpend({ from: monthStart, filters: { status: 'cached' } }, signal)),
  ]);
  const none: SpendResult = { rows: [], total: { cost: '0', requests: 0, unpriced_requests: 0 } };
  const top = Object.fromEntries(TOP_DIMS.map((d) => [d, spend.top[d] ?? none])) as OverviewData['top'];
  const totalOnly = (total: SpendResult['total'] | undefined): SpendResult => ({ rows: [], total: total ?? none.total });
  return {
    now,
    daily: spend.daily,
    lastHour: totalOnly(spend.windows.last_hour),
    lastWeekHour: totalOnly(spend.windows.same_hour_last_week),
    top,
    lastMonthSameDays: totalOnly(spend.windows.same_days_last_month),
    forecast,
    budgets,
    alerts,
    cacheHits,
  };
}

function sumSince(rows: readonly SpendRow[], since: Date, until?: Date): string {
  return sumMoney(rows.filter((r) => r.period && new Date(r.period) >= since && (!until || new Date(r.period) < until)).map((r) => r.cost));
}

export function Overview() {
  const [stackBy, setStackBy] = useState<'provider' | 'model'>('provider');
  const { data, error, loading, reload } = useApi((signal) => loadOverview(stackBy, signal), [stackBy]);
  if (error) return <ErrorBox error={error} onRetry={reload} />;
  if (!data) return <Loading what="the overview" />;

  const { now, daily } = data;
  const today = sumSince(daily.rows, startOfDay(now));
  const week = sumSince(daily.rows, startOfWeek(now));
  const month = sumSince(daily.rows, startOfMonth(now));
  const burnNow = data.lastHour.total.cost;
  const burnThen = data.lastWeekHour.total.cost;
  const forecast = data.forecast;
  const lastMonth = data.lastMonthSameDays.total.cost;
  const monthDelta = toUnits(lastMonth) > 0n ? Number(((toUnits(month) - toUnits(lastMonth)) * 10_000n) / toUnits(lastMonth)) / 100 : null;
  const burnDelta = Number(burnThen) > 0 ? (Number(burnNow) / Number(burnThen) - 1) * 100 : null;
  const teamRows = data.top.team.rows;
  const unattributed = teamRows.find((r) => r['team'] === null || r['team'] === undefined);
  const unpriced = data.top.model.total.unpriced_requests ?? 0;
  const { categories, series } = toSeries(daily.rows, [stackBy]);
  const monthRequests = data.top.team.total.requests;
  const hits = data.cacheHits instanceof Error ? null : data.cacheHits.total;

  return (
    <div className="page overview" data-testid="overview" data-loading={loading ? 'true' : 'false'}>
      <div className="stats">
        <Stat label="Today" testId="stat-today">
          <Money value={today} />
        </Stat>
        <Stat label="This week" testId="stat-week" sub="since Monday">
          <Money value={week} />
        </Stat>
        <Stat
          label="Month to date"
          testId="stat-month"
          sub={
            <>
              {formatCount(monthRequests)} calls ·{' '}
              <span data-testid="stat-month-change" title={`same days of last month: $${lastMonth}`}>
                {monthDelta === null ? `${formatMoney(lastMonth)} same days last month` : `${monthDelta >= 0 ? '▲' : '▼'} ${Math.abs(monthDelta).toFixed(0)}% vs ${formatMoney(lastMonth)} same days last month`}
              </span>
            </>
          }
        >
          <Money value={month} />
        </Stat>
        <Stat label="Burn rate" testId="stat-burn" sub={burnDelta === null ? `same hour last week: ${formatMoney(burnThen)}/h` : `${burnDelta >= 0 ? '▲' : '▼'} ${Math.abs(burnDelta).toFixed(0)}% vs ${formatMoney(burnThen)}/h same hour last week`}>
          <Money value={burnNow} />
          <span className="unit">/h</span>
        </Stat>
        <Stat
          label="Projected month end"
          testId="stat-projected"
          sub={
            forecast instanceof Error ? (
              <span className="warn">forecast unavailable: {forecast.message}</span>
            ) : (
              <span data-testid="forecast-interval" data-low={forecast.low} data-high={forecast.high} data-as-of={forecast.as_of} data-tz={forecast.tz} title={`${forecast.method} model, as of ${forecast.as_of} (${forecast.tz})`}>
                90% interval {formatMoney(forecast.low)} – {formatMoney(forecast.high)}
              </span>
            )
          }
        >
          {forecast instanceof Error ? '—' : <Money value={String(forecast.projected)} />}
        </Stat>
      </div>

      <div className="stats stats-warn">
        <a className={`flag ${unpriced > 0 ? 'flag-on' : ''}`} href={hrefFor('explorer', { range: 'mtd', group_by: 'model', sort: 'unpriced' })} data-testid="unpriced">
          <strong>{formatCount(unpriced)}</strong> unpriced calls this month <span className="muted">(no known price; never counted as $0)</span>
        </a>
        <a className={`flag ${unattributed ? 'flag-on' : ''}`} href={hrefFor('requests', { range: 'mtd', 'f.team': NONE_LABEL })} data-testid="unattributed">
          <Money value={unattributed?.cost ?? '0'} /> from <strong>{formatCount(Number(unattributed?.requests ?? 0))}</strong> calls without a team this month
        </a>
        {hits && (
          <a className="flag" href={hrefFor('requests', { range: 'mtd', 'f.status': 'cached' })} data-testid="cache-savings" data-saved={hits.saved ?? '0'}>
            <Money value={hits.saved ?? '0'} /> saved by the response cache this month <span className="muted">({formatCount(hits.requests)} {hits.requests === 1 ? 'call' : 'calls'} answered from the cache)</span>
          </a>
        )}
      </div>

      <Card
        title="Spend over time"
        actions={
          <div className="segmented" role="group" aria-label="Stack by">
            {(['provider', 'model'] as const).map((d) => (
              <button key={d} type="button" className={stackBy === d ? 'on' : ''} onClick={() => setStackBy(d)}>
                by {d}
              </button>
            ))}
          </div>
        }
      >
        {daily.rows.length === 0 ? <Empty>No calls recorded in the last 30 days. Point an SDK at the gateway, or run <code>costrail demo</code>.</Empty> : <LazySpendChart categories={categories} series={series} granularity="day" onBarClick={(day, s) => navigate(dayInExplorer(day, stackBy, s))} />}
      </Card>

      <div className="grid-2">
        <BudgetStatus budgets={data.budgets} />
        <OpenAlerts alerts={data.alerts} />
      </div>

      <CoverageCard />

      <div className="grid-4">
        {TOP_DIMS.map((d) => (
          <TopList key={d} dim={d} result={data.top[d]} />
        ))}
      </div>
    </div>
  );
}

function TopList({ dim, result }: { dim: string; result: SpendResult }) {
  const rows = [...result.rows].sort((a, b) => (toUnits(b.cost) > toUnits(a.cost) ? 1 : toUnits(b.cost) < toUnits(a.cost) ? -1 : 0)).slice(0, 6);
  const max = Number(rows[0]?.cost ?? 0) || 1;
  return (
    <Card title={`Top ${dim}s`} className="top-list">
      {rows.length === 0 ? (
        <Empty>Nothing this month.</Empty>
      ) : (
        <ol className="bars" data-testid={`top-${dim}`}>
          {rows.map((r) => {
            const v = r[dim];
            const label = v === null || v === undefined ? NONE_LABEL : String(v);
            return (
              <li key={label}>
                <a href={hrefFor('explorer', { range: 'mtd', group_by: dim, [`f.${dim}`]: label })} title={`${label}: ${r.requests} calls`} data-testid="top-row">
                  <span className="bar-label">{label}</span>
                  <Money value={r.cost} />
                  <span className="bar" style={{ width: `${Math.max(2, (Number(r.cost) / max) * 100)}%` }} />
                </a>
              </li>
            );
          })}
        </ol>
      )}
    </Card>
  );
}

/** A bar of the overview's chart opens that day, that provider or model, by hour in the explorer. */
function dayInExplorer(day: string, stackBy: string, s: ChartSeries): string {
  return hrefFor('explorer', { from: day, to: bucketEnd(day, 'day'), granularity: 'hour', group_by: stackBy, ...(s.group ? groupFilters([stackBy], s.group) : {}) });
}

function usedFraction(b: Budget): number {
  if (typeof b.used_fraction === 'number') return b.used_fraction;
  const limit = Number(b.limit_usd ?? b.limit_tokens ?? 0);
  return limit > 0 ? Number(b.spent ?? 0) / limit : 0;
}

/** The budgets closest to (or past) their limit. */
function BudgetStatus({ budgets }: { budgets: Budget[] | Error }) {
  const top = budgets instanceof Error ? [] : [...budgets].sort((a, b) => usedFraction(b) - usedFraction(a)).slice(0, 5);
  return (
    <Card title="Budgets by % used" actions={<a href={hrefFor('budgets')}>all budgets →</a>}>
      {budgets instanceof Error ? <p className="muted">Budgets unavailable: {budgets.message}</p> : null}
      {!(budgets instanceof Error) && budgets.length === 0 ? <Empty>No budgets yet.</Empty> : null}
      <ol className="bars budget-status" data-testid="budget-status">
        {top.map((b) => {
          const used = usedFraction(b);
          const level = used >= 1 ? 'over' : (b.thresholds ?? []).some((t) => used >= t) ? 'warn' : 'ok';
          return (
            <li key={b.id} data-testid={`budget-status-${b.name}`}>
              <a href={hrefFor('budgets')} title={`${scopeText(b.scope)} per ${b.period}`}>
                <span className="bar-label">
                  {b.name} <span className="muted">per {b.period}</span>
                </span>
                <span className={`pct level-${level}`}>{Math.round(used * 100)}%</span>
                <span className={`bar level-${level}`} style={{ width: `${Math.max(2, Math.min(100, used * 100))}%` }} />
              </a>
            </li>
          );
        })}
      </ol>
    </Card>
  );
}

/** Open and acknowledged alerts, most severe first. */
function OpenAlerts({ alerts }: { alerts: AlertItem[] | Error }) {
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  const list = alerts instanceof Error ? [] : [...alerts].sort((a, b) => rank[a.severity] - rank[b.severity] || b.detected_at.localeCompare(a.detected_at));
  return (
    <Card
      title={
        <>
          Open alerts <span className="muted" data-testid="open-alert-count">{alerts instanceof Error ? '' : list.length}</span>
        </>
      }
      actions={<a href={hrefFor('alerts')}>all alerts →</a>}
    >
      {alerts instanceof Error ? <p className="muted">Alerts unavailable: {alerts.message}</p> : null}
      {!(alerts instanceof Error) && list.length === 0 ? <Empty>Nothing is alerting.</Empty> : null}
      <ul className="alert-mini" data-testid="open-alerts">
        {list.slice(0, 5).map((a) => (
          <li key={a.id}>
            <a href={hrefFor('alerts', { id: a.id })}>
              <span className={`sev sev-${a.severity}`}>{a.severity}</span> {a.summary}
            </a>
            <span className="muted">
              {' '}
              {a.status} · <Time iso={a.detected_at} />
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
