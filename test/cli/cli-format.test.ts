/**
 * The CLI as a person reads it: $ amounts rounded by size in tables (exact in --json), day buckets
 * as dates, default ranges in --help, `prices list` aligned with a cache-write column, an unknown
 * --provider named as an error, and a budget created over its limit says so.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { bucketDate, formatUsd } from '../../src/cli/money-format.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { ledgerSample } from '../analytics/ledger-sample.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const data = mkdtempSync(join(tmpdir(), 'costrail-cli-format-'));
const costrail = (...args: string[]) => {
  const env = { ...process.env };
  delete env.COSTRAIL_ADMIN_TOKEN;
  delete env.COSTRAIL_DATABASE_URL;
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

before(async () => {
  const store = await DuckDbStore.open(data);
  await store.insertRecords(ledgerSample());
  await store.close();
});
after(() => rmSync(data, { recursive: true, force: true }));

describe('money and dates for people', () => {
  it('formatUsd rounds by magnitude and keeps unpriced as "-"', () => {
    assert.equal(formatUsd('1234.5678'), '$1,234.57');
    assert.equal(formatUsd('12.4'), '$12.40');
    assert.equal(formatUsd('0.123456789'), '$0.1235');
    assert.equal(formatUsd('0.000423456'), '$0.00042');
    assert.equal(formatUsd('0'), '$0.00');
    assert.equal(formatUsd('-3.5'), '-$3.50');
    assert.equal(formatUsd(null), '-');
  });

  it('bucketDate shows a bucket start as its local date', () => {
    assert.equal(bucketDate('2026-11-19T23:00:00.000Z', 'Europe/Berlin'), '2026-11-20');
    assert.equal(bucketDate('2026-11-20T00:00:00.000Z'), '2026-11-20');
  });

  it('spend: $ in the table, day buckets as dates, exact in --json; --help states the default range', () => {
    const table = costrail('spend', '--data', data, '--group-by', 'team', '--granularity', 'day');
    assert.equal(table.code, 0, table.err);
    const first = table.out.split('\n')[2] ?? '';
    assert.match(first, /^\d{4}-\d{2}-\d{2}\s/, 'a day bucket is a date, not an instant');
    assert.match(first, /\$\d/);
    assert.doesNotMatch(table.out, /\d\.\d{7,}\s/, 'no eighteen-decimal amounts in the table');
    const json = JSON.parse(costrail('spend', '--data', data, '--group-by', 'team', '--json').out) as { rows: { cost: string }[] };
    assert.ok(json.rows.every((r) => !r.cost.startsWith('$')), 'JSON keeps exact decimal strings');
    const help = costrail('spend', '--help').out;
    assert.match(help, /--from <iso>\s+inclusive start, ISO 8601 \(default: the first record/);
    assert.match(help, /--to <iso>\s+exclusive end, ISO 8601 \(default: now/);
  });
});

describe('prices list', () => {
  it('has a cache_write column and one number of decimals per column', () => {
    const r = costrail('prices', 'list', '--provider', 'anthropic', '--data', data);
    assert.equal(r.code, 0, r.err);
    const [header, , ...rows] = r.out.trim().split('\n');
    assert.match(header ?? '', /input\s+cache_read\s+cache_write\s+output/);
    const models = rows.filter((l) => l.startsWith('anthropic'));
    assert.ok(models.length > 3);
    const decimalsOf = (col: number) => new Set(models.map((l) => l.split(/\s+/)[col]).filter((v) => v && v !== '-').map((v) => v!.split('.')[1]?.length));
    for (const col of [2, 3, 4, 5]) assert.equal(decimalsOf(col).size, 1, `column ${col} mixes decimals`);
    assert.ok(models.every((l) => /\$\d+\.\d+/.test(l)));
  });

  it('an unknown --provider is an error that lists the known ones', () => {
    const r = costrail('prices', 'list', '--provider', 'opneai', '--data', data);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown --provider "opneai"; the price book knows: .*anthropic.*openai/);
  });
});

describe('budgets create', () => {
  // Against a running server (--url): the in-process CLI runtime is not what this test is about.
  let rt: CostrailRuntime;
  const dir = mkdtempSync(join(tmpdir(), 'costrail-cli-budget-'));
  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: dir, quiet: true, upstreams: {} });
    await rt.store.insertRecords(ledgerSample());
  });
  after(async () => {
    await rt.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const remote = async (...args: string[]) => {
    try {
      const r = await promisify(execFile)(process.execPath, [BIN, ...args, '--url', rt.url, '--token', rt.adminToken]);
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout, err: x.stderr };
    }
  };

  it('warns when the scope has already spent more than the limit', async () => {
    const r = await remote('budgets', 'create', '--name', 'search cap', '--scope', 'team=search', '--period', 'total', '--limit-usd', '0.000001', '--json');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /warning: scope team=search has already spent \$[\d.]+ of this total's \$0\.000001\d* limit: every call in this scope is refused/);
    JSON.parse(r.out);
    const fine = await remote('budgets', 'create', '--name', 'roomy', '--scope', 'team=ads', '--period', 'total', '--limit-usd', '1000000');
    assert.equal(fine.code, 0, fine.err);
    assert.doesNotMatch(fine.err, /warning/);
  });
});
