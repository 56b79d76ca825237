/** `costrail events` and `costrail spend` as a user runs them: table, --json, --csv, filters, errors; in-process and --url. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Decimal } from '../../src/pricing/decimal.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { ledgerSample } from '../analytics/ledger-sample.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  const env = { ...process.env };
  delete env.COSTRAIL_ADMIN_TOKEN;
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, ...args], { env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

describe('costrail events / spend', () => {
  const records = ledgerSample();
  const data = tempDir('costrail-ledger-cli-');
  const exact = Decimal.sum(records.filter((r) => r.cost).map((r) => Decimal.parse(r.cost!.total))).toString();

  before(async () => {
    const store = await DuckDbStore.open(data);
    await store.insertRecords(records);
    await store.close();
  });

  it('spend: table by default, --json as the API, --csv with a header', async () => {
    const table = await run(['spend', '--data', data, '--group-by', 'team', '--from', '2026-11-20T00:00:00Z']);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0]!, /^team\s+cost\s+requests/);
    assert.match(table.stdout, new RegExp(`total \\$[\\d,.]+ over 60 requests; 6 unpriced .*\\(exact: ${exact.replace('.', '\\.')} USD\\)`));

    const json = await run(['spend', '--data', data, '--group-by', 'team,model', '--granularity', 'day', '--tz', 'Europe/Berlin', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const body = JSON.parse(json.stdout) as { rows: Record<string, unknown>[]; total: { cost: string } };
    assert.equal(body.total.cost, exact);
    assert.equal(body.rows[0]!.period, '2026-11-19T23:00:00.000Z');

    const csv = await run(['spend', '--data', data, '--group-by', 'tag:experiment', '--team', 'ads', '--csv']);
    assert.equal(csv.code, 0, csv.stderr);
    const [header, ...rows] = csv.stdout.trim().split('\n');
    assert.equal(header, 'tag:experiment,cost,requests,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,unpriced_requests');
    assert.equal(rows.length, 2);
    assert.equal(rows.reduce((n, r) => n + Number(r.split(',')[2]), 0), 20);
  });

  it('events: filters, paging hint, csv; bad input is one line and non-zero', async () => {
    const table = await run(['events', '--data', data, '--limit', '5', '--filter', 'tag:experiment=b']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^started_at\s+team/);
    assert.match(table.stdout, /5 records; more with --cursor \S+/);

    const json = await run(['events', '--data', data, '--team', 'search', '--limit', '1000', '--json']);
    const page = JSON.parse(json.stdout) as { events: { attribution: { team: string } }[]; next_cursor: null };
    assert.equal(page.events.length, 20);
    assert.ok(page.events.every((e) => e.attribution.team === 'search'));
    assert.equal(page.next_cursor, null);

    const csv = await run(['events', '--data', data, '--limit', '3', '--csv']);
    const lines = csv.stdout.trim().split('\n');
    assert.equal(lines.length, 4);
    assert.ok(lines[0]!.startsWith('id,started_at,source,provider'));
    assert.ok(lines[1]!.startsWith(`${records[59]!.id},${records[59]!.started_at},`));

    const bad = await run(['spend', '--data', data, '--granularity', 'fortnight']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^costrail: granularity: must be one of .* \(HTTP 400\)\n$/);
    const badFilter = await run(['events', '--data', data, '--filter', 'nonsense']);
    assert.equal(badFilter.code, 2);
    assert.match(badFilter.stderr, /--filter takes DIM=VALUE/);
  });

  describe('against a running server (--url)', () => {
    let rt: CostrailRuntime;
    before(async () => {
      rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-ledger-cli-url-'), quiet: true, upstreams: {} });
      await rt.store.insertRecords(records);
    });
    after(() => rt.close());

    it('spend --url --token reads the server, and a wrong token is refused', async () => {
      const ok = await run(['spend', '--url', rt.url, '--token', rt.adminToken, '--json']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal((JSON.parse(ok.stdout) as { total: { cost: string } }).total.cost, exact);
      const denied = await run(['events', '--url', rt.url, '--token', 'wrong']);
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /HTTP 401/);
    });
  });
});
