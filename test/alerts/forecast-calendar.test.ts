/**
 * The forecast projects on the calendar it is asked for: the viewer's zone (the dashboard), a
 * budget's own zone (forecast-breach alerts), UTC by default; and "as of" an instant, so the
 * dashboard, the API and the CLI give one figure for the same data and time.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertService } from '../../src/alerts/alert-service.js';
import { periodBounds } from '../../src/alerts/forecast.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { makeRecord } from '../store/ledger-fixtures.js';

const cost = (total: string) => ({ total, input: total, cache_read: '0', cache_write: '0', output: '0', reasoning: '0', audio: '0', image: '0', tools: '0', other: '0', currency: 'USD' as const, source: 'price_book' as const });

let dir: string;
let store: DuckDbStore;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'costrail-forecast-'));
  store = await DuckDbStore.open(dir);
  await store.insertRecords([
    // 31 Oct 22:00 in New York, already 1 Nov in UTC.
    makeRecord(0, { id: 'edge', started_at: '2026-11-01T02:00:00.000Z', cost: cost('5') }),
    makeRecord(1, { id: 'mid', started_at: '2026-11-10T12:00:00.000Z', cost: cost('7') }),
    makeRecord(2, { id: 'later', started_at: '2026-11-20T12:00:00.000Z', cost: cost('11') }),
  ]);
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('period bounds follow the zone: a New York month starts at its local midnight', () => {
  const at = Date.parse('2026-11-15T12:00:00Z');
  assert.deepEqual(periodBounds('month', at), { start: Date.parse('2026-11-01T00:00:00Z'), end: Date.parse('2026-12-01T00:00:00Z') });
  assert.deepEqual(periodBounds('month', at, 'America/New_York'), { start: Date.parse('2026-11-01T04:00:00Z'), end: Date.parse('2026-12-01T05:00:00Z') });
  assert.deepEqual(periodBounds('day', at, 'Asia/Kolkata'), { start: Date.parse('2026-11-14T18:30:00Z'), end: Date.parse('2026-11-15T18:30:00Z') });
});

test('spent so far is the exact ledger sum in the asked zone, as of the asked instant', async () => {
  const svc = new AlertService(store);
  const at = Date.parse('2026-11-15T00:00:00Z');
  const utc = await svc.forecast({}, 'month', at, 'UTC');
  const ny = await svc.forecast({}, 'month', at, 'America/New_York');
  assert.equal(Decimal.parse(utc.spent_exact).toString(), '12', 'UTC November has the 02:00Z call and the 10th, not the 20th (after "at")');
  assert.equal(Decimal.parse(ny.spent_exact).toString(), '7', "New York's November starts after the 02:00Z call");
  assert.equal(ny.tz, 'America/New_York');
  assert.equal(ny.period_start, '2026-11-01T04:00:00.000Z');
  assert.ok(ny.projected >= ny.spent && ny.low <= ny.projected && ny.projected <= ny.high);
  // Same data, same instant, same zone: the same figure, every time.
  assert.deepEqual(await svc.forecast({}, 'month', at, 'America/New_York'), ny);
});
