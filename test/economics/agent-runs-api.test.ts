/**
 * Agent runs through HTTP and the command line: GET /api/agents (cost per run and per successful
 * run, exact), GET /api/agents/runs (paged, filtered), a team token seeing only its team's runs,
 * hostile query strings refused with 400, and `costrail report agents --json` printing the same.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { ZodType } from 'zod';
import { AgentRunsSchema, AgentsSchema } from '../../src/economics/economics-api-schemas.js';
import type { Principal } from '../../src/http/principal.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { AGENT_CALLS, AGENT_OUTCOMES, EXPECTED_RUNS } from '../store/store-agent-runs.case.js';

type Json = Record<string, unknown>;
const conforms = (schema: ZodType, json: unknown): void => assert.deepEqual(schema.parse(json), json);
const WINDOW = 'from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z';
/** Another team's planner run: a team token for search must never see it. */
const ADS_CALL: LedgerRecord = { ...makeRecord(40), id: 'ads-1', started_at: '2026-11-22T14:00:00.000Z', ended_at: '2026-11-22T14:00:01.000Z', trace_id: 'R-ads', cost: { ...makeRecord(40).cost!, total: '2' }, attribution: { ...makeRecord(40).attribution, team: 'ads', agent: 'planner' } };

const PLANNER = {
  agent: 'planner',
  runs: 5,
  successful_runs: 3,
  failed_runs: 1,
  unknown_runs: 1,
  calls: 8,
  cost: '1.35',
  unlinked_cost: '0.07',
  unpriced_calls: 0,
  error_calls: 1,
  blocked_calls: 0,
  // 3 successful of 4 runs with an outcome.
  success_rate: '0.75',
  cost_per_run: '0.27',
  // (1.35 − 0.07 unlinked) / 3 successful runs, rounded half-even at 18 places.
  cost_per_successful_run: '0.426666666666666667',
};
const WORKER = { agent: 'worker', runs: 2, successful_runs: 1, failed_runs: 0, unknown_runs: 1, calls: 4, cost: '0.3', unlinked_cost: '0', unpriced_calls: 1, error_calls: 0, blocked_calls: 1, success_rate: '1', cost_per_run: '0.15', cost_per_successful_run: '0.3' };

describe('agent runs API', () => {
  let rt: CostrailRuntime;
  const get = async (path: string, token = rt.adminToken): Promise<{ status: number; json: Json }> => {
    const res = await request(rt.url + path, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, json: (await res.body.json()) as Json };
  };

  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-agent-runs-api-'), quiet: true, upstreams: {} });
    rt.context.auth.addSource({ authenticate: (t): Principal | undefined => (t === 'search-token' ? { kind: 'scoped', token_id: 'tok-search', scope: { team: 'search' } } : undefined) });
    await rt.store.insertRecords([...AGENT_CALLS, ADS_CALL]);
    await rt.store.economics.insertOutcomes(AGENT_OUTCOMES);
  });
  after(() => rt.close());

  it('GET /api/agents: per agent runs, cost per run and per successful run, exact', async () => {
    const { status, json } = await get(`/api/agents?${WINDOW}`);
    assert.equal(status, 200);
    conforms(AgentsSchema, json);
    const plannerWithAds = { ...PLANNER, runs: 6, unknown_runs: 2, calls: 9, cost: '3.35', unlinked_cost: '2.07', cost_per_run: '0.558333333333333333', cost_per_successful_run: '0.426666666666666667' };
    assert.deepEqual(json, {
      from: '2026-11-22T00:00:00.000Z',
      to: '2026-11-23T00:00:00.000Z',
      type: null,
      agents: [plannerWithAds, WORKER],
      total: { runs: 8, successful_runs: 4, calls: 13, cost: '3.65', unlinked_cost: '2.07', unpriced_calls: 1 },
    });
    // A team token sees its own team's calls only; naming another team is a 403.
    assert.deepEqual((await get(`/api/agents?${WINDOW}`, 'search-token')).json.agents, [PLANNER, WORKER]);
    assert.equal((await get(`/api/agents?${WINDOW}&team=ads`, 'search-token')).status, 403);
    assert.deepEqual(((await get(`/api/agents?${WINDOW}&agent=worker`)).json.agents as Json[]).map((a) => a.agent), ['worker']);
  });

  it('GET /api/agents/runs: newest first, paged by cursor, filtered by agent and status', async () => {
    const all = await get(`/api/agents/runs?${WINDOW}&team=search`);
    assert.equal(all.status, 200);
    conforms(AgentRunsSchema, all.json);
    assert.deepEqual(all.json.runs, EXPECTED_RUNS);
    assert.equal(all.json.next_cursor, null);

    const first = await get(`/api/agents/runs?${WINDOW}&agent=planner&limit=2`, 'search-token');
    assert.deepEqual((first.json.runs as Json[]).map((r) => r.trace_id ?? r.call_id), ['R3', 'p-7']);
    const second = await get(`/api/agents/runs?${WINDOW}&agent=planner&limit=2&cursor=${String(first.json.next_cursor)}`, 'search-token');
    assert.deepEqual((second.json.runs as Json[]).map((r) => r.trace_id ?? r.call_id), ['p-6', 'R2']);

    const failed = await get(`/api/agents/runs?${WINDOW}&status=failed`);
    assert.deepEqual((failed.json.runs as Json[]).map((r) => [r.agent, r.trace_id, r.cost, r.status]), [['planner', 'R2', '0.5', 'failed']]);
    const unknown = await get(`/api/agents/runs?${WINDOW}&status=unknown`);
    assert.deepEqual((unknown.json.runs as Json[]).map((r) => r.trace_id ?? r.call_id), ['R-ads', 'w-4', 'p-6']);
    assert.deepEqual((await get(`/api/agents/runs?${WINDOW}&status=unknown`, 'search-token')).json.runs, (unknown.json.runs as Json[]).slice(1));
  });

  it('refuses hostile query strings with a 400 naming the parameter', async () => {
    for (const [q, pattern] of [
      [`${WINDOW}&status=won`, /status/],
      [`${WINDOW}&limit=0`, /limit/],
      [`${WINDOW}&limit=abc`, /limit/],
      [`${WINDOW}&cursor=%7B%7D`, /cursor/],
      [`${WINDOW}&agent=`, /agent/],
      [`${WINDOW}&tag:x=y`, /tag:x/],
      ['from=2026-11-23T00:00:00Z&to=2026-11-22T00:00:00Z', /after/],
      ['to=2026-11-23T00:00:00Z', /from and to/],
    ] as const) {
      const res = await get(`/api/agents/runs?${q}`);
      assert.equal(res.status, 400, q);
      assert.match(JSON.stringify(res.json), pattern, q);
    }
    assert.equal((await get(`/api/agents?${WINDOW}&agent=`)).status, 400);
    assert.equal((await get('/api/agents?from=yesterday&to=2026-11-23T00:00:00Z')).status, 400);
  });
});

describe('costrail report agents', () => {
  const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  const data = join(tempDir('costrail-agent-runs-cli-'), 'data');
  const costrail = (...args: string[]) => {
    const env = { ...process.env };
    delete env.COSTRAIL_ADMIN_TOKEN;
    delete env.COSTRAIL_DATA;
    const r = spawnSync(process.execPath, [BIN, ...args, '--data', data], { encoding: 'utf8', env });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const window = ['--from', '2026-11-22T00:00:00Z', '--to', '2026-11-23T00:00:00Z'];

  before(async () => {
    const store = await DuckDbStore.open(data);
    await store.insertRecords(AGENT_CALLS);
    await store.economics.insertOutcomes(AGENT_OUTCOMES);
    await store.close();
  });

  it('--json prints the per-agent figures and, with --runs, the runs, exactly as the API', () => {
    const summary = costrail('report', 'agents', ...window, '--json');
    assert.equal(summary.code, 0, summary.err);
    assert.deepEqual((JSON.parse(summary.out) as Json).agents, [PLANNER, WORKER]);

    const runs = costrail('report', 'agents', ...window, '--agent', 'planner', '--runs', '--status', 'successful', '--json');
    assert.equal(runs.code, 0, runs.err);
    assert.deepEqual((JSON.parse(runs.out) as Json).runs, EXPECTED_RUNS.filter((r) => r.agent === 'planner' && r.status === 'successful'));

    const table = costrail('report', 'agents', ...window);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /planner\s+5\s+3\s+1\s+1\s+75\.0%\s+\$1\.35\s+\$0\.2700\s+\$0\.4267/);
    assert.match(table.out, /total \$1\.65 over 7 runs/);
  });

  it('--help explains runs; bad flags are refused with a usage error', () => {
    const help = costrail('report', 'agents', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /--runs/);
    assert.match(help.out, /cost_per_successful_run/);
    for (const args of [['--status', 'won', '--runs'], ['--limit', '0', '--runs'], ['--status', 'failed'], ['--agent', ' ']]) {
      const r = costrail('report', 'agents', ...window, ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    }
    assert.equal(costrail('report', 'agents', '--from', 'soon', '--to', '2026-11-23').code, 2);
  });
});
