/**
 * The billing surface end to end: `costrail import billing` through a running server
 * (POST /api/import/billing) and in-process, and GET /api/reconciliation / `costrail reconcile`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { BillingImportResultSchema, ReconciliationSchema } from '../../src/billing/billing-api-schemas.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'billing');

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  // Async spawn: a server in this process must keep answering.
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, COSTRAIL_ADMIN_TOKEN: '' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

describe('billing through a running server', () => {
  let rt: CostrailRuntime;
  let data: string;
  before(async () => {
    data = join(tempDir('costrail-billing-api-'), 'data');
    rt = await startCostrail({ port: 0, dataDir: data, quiet: true, upstreams: {}, advertise: true });
  });
  after(async () => {
    await rt.close();
  });

  it('imports CSV and JSON exports through POST /api/import/billing, idempotently', async () => {
    const first = await cli(['import', 'billing', join(FIXTURES, 'azure-cost.csv'), '--data', data, '--json']);
    assert.equal(first.code, 0, first.err);
    const summary = JSON.parse(first.out) as { status: string; format: string; lines: number; skipped: number };
    assert.deepEqual(BillingImportResultSchema.parse(summary), summary);
    assert.deepEqual([summary.status, summary.format, summary.lines, summary.skipped], ['imported', 'azure-cost', 3, 1]);
    const again = await cli(['import', 'billing', join(FIXTURES, 'azure-cost.csv'), '--data', data, '--json']);
    assert.equal((JSON.parse(again.out) as { status: string }).status, 'already_imported');
    const json = await cli(['import', 'billing', join(FIXTURES, 'anthropic-cost-report.json'), '--data', data]);
    assert.equal(json.code, 0, json.err);
    assert.match(json.out, /anthropic-cost-report imported: read 3 rows, 3 billed lines/);
    const jsonl = await cli(['import', 'billing', join(FIXTURES, 'gcp-billing.jsonl'), '--data', data, '--json']);
    assert.equal((JSON.parse(jsonl.out) as { lines: number }).lines, 3);
    assert.equal(await rt.store.billed.count(), 9);
  });

  it('refuses invalid lines with their numbers, and bad formats, changing nothing', async () => {
    const before = await rt.store.billed.count();
    const bad = await cli(['import', 'billing', join(FIXTURES, 'focus-spec-example-dates.csv'), '--data', data]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /4 invalid line\(s\), first line 2: ChargePeriodStart is not an ISO 8601 date or time \(got "4\/1\/25"\)/);
    const res = await request(`${rt.url}/api/import/billing?format=nope`, { method: 'POST', headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': 'text/csv' }, body: 'a,b\n1,2\n' });
    assert.equal(res.statusCode, 400);
    await res.body.dump();
    const unknown = await request(`${rt.url}/api/import/billing`, { method: 'POST', headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': 'text/csv' }, body: 'a,b\n1,2\n' });
    assert.equal(unknown.statusCode, 400);
    assert.match(((await unknown.body.json()) as { error: { message: string } }).error.message, /upload: no header of a known billing export/);
    assert.equal(await rt.store.billed.count(), before);
  });

  it('answers GET /api/reconciliation in the documented shape, and validates the query', async () => {
    const res = await request(`${rt.url}/api/reconciliation?from=2025-08-01&to=2026-09-01`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    assert.equal(res.statusCode, 200);
    const body = (await res.body.json()) as { rows: { provider: string; day: string; billed: string; explained: { kind: string }[] }[]; total: { billed: string }; coverage: { metered_pct: number | null } };
    assert.deepEqual(Object.keys(body), ['rows', 'total', 'coverage', 'coverage_trend', 'coverage_by_provider']);
    assert.deepEqual(ReconciliationSchema.parse(body), body);
    const azure = body.rows.find((r) => r.provider === 'azure');
    assert.deepEqual(azure && [azure.day, azure.billed, azure.explained.map((e) => e.kind)], ['2025-08-01', '3.38334', ['unmetered_account']]);
    // 3.38334 (Azure) + 0.940054 (Anthropic: 94.0054 cents / 100) + 3.7143 (GCP usage) − 0.5 (GCP credit)
    assert.equal(body.total.billed, '7.537694');
    assert.equal(body.coverage.metered_pct, 0);
    const bad = await request(`${rt.url}/api/reconciliation?from=2026-08-01`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    assert.equal(bad.statusCode, 400);
    await bad.body.dump();
    // Weekly coverage, by Monday: the Azure, Anthropic and GCP fixtures' lines fall in two weeks; nothing was metered.
    const weekly = await request(`${rt.url}/api/reconciliation?from=2025-08-01&to=2026-09-01&trend=week`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    const trend = ((await weekly.body.json()) as { coverage_trend: { period: string; provider: string | null; metered_pct: number | null }[] }).coverage_trend;
    assert.deepEqual(trend.filter((p) => p.provider === null).map((p) => [p.period, p.metered_pct]), [['2025-07-28', 0], ['2026-07-27', 0]]);
    const badTrend = await request(`${rt.url}/api/reconciliation?from=2025-08-01&to=2026-09-01&trend=month`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    assert.equal(badTrend.statusCode, 400);
    assert.match(((await badTrend.body.json()) as { error: { message: string } }).error.message, /trend must be day or week/);
    const cmd = await cli(['reconcile', '--from', '2025-08-01', '--to', '2026-09-01', '--by', 'provider,day,model', '--data', data]);
    assert.equal(cmd.code, 0, cmd.err);
    assert.match(cmd.out, /2025-08-01 +azure +gpt-4o-1120 +\$0\.00 +\$3\.38 +\$3\.38 +100% +unmetered_account/);
  });
});

describe('billing in-process (no server)', () => {
  it('imports with --data in-process and reconciles: usage 98.172 + tax 7.82 − credit 10', async () => {
    const data = tempDir('costrail-billing-cli-');
    const r = await cli(['import', 'billing', join(FIXTURES, 'aws-cur2-bedrock.csv'), '--data', data, '--format', 'aws-cur', '--json']);
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { lines: number }).lines, 10);
    const rec = await cli(['reconcile', '--from', '2026-08-01', '--to', '2026-09-01', '--data', data, '--json']);
    const body = JSON.parse(rec.out) as { total: { billed: string; gap: string } };
    assert.deepEqual([body.total.billed, body.total.gap], ['95.992', '95.992']);
  });

  it('rejects an unknown --format before reading', async () => {
    const r = await cli(['import', 'billing', join(FIXTURES, 'azure-cost.csv'), '--format', 'csv', '--data', tempDir('costrail-billing-fmt-')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--format must be one of auto, openai-costs/);
  });
});
