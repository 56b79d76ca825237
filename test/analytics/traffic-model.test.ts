/** The synthetic ledger: deterministic, the shape it promises, priced by the real book; and `costrail simulate`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { planTraffic, type SyntheticCall } from '../../src/simulator/traffic-model.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const book = loadPriceBook();
const opts = { days: 28, requests: 20000, seed: 7, start: '2026-10-05', book };

test('deterministic per seed, exactly the requested count, in time order', () => {
  const a = [...planTraffic(opts).calls()];
  const b = [...planTraffic(opts).calls()];
  assert.equal(a.length, 20000);
  assert.deepEqual(a.slice(0, 50), b.slice(0, 50));
  assert.deepEqual(a.at(-1), b.at(-1));
  assert.equal(new Set(a.map((c) => c.record.id)).size, a.length);
  for (let i = 1; i < a.length; i++) assert.ok((a[i - 1] as SyntheticCall).record.started_at <= (a[i] as SyntheticCall).record.started_at);
  const other = [...planTraffic({ ...opts, seed: 8 }).calls()];
  assert.notDeepEqual(other[10]?.record.usage, a[10]?.record.usage);
  assert.ok((a[0]?.record.started_at ?? '') >= '2026-10-05');
  assert.ok((a.at(-1)?.record.started_at ?? '') < '2026-11-02');
});

test('teams, providers, cache hits, seasonality, the launch spike, the retry storm, unpriced and unattributed calls', () => {
  const plan = planTraffic(opts);
  const calls = [...plan.calls()];
  const recs = calls.map((c) => c.record);
  assert.ok(new Set(recs.map((r) => r.attribution.team).filter(Boolean)).size >= 5);
  assert.deepEqual(new Set(recs.map((r) => r.provider)), new Set(['openai', 'anthropic', 'gemini', 'mistral']));
  assert.ok(recs.filter((r) => (r.usage?.cache_read_tokens ?? 0) > 0).length > 1000);
  assert.ok(recs.some((r) => (r.usage?.cache_write_tokens ?? 0) > 0));
  assert.ok(recs.some((r) => (r.usage?.reasoning_tokens ?? 0) > 0));

  // Every call with usage is priced by the book except the unknown fine-tune, which is unpriced, not $0.
  const unpriced = recs.filter((r) => r.usage && !r.priced);
  assert.ok(unpriced.length > 50);
  assert.deepEqual(new Set(unpriced.map((r) => r.model)), new Set(['mistral-7b-ft-acme-internal']));
  assert.ok(unpriced.every((r) => r.cost === null && r.unpriced_reason));
  for (const r of recs.filter((x) => x.priced).slice(0, 200)) assert.ok(Decimal.parse(r.cost?.total ?? 'x').cmp(Decimal.ZERO) > 0, r.model ?? '');

  const unattributed = recs.filter((r) => r.attribution.team === null).length / recs.length;
  assert.ok(unattributed > 0.02 && unattributed < 0.08, String(unattributed));

  // Weekly and daily seasonality.
  const byDow = new Array(7).fill(0) as number[];
  const byHour = new Array(24).fill(0) as number[];
  for (const r of recs) {
    const d = new Date(r.started_at);
    byDow[d.getUTCDay()] = (byDow[d.getUTCDay()] ?? 0) + 1;
    byHour[d.getUTCHours()] = (byHour[d.getUTCHours()] ?? 0) + 1;
  }
  assert.ok((byDow[3] ?? 0) > 1.7 * (byDow[0] ?? 0), `weekday vs Sunday ${byDow}`);
  assert.ok((byHour[14] ?? 0) > 2.5 * (byHour[3] ?? 0), `afternoon vs night ${byHour}`);

  const launch = plan.incidents.find((i) => i.kind === 'launch_spike');
  const storm = plan.incidents.find((i) => i.kind === 'retry_storm');
  assert.ok(launch && storm);
  const compose = recs.filter((r) => r.attribution.feature === 'smart-compose');
  assert.ok(compose.every((r) => r.started_at >= launch.from), 'nothing before the launch');
  const perDay = (from: number, to: number) => compose.filter((r) => Date.parse(r.started_at) >= from && Date.parse(r.started_at) < to).length;
  const l = Date.parse(launch.from);
  assert.ok(perDay(l, l + 86_400_000) > 2.5 * perDay(l + 5 * 86_400_000, l + 6 * 86_400_000), 'spike then settle');
  assert.ok(calls.filter((c) => c.incident === 'launch_spike').every((c) => c.record.attribution.feature === 'smart-compose' && c.record.started_at < launch.to));

  const stormCalls = calls.filter((c) => c.incident === 'retry_storm').map((c) => c.record);
  assert.equal(stormCalls.length, 400);
  assert.ok(stormCalls.every((r) => r.trace_id === storm.scope.trace_id && r.key_id === storm.scope.key_id && r.started_at >= storm.from && r.started_at < storm.to));
  assert.ok(stormCalls.filter((r) => r.status === 'error').length > 200);
  assert.ok(stormCalls.filter((r) => r.status === 'error').every((r) => r.cost === null && r.usage === null));
});

test('costrail simulate fills the store once per seed, with a summary', () => {
  const data = tempDir('costrail-sim-');
  const run = () => spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), 'simulate', '--days', '3', '--requests', '500', '--start', '2026-10-01', '--data', data, '--json'], { encoding: 'utf8' });
  const first = run();
  assert.equal(first.status, 0, first.stderr);
  const s = JSON.parse(first.stdout) as { generated: number; inserted: number; cost: string; from: string; to: string; incidents: unknown[] };
  assert.equal(s.generated, 500);
  assert.equal(s.inserted, 500);
  assert.equal(s.from, '2026-10-01T00:00:00.000Z');
  assert.equal(s.to, '2026-10-04T00:00:00.000Z');
  assert.ok(Decimal.parse(s.cost).cmp(Decimal.ZERO) > 0);
  assert.equal(s.incidents.length, 2);
  const again = run();
  assert.equal(again.status, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { inserted: number }).inserted, 0);
  const bad = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), 'simulate', '--days', 'x', '--requests', '5', '--data', data], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^costrail: --days must be a positive integer/);
});
