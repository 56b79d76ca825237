/**
 * What makes `costrail demo` look like a week in the life of a real deployment rather than an
 * empty ledger: two weeks of simulated history (so the dashboard's charts, baselines and
 * month-to-date figures have something to show), a live budget that refuses part of the demo's
 * own traffic, and one alert evaluation right after the traffic (so new spend sources and
 * velocity show up without waiting for the minute timer).
 */
import { planTraffic } from '../simulator/traffic-model.js';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import type { CostrailRuntime } from '../server/costrail-runtime.js';

const HISTORY_DAYS = 14;
const HISTORY_CALLS = 20_000;
const BATCH = 5_000;

/** Fills an empty ledger with two weeks of simulated traffic ending today at 00:00 UTC. Returns the calls added. */
export async function seedDemoHistory(rt: CostrailRuntime, onProgress?: (done: number, total: number) => void): Promise<number> {
  // Only into an empty ledger: a second demo on the same folder keeps what the first one made.
  if ((await rt.store.countRecords()) > 0) return 0;
  const plan = planTraffic({ days: HISTORY_DAYS, requests: HISTORY_CALLS, seed: 2026, book: rt.context.prices.current() });
  let batch: LedgerRecord[] = [];
  let done = 0;
  for (const { record } of plan.calls()) {
    batch.push({ ...record, source: 'simulator' });
    if (batch.length === BATCH) {
      done += batch.length;
      await rt.store.insertRecords(batch);
      onProgress?.(done, HISTORY_CALLS);
      batch = [];
    }
  }
  if (batch.length) {
    done += batch.length;
    await rt.store.insertRecords(batch);
    onProgress?.(done, HISTORY_CALLS);
  }
  return done;
}

export interface DemoBudget {
  name: string;
  scope: Record<string, string>;
  period: string;
  limit_usd: string;
  action: string;
}

/** A small daily cap on the support team (blocks part of the demo traffic) and a global monthly budget that only notifies. */
export const DEMO_BUDGETS: readonly DemoBudget[] = [
  { name: 'support daily cap (demo)', scope: { team: 'support' }, period: 'day', limit_usd: '0.10', action: 'block' },
  { name: 'all AI spend this month (demo)', scope: {}, period: 'month', limit_usd: '250.00', action: 'notify' },
];

async function api<T>(rt: CostrailRuntime, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(rt.url + path, {
    method,
    headers: { authorization: `Bearer ${rt.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/** Creates the demo budgets that do not exist yet (by name). */
export async function ensureDemoBudgets(rt: CostrailRuntime): Promise<void> {
  const existing = await api<{ budgets: { name: string }[] }>(rt, 'GET', '/api/budgets');
  const names = new Set(existing.budgets.map((b) => b.name));
  for (const b of DEMO_BUDGETS) if (!names.has(b.name)) await api(rt, 'POST', '/api/budgets', b);
}

export interface DemoBudgetStatus {
  name: string;
  spent: string;
  limit_usd: string | null;
  remaining: string | null;
  action: string;
}

export async function demoBudgetStatus(rt: CostrailRuntime): Promise<DemoBudgetStatus[]> {
  const { budgets } = await api<{ budgets: (DemoBudgetStatus & Record<string, unknown>)[] }>(rt, 'GET', '/api/budgets');
  return budgets.map((b) => ({ name: b.name, spent: String(b.spent), limit_usd: b.limit_usd ?? null, remaining: b.remaining === undefined ? null : String(b.remaining), action: b.action }));
}

export interface DemoAlert {
  kind: string;
  severity: string;
  scope: Record<string, string>;
  summary: string;
}

/** Runs the detectors once now and returns the open alerts. */
export async function evaluateDemoAlerts(rt: CostrailRuntime): Promise<DemoAlert[]> {
  await rt.alerts.tick();
  const { alerts } = await api<{ alerts: (Record<string, unknown> & { kind: string; severity: string; scope: Record<string, string> })[] }>(rt, 'GET', '/api/alerts?status=open&limit=20');
  return alerts.map((a) => ({ kind: a.kind, severity: a.severity, scope: a.scope, summary: String(a['summary'] ?? a['title'] ?? a['message'] ?? '') }));
}
