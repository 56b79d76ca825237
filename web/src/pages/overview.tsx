/**
 * The five-second answer: what we spend today, this week and this month, how fast right now,
 * where the month lands, who and what spends it, and what is not priced or not attributed.
 */
import { useState } from 'react';
import { getSpend } from '../api/spend';
import type { SpendResult, SpendRow } from '../api/types';
import { LazySpendChart } from '../charts/lazy-chart';
import { Card, Empty, ErrorBox, Loading, Money, Stat } from '../components/ui';
import { hrefFor } from '../lib/hash-route';
import { formatCount, formatMoney, fromUnits, sumMoney, toUnits } from '../lib/money';
import { toSeries, NONE_LABEL } from '../lib/series';
import { DAY_MS, HOUR_MS, startOfDay, startOfMonth, startOfNextMonth, startOfWeek } from '../lib/time';
import { useApi } from '../lib/use-api';

const TOP_DIMS = ['team', 'feature', 'customer', 'model'] as const;

interface OverviewData {
  now: Date;
  daily: SpendResult;
  lastHour: SpendResult;
  lastWeekHour: SpendResult;
  top: Record<(typeof TOP_DIMS)[number], SpendResult>;
}

async function loadOverview(stackBy: string, signal: AbortSignal): Promise<OverviewData> {
  const now = new Date();
  const monthStart = startOfMonth(now);
  const weekStart = startOfWeek(now);
  const chartFrom = new Date(Math.min(monthStart.getTime(), weekStart.getTime(), startOfDay(new Date(now.getTime() - 29 * DAY_MS)).getTime()));
  // All requests at once: the page is done when the slowest answers, not the sum of them.
  const [daily, lastHour, lastWeekHour, ...tops] = await Promise.all([
    getSpend({ from: chartFrom, granularity: 'day', group_by: [stackBy] }, signal),
    getSpend({ from: new Date(now.getTime() - HOUR_MS), to: now }, signal),
    getSpend({ from: new Date(now.getTime() - 7 * DAY_MS - HOUR_MS), to: new Date(now.getTime() - 7 * DAY_MS) }, signal),
    ...TOP_DIMS.map((d) => getSpend({ from: monthStart, group_by: [d] }, signal)),
  ]);
  const top = Object.fromEntries(TOP_DIMS.map((d, i) => [d, tops[i] as SpendResult])) as OverviewData['top'];
  return { now, daily, lastHour, lastWeekHour, top };
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
  // Projection: month to date plus the trailing seven full days' average daily spend for each remaining day.
  const sevenFrom = startOfDay(new Date(now.getTime() - 7 * DAY_MS));
  const sevenDays = sumSince(daily.rows, sevenFrom, startOfDay(now));
  const daysLeft = (startOfNextMonth(now).getTime() - now.getTime()) / DAY_MS;
  const projected = fromUnits(toUnits(month) + (toUnits(sevenDays) * BigInt(Math.round(daysLeft * 1000))) / 7000n);
  const burnDelta = Number(burnThen) > 0 ? (Number(burnNow) / Number(burnThen) - 1) * 100 : null;
  const teamRows = data.top.team.rows;
  const unattributed = teamRows.find((r) => r['team'] === null || r['team'] === undefined);
  const unpriced = data.top.model.total.unpriced_requests ?? 0;
  const { categories, series } = toSeries(daily.rows, [stackBy]);
  const monthRequests = data.top.team.total.requests;

  return (
    <div className="page overview" data-testid="overview" data-loading={loading ? 'true' : 'false'}>
      <div className="stats">
        <Stat label="Today" testId="stat-today">
          <Money value={today} />
        </Stat>
        <Stat label="This week" testId="stat-week" sub="since Monday">
          <Money value={week} />
        </Stat>
        <Stat label="Month to date" testId="stat-month" sub={`${formatCount(monthRequests)} calls`}>
          <Money value={month} />
        </Stat>
        <Stat label="Burn rate" testId="stat-burn" sub={burnDelta === null ? `same hour last week: ${formatMoney(burnThen)}/h` : `${burnDelta >= 0 ? '▲' : '▼'} ${Math.abs(burnDelta).toFixed(0)}% vs ${formatMoney(burnThen)}/h same hour last week`}>
          <Money value={burnNow} />
          <span className="unit">/h</span>
        </Stat>
        <Stat label="Projected month end" testId="stat-projected" sub="month to date + 7-day average × days left">
          <Money value={projected} />
        </Stat>
      </div>

      <div className="stats stats-warn">
        <a className={`flag ${unpriced > 0 ? 'flag-on' : ''}`} href={hrefFor('explorer', { range: 'mtd', group_by: 'model', sort: 'unpriced' })} data-testid="unpriced">
          <strong>{formatCount(unpriced)}</strong> unpriced calls this month <span className="muted">(no known price; never counted as $0)</span>
        </a>
        <a className={`flag ${unattributed ? 'flag-on' : ''}`} href={hrefFor('explorer', { range: 'mtd', group_by: 'team', 'f.team': NONE_LABEL })} data-testid="unattributed">
          <Money value={unattributed?.cost ?? '0'} /> from <strong>{formatCount(Number(unattributed?.requests ?? 0))}</strong> calls without a team this month
        </a>
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
        {daily.rows.length === 0 ? <Empty>No calls recorded in the last 30 days. Point an SDK at the gateway, or run <code>costrail demo</code>.</Empty> : <LazySpendChart categories={categories} series={series} granularity="day" />}
      </Card>

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
                <a href={hrefFor('explorer', { range: 'mtd', group_by: dim, [`f.${dim}`]: label })} title={`${label}: ${r.requests} calls`}>
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
