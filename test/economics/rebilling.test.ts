/** The rebilling export: cost plus a markup, or a per-token rate card; exact, and never billing an unknown at $0. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildRebilling, rebillingCsv, rateCardSchema } from '../../src/economics/rebilling.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { makeRecord, makeUnpricedRecord } from '../store/ledger-fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const WINDOW = { from: '2026-11-22T00:00:00Z', to: '2026-11-23T00:00:00Z' };

describe('rebilling export', () => {
  let rt: CostrailRuntime;
  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-rebilling-'), quiet: true, upstreams: {} });
    const priced = (i: number, cost: string) => ({ ...makeRecord(i), model: 'm-a', cost: { ...makeRecord(i).cost!, total: cost } });
    // Each call: 176 input, 85 output, 1024 cache-read tokens.
    await rt.store.insertRecords([priced(1, '0.10'), priced(2, '0.20'), makeUnpricedRecord(3)]);
  });
  after(() => rt.close());

  it('cost plus: exact markup, unpriced calls counted and not billed', async () => {
    const e = await buildRebilling(rt.store, { ...WINDOW, markup_pct: '20' });
    assert.deepEqual(e.rows.map((r) => [r.customer, r.model, r.calls, r.unpriced_calls, r.cost, r.billed]), [
      ['acme', 'acme-private-llm', 1, 1, '0', '0'],
      ['acme', 'm-a', 2, 0, '0.3', '0.36'],
    ]);
    assert.deepEqual(e.customers, [{ customer: 'acme', cost: '0.3', billed: '0.36', unpriced_calls: 1 }]);
    assert.equal(rebillingCsv(e).split('\r\n')[2], 'acme,m-a,2,0,352,170,2048,0,0.3,0.36');
  });

  it('rate card: every call billed by its tokens; an uncovered model refuses the export', async () => {
    const card = rateCardSchema.parse({ default: { input_per_mtok: '3', output_per_mtok: 15 }, models: { 'm-a': { input_per_mtok: '1', output_per_mtok: '2' } } });
    const e = await buildRebilling(rt.store, { ...WINDOW, rate_card: card });
    // m-a: (352×1 + 170×2 + 2048×1) / 1e6; the unpriced model at the default: (176×3 + 85×15 + 1024×3) / 1e6.
    assert.deepEqual(e.rows.map((r) => r.billed), ['0.004875', '0.00274']);
    assert.equal(e.mode, 'rate_card');
    const partial = rateCardSchema.parse({ models: { 'm-a': { input_per_mtok: '1', output_per_mtok: '2' } } });
    await assert.rejects(buildRebilling(rt.store, { ...WINDOW, rate_card: partial }), /acme-private-llm/);
    await assert.rejects(buildRebilling(rt.store, { ...WINDOW, rate_card: card, markup_pct: '5' }), /two pricing modes/);
    await assert.rejects(buildRebilling(rt.store, { ...WINDOW, markup_pct: 'lots' }), RangeError);
    assert.throws(() => rateCardSchema.parse({ default: { input_per_mtok: '-1', output_per_mtok: '1' } }));
  });

  it('POST /api/economics/rebilling answers CSV or JSON, admin only', async () => {
    const res = await fetch(`${rt.url}/api/economics/rebilling`, { method: 'POST', headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...WINDOW, markup_pct: 10, format: 'csv' }) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(await res.text(), /acme,m-a,2,0,352,170,2048,0,0\.3,0\.33\r\n/);
    const bad = await fetch(`${rt.url}/api/economics/rebilling`, { method: 'POST', headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...WINDOW, markup_pct: 10, rate_card: { default: { input_per_mtok: 1, output_per_mtok: 1 } } }) });
    assert.equal(bad.status, 400);
    await bad.text();
  });
});
