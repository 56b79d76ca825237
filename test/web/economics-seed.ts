/**
 * Outcomes, revenue and the calls behind them for the Unit economics page (its browser test and
 * `npm run screenshots`): a prompt A/B on `support-bot` (v1 succeeds 70%, v2 50%, v2 cheaper per
 * call), a `doc-extract` feature with some calls linked to no outcome, and a customer (initech)
 * with AI cost and no revenue. Every task is one agent run (support-agent, extractor: a trace
 * each). Calls spread over the ten days before `end`.
 */
import { emptyAttribution, type LedgerRecord } from '../../src/ledger/ledger-record.js';
import type { OutcomeRecord, RevenueRecord } from '../../src/store/economics-types.js';
import type { Store } from '../../src/store/store.js';
import { makeRecord } from '../store/ledger-fixtures.js';

const DAY_MS = 86_400_000;

export async function seedEconomics(store: Store, end = Date.now() - 2 * 3_600_000, currencies: readonly string[] = ['USD']): Promise<void> {
  const calls: LedgerRecord[] = [];
  const outcomes: OutcomeRecord[] = [];
  let n = 0;
  const task = (feature: string, variant: { prompt_version?: string; model?: string }, customer: string, perCall: string, callCount: number, success: boolean | null) => {
    const i = n++;
    const at = end - 10 * DAY_MS + ((i * 7919) % (10 * DAY_MS / 60_000)) * 60_000;
    const trace = `ue-${feature}-${i}`;
    for (let c = 0; c < callCount; c++) {
      const base = makeRecord(i);
      calls.push({
        ...base,
        id: `ue-call-${i}-${c}`,
        started_at: new Date(at + c * 1000).toISOString(),
        ended_at: new Date(at + c * 1000 + 800).toISOString(),
        model: variant.model ?? base.model,
        trace_id: trace,
        cost: { ...base.cost!, total: perCall },
        attribution: { ...emptyAttribution(), team: 'support', feature, customer, prompt_version: variant.prompt_version ?? null, env: 'prod', agent: feature === 'support-bot' ? 'support-agent' : 'extractor' },
        tags: {},
      });
    }
    if (success !== null) outcomes.push({ id: `ue-outcome-${i}`, occurred_at: new Date(at + callCount * 1000 + 5 * 60_000).toISOString(), type: feature === 'support-bot' ? 'ticket_resolved' : 'document_processed', success, trace_id: trace, call_ids: [], customer, feature, team: 'support', value_usd: null, attributes: {} });
  };
  for (let i = 0; i < 120; i++) task('support-bot', { prompt_version: 'v1' }, i % 2 ? 'acme' : 'globex', '0.004', 2, i % 10 < 7);
  for (let i = 0; i < 120; i++) task('support-bot', { prompt_version: 'v2' }, i % 2 ? 'acme' : 'globex', '0.003', 2, i % 10 < 5);
  for (let i = 0; i < 80; i++) task('doc-extract', { model: 'gpt-4o-mini-2024-07-18' }, 'globex', '0.01', 1, i % 20 !== 0);
  for (let i = 0; i < 20; i++) task('doc-extract', { model: 'gpt-4o-mini-2024-07-18' }, 'globex', '0.01', 1, null);
  for (let i = 0; i < 40; i++) task('doc-extract', { model: 'gpt-4o-2024-08-06' }, 'initech', '0.05', 1, i % 4 !== 0);
  await store.insertRecords(calls);
  await store.economics.insertOutcomes(outcomes);
  const period = { period_start: new Date(end - 40 * DAY_MS).toISOString(), period_end: new Date(end + 20 * DAY_MS).toISOString() };
  const revenue: RevenueRecord[] = [
    { customer: 'acme', ...period, amount: '600', currency: 'USD' },
    { customer: 'globex', ...period, amount: '3', currency: 'USD' },
  ];
  for (const c of currencies.filter((x) => x !== 'USD')) revenue.push({ customer: 'acme', ...period, amount: '100', currency: c });
  await store.economics.upsertRevenue(revenue);
}
