/**
 * Conformance for agent runs (src/store/agent-runs-query.ts), run by storeConformance on the
 * embedded and the PostgreSQL store alike. Figures are worked out by hand in the comments: runs of
 * several calls, an outcome arriving twelve hours late, a failed run, agent calls without a trace
 * (a run each), two agents in one trace (two runs), error, blocked and unpriced calls.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import type { OutcomeRecord } from '../../src/store/economics-types.js';
import { StoreQueryError, type Store } from '../../src/store/store.js';
import { makeRecord } from './ledger-fixtures.js';
import { outcome } from './store-economics.case.js';

const DAY = '2026-11-22';

function agentCall(n: number, id: string, agent: string | null, trace: string | null, cost: string | null, time: string, over: Partial<LedgerRecord> = {}): LedgerRecord {
  const base = makeRecord(n);
  const started = time.includes('T') ? time : `${DAY}T${time}Z`;
  return {
    ...base,
    id,
    started_at: new Date(started).toISOString(),
    ended_at: new Date(Date.parse(started) + 1000).toISOString(),
    trace_id: trace,
    cost: cost === null ? null : { ...base.cost!, total: cost },
    priced: cost !== null,
    price_version: cost === null ? null : base.price_version,
    unpriced_reason: cost === null ? 'no price for model' : null,
    attribution: { ...base.attribution, agent, team: 'search' },
    ...over,
  };
}

/** A call refused or failed before any token moved: no usage, no cost, nothing unpriced. */
const noUsage = (status: 'error' | 'blocked', ended: string | null): Partial<LedgerRecord> => ({ status, usage: null, usage_source: null, cost: null, priced: false, price_version: null, unpriced_reason: null, ended_at: ended });

export const AGENT_CALLS: readonly LedgerRecord[] = [
  agentCall(1, 'p-1', 'planner', 'R1', '0.1', '09:00:00'),
  agentCall(2, 'p-2', 'planner', 'R1', '0.25', '09:00:05'),
  agentCall(3, 'p-3', 'planner', 'R1', null, '09:00:10', noUsage('error', `${DAY}T09:00:12.000Z`)),
  agentCall(4, 'p-4', 'planner', 'R2', '0.2', '10:00:00'),
  agentCall(5, 'p-5', 'planner', 'R2', '0.3', '10:00:30'),
  agentCall(6, 'p-6', 'planner', null, '0.07', '11:00:00'), // no trace, no outcome
  agentCall(7, 'p-7', 'planner', null, '0.03', '11:30:00'), // no trace, an outcome names it
  agentCall(8, 'p-8', 'planner', 'R3', '0.4', '12:00:00'),
  agentCall(9, 'w-1', 'worker', 'R3', '0.15', '12:00:10'),
  agentCall(10, 'w-2', 'worker', 'R3', null, '12:00:20', noUsage('blocked', null)),
  agentCall(11, 'w-3', 'worker', 'R3', '0.15', '12:00:30'),
  agentCall(12, 'x-1', null, 'R3', '1', '12:00:40'), // no agent: in no run
  agentCall(13, 'w-4', 'worker', null, null, '13:00:00'), // unpriced: cost unknown, never $0
  agentCall(14, 'p-old', 'planner', 'R1', '5', '2026-11-21T09:00:00Z'), // before the window
];

export const AGENT_OUTCOMES: readonly OutcomeRecord[] = [
  outcome('A-R1', { trace_id: 'R1', success: true, occurred_at: `${DAY}T21:00:00Z` }), // twelve hours after its calls
  outcome('A-R2', { trace_id: 'R2', success: false }),
  outcome('A-R2b', { trace_id: 'R2', type: 'csat', success: false }),
  outcome('A-R2c', { trace_id: 'R2', team: 'other', success: true }), // another team's: not linked
  outcome('A-P7', { call_ids: ['p-7'], success: true }),
  outcome('A-R3', { trace_id: 'R3', success: true }), // both agents' runs in R3
];

export const AGENT_WINDOW = { from: `${DAY}T00:00:00Z`, to: '2026-11-23T00:00:00Z' } as const;

/** The runs of AGENT_CALLS with AGENT_OUTCOMES, newest first. */
export const EXPECTED_RUNS = [
  { agent: 'worker', trace_id: null, call_id: 'w-4', started_at: `${DAY}T13:00:00.000Z`, ended_at: `${DAY}T13:00:01.000Z`, calls: 1, cost: '0', unpriced_calls: 1, error_calls: 0, blocked_calls: 0, outcomes: 0, successful_outcomes: 0, status: 'unknown' },
  // w-2 was blocked (no ended_at: it ends when it started); w-3 ends last.
  { agent: 'worker', trace_id: 'R3', call_id: null, started_at: `${DAY}T12:00:10.000Z`, ended_at: `${DAY}T12:00:31.000Z`, calls: 3, cost: '0.3', unpriced_calls: 0, error_calls: 0, blocked_calls: 1, outcomes: 1, successful_outcomes: 1, status: 'successful' },
  { agent: 'planner', trace_id: 'R3', call_id: null, started_at: `${DAY}T12:00:00.000Z`, ended_at: `${DAY}T12:00:01.000Z`, calls: 1, cost: '0.4', unpriced_calls: 0, error_calls: 0, blocked_calls: 0, outcomes: 1, successful_outcomes: 1, status: 'successful' },
  { agent: 'planner', trace_id: null, call_id: 'p-7', started_at: `${DAY}T11:30:00.000Z`, ended_at: `${DAY}T11:30:01.000Z`, calls: 1, cost: '0.03', unpriced_calls: 0, error_calls: 0, blocked_calls: 0, outcomes: 1, successful_outcomes: 1, status: 'successful' },
  { agent: 'planner', trace_id: null, call_id: 'p-6', started_at: `${DAY}T11:00:00.000Z`, ended_at: `${DAY}T11:00:01.000Z`, calls: 1, cost: '0.07', unpriced_calls: 0, error_calls: 0, blocked_calls: 0, outcomes: 0, successful_outcomes: 0, status: 'unknown' },
  // Two failed outcomes (A-R2c names team "other" and does not link): failed.
  { agent: 'planner', trace_id: 'R2', call_id: null, started_at: `${DAY}T10:00:00.000Z`, ended_at: `${DAY}T10:00:31.000Z`, calls: 2, cost: '0.5', unpriced_calls: 0, error_calls: 0, blocked_calls: 0, outcomes: 2, successful_outcomes: 0, status: 'failed' },
  // 0.1 + 0.25 + the errored call (no cost); p-old is outside the window.
  { agent: 'planner', trace_id: 'R1', call_id: null, started_at: `${DAY}T09:00:00.000Z`, ended_at: `${DAY}T09:00:12.000Z`, calls: 3, cost: '0.35', unpriced_calls: 0, error_calls: 1, blocked_calls: 0, outcomes: 1, successful_outcomes: 1, status: 'successful' },
] as const;

export function agentRunsConformance(fresh: () => Promise<Store>): void {
  it('agent runs: several calls, a late outcome, a failed run, traceless calls, two agents in one trace', async () => {
    const s = await fresh();
    await s.insertRecords(AGENT_CALLS);
    // Before any outcome: every run is unknown and all of its cost unlinked.
    const before = await s.economics.getAgentSums(AGENT_WINDOW);
    assert.deepEqual(before, [
      { agent: 'planner', runs: 5, successful_runs: 0, failed_runs: 0, unknown_runs: 5, calls: 8, cost: '1.35', unlinked_cost: '1.35', unpriced_calls: 0, error_calls: 1, blocked_calls: 0 },
      { agent: 'worker', runs: 2, successful_runs: 0, failed_runs: 0, unknown_runs: 2, calls: 4, cost: '0.3', unlinked_cost: '0.3', unpriced_calls: 1, error_calls: 0, blocked_calls: 1 },
    ]);

    // The outcomes arrive (A-R1 twelve hours after its run): linked when the query runs.
    await s.economics.insertOutcomes(AGENT_OUTCOMES);
    assert.deepEqual(await s.economics.getAgentSums(AGENT_WINDOW), [
      // R1, p-7, R3 successful; R2 failed; p-6 unknown (0.07 unlinked).
      { agent: 'planner', runs: 5, successful_runs: 3, failed_runs: 1, unknown_runs: 1, calls: 8, cost: '1.35', unlinked_cost: '0.07', unpriced_calls: 0, error_calls: 1, blocked_calls: 0 },
      { agent: 'worker', runs: 2, successful_runs: 1, failed_runs: 0, unknown_runs: 1, calls: 4, cost: '0.3', unlinked_cost: '0', unpriced_calls: 1, error_calls: 0, blocked_calls: 1 },
    ]);
    const page = await s.economics.listAgentRuns(AGENT_WINDOW);
    assert.deepEqual(page, { runs: EXPECTED_RUNS, next_cursor: null });

    // Only csat outcomes decide: R2 still failed, every other run unknown.
    const csat = await s.economics.getAgentSums({ ...AGENT_WINDOW, type: 'csat' });
    assert.deepEqual(csat.map((a) => [a.agent, a.successful_runs, a.failed_runs, a.unknown_runs, a.unlinked_cost]), [['planner', 0, 1, 4, '0.85'], ['worker', 0, 0, 2, '0.3']]);
    // A wider window takes in p-old (trace R1, $5).
    const wide = await s.economics.getAgentSums({ from: '2026-11-01T00:00:00Z', to: AGENT_WINDOW.to, filters: { agent: 'planner' } });
    assert.deepEqual(wide.map((a) => [a.agent, a.runs, a.calls, a.cost]), [['planner', 5, 9, '6.35']]);
  });

  it('agent runs page newest first by keyset, filter by agent and status', async () => {
    const s = await fresh();
    await s.insertRecords(AGENT_CALLS);
    await s.economics.insertOutcomes(AGENT_OUTCOMES);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await s.economics.listAgentRuns({ ...AGENT_WINDOW, limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.runs.map((r) => `${r.agent}:${r.trace_id ?? r.call_id}`));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    assert.deepEqual(seen, EXPECTED_RUNS.map((r) => `${r.agent}:${r.trace_id ?? r.call_id}`));
    assert.equal(pages, 4);

    const ok = await s.economics.listAgentRuns({ ...AGENT_WINDOW, status: 'successful' });
    assert.deepEqual(ok.runs.map((r) => `${r.agent}:${r.trace_id ?? r.call_id}`), ['worker:R3', 'planner:R3', 'planner:p-7', 'planner:R1']);
    const failed = await s.economics.listAgentRuns({ ...AGENT_WINDOW, status: 'failed', filters: { agent: 'planner' } });
    assert.deepEqual(failed.runs.map((r) => r.trace_id), ['R2']);
    const worker = await s.economics.listAgentRuns({ ...AGENT_WINDOW, filters: { agent: 'worker' }, status: 'unknown' });
    assert.deepEqual(worker.runs.map((r) => r.call_id), ['w-4']);
    assert.deepEqual(await s.economics.listAgentRuns({ ...AGENT_WINDOW, filters: { team: 'ads' } }), { runs: [], next_cursor: null });
  });

  it('agent runs refuse a bad cursor, limit, status, filter or window as a query error', async () => {
    const s = await fresh();
    await assert.rejects(s.economics.listAgentRuns({ ...AGENT_WINDOW, cursor: 'not-a-cursor' }), StoreQueryError);
    await assert.rejects(s.economics.listAgentRuns({ ...AGENT_WINDOW, cursor: Buffer.from('["1e3","a",0,"k"]').toString('base64url') }), StoreQueryError);
    await assert.rejects(s.economics.listAgentRuns({ ...AGENT_WINDOW, limit: 1001 }), StoreQueryError);
    await assert.rejects(s.economics.listAgentRuns({ ...AGENT_WINDOW, status: 'won' as 'failed' }), StoreQueryError);
    await assert.rejects(s.economics.getAgentSums({ ...AGENT_WINDOW, filters: { 'tag:x': 'y' } }), StoreQueryError);
    await assert.rejects(s.economics.getAgentSums({ from: AGENT_WINDOW.to, to: AGENT_WINDOW.from }), StoreQueryError);
    await assert.rejects(s.economics.getAgentSums({ from: 'soon', to: AGENT_WINDOW.to }), StoreQueryError);
  });
}
