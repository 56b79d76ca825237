/**
 * Conformance for the rollups (issue 15): whatever a store pre-sums, `getSpend` must answer
 * exactly what the raw ledger says, after writer batches (with replays), an import, re-pricing
 * (priced → unpriced and back) and retention with a cutoff in the middle of an hour. The raw
 * answer is computed here from the records the store still holds (scanRecords) with Decimal, so
 * it is independent of either engine's SQL.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { importLedgerFile, storeImportSink } from '../../src/ledger/ledger-import-file.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { Decimal } from '../../src/pricing/decimal.js';
import type { SpendQuery, Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeRecord } from './ledger-fixtures.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 9, 30, 20, 0, 0);

/** 300 records over ~4 days, 17 minutes apart: unattributed, unpriced and refused-like calls mixed in. */
export function records(prefix: string, count: number, startMs: number): LedgerRecord[] {
  const teams = ['search', 'ads', null];
  const models = ['gpt-4o', 'claude', 'gemini'];
  return Array.from({ length: count }, (_, i) => {
    const r = makeRecord(i, { started_at: new Date(startMs + i * 17 * 60_000 + (i % 5) * 1001).toISOString(), model: models[i % 3]! });
    const unpriced = i % 11 === 0;
    const noTokens = i % 23 === 0;
    return {
      ...r,
      id: `${prefix}-${String(i).padStart(5, '0')}`,
      status: i % 13 === 0 ? 'error' : 'ok',
      attribution: { ...r.attribution, team: teams[(i * 7) % 3]!, customer: i % 4 ? 'acme' : null, feature: i % 6 ? 'answer' : 'rank' },
      usage: noTokens ? null : r.usage,
      cost: unpriced ? null : { ...r.cost!, total: `0.${String((i * 7919) % 100000).padStart(5, '0')}000000000007` },
      priced: !unpriced,
      price_version: unpriced ? null : r.price_version,
      unpriced_reason: unpriced ? 'no price for model' : null,
    } as LedgerRecord;
  });
}

const DIM = (r: LedgerRecord, d: string): string | null => {
  const v = d in (r.attribution ?? {}) ? (r.attribution as Record<string, string | null | undefined>)[d] : (r as unknown as Record<string, unknown>)[d];
  return v === undefined || v === null ? null : String(v);
};

/** The reference answer: UTC hour/day buckets or none, summed exactly, one line per row (sorted). */
async function rawAnswer(store: Store, q: SpendQuery): Promise<string[]> {
  const rows = new Map<string, { cost: Decimal; n: number; unpriced: number; input: number; output: number }>();
  for await (const batch of store.scanRecords({ from: q.from, to: q.to, filters: q.filters ?? {} })) {
    for (const r of batch) {
      const at = Date.parse(r.started_at);
      const unit = q.granularity === 'hour' ? HOUR : q.granularity === 'day' ? 24 * HOUR : 0;
      const period = unit ? new Date(at - (at % unit)).toISOString() : '-';
      const key = `${period} ${JSON.stringify(Object.fromEntries((q.group_by ?? []).map((d) => [d, DIM(r, d)])))}`;
      const row = rows.get(key) ?? { cost: Decimal.ZERO, n: 0, unpriced: 0, input: 0, output: 0 };
      row.cost = r.cost ? row.cost.add(Decimal.parse(r.cost.total)) : row.cost;
      row.n += 1;
      row.unpriced += r.cost === null && r.usage?.input_tokens !== undefined && r.usage?.input_tokens !== null ? 1 : 0;
      row.input += r.usage?.input_tokens ?? 0;
      row.output += r.usage?.output_tokens ?? 0;
      rows.set(key, row);
    }
  }
  return [...rows].map(([k, v]) => `${k} ${v.cost.toString()} ${v.n}/${v.unpriced} ${v.input}/${v.output}`).sort();
}

async function storeAnswer(store: Store, q: SpendQuery): Promise<string[]> {
  const res = await store.getSpend(q);
  return res.rows.map((r) => `${r.period ?? '-'} ${JSON.stringify(r.groups)} ${r.cost} ${r.requests}/${r.unpriced_requests} ${r.input_tokens}/${r.output_tokens}`).sort();
}

const QUERIES: SpendQuery[] = [
  { group_by: ['team'], granularity: 'day' },
  { group_by: ['team', 'model'], granularity: 'hour', from: '2026-10-31T00:00:00Z', to: '2026-11-02T00:00:00Z' },
  { granularity: 'none', filters: { team: null } },
  { group_by: ['status', 'customer'], granularity: 'day', filters: { model: 'claude' } },
  // Bounds off the hour: the hours at the edges must come out exact too.
  { group_by: ['model'], from: '2026-10-31T03:30:00Z', to: '2026-11-01T11:07:00Z' },
  { group_by: ['feature'], granularity: 'hour', from: '2026-11-01T05:10:00Z', to: '2026-11-01T05:50:00Z' },
];

async function assertRollupsExact(store: Store, when: string): Promise<void> {
  for (const q of QUERIES) assert.deepEqual(await storeAnswer(store, q), await rawAnswer(store, q), `${when}: ${JSON.stringify(q)}`);
  const all = await store.getSpend({});
  assert.equal(all.total.requests, await store.countRecords(), `${when}: every record counted once`);
}

export function rollupConformance(fresh: () => Promise<Store>): void {
  it('rollups: spend equals the raw ledger after batches, replays, an import, re-pricing and retention', async () => {
    const store = await fresh();
    const recs = records('roll', 300, T0);
    // Writer batches, one replayed with new records (idempotent by id: counted once).
    await store.insertRecords(recs.slice(0, 120));
    await store.insertRecords(recs.slice(100, 200));
    await store.insertRecords(recs.slice(200));
    await assertRollupsExact(store, 'after ingest');

    // An import of the same hours (some ids already there) through `import ledger`'s path.
    const dir = tempDir('costrail-rollup-import-');
    const file = path.join(dir, 'ledger.jsonl');
    const lines = [...records('roll', 10, T0), ...records('imp', 60, T0 + 30 * 60_000)].map((r) =>
      JSON.stringify({ id: r.id, started_at: r.started_at, provider: r.provider, model: r.model, status: r.status, team: r.attribution.team, customer: r.attribution.customer, usage: { input_tokens: r.usage?.input_tokens ?? 0, output_tokens: r.usage?.output_tokens ?? 0 }, ...(r.cost ? { cost: { total: r.cost.total } } : {}) }),
    );
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const imported = await importLedgerFile(file, { skipInvalid: false, sink: storeImportSink(store, loadPriceBook({ dataDir: dir })), batchSize: 25 });
    assert.equal(imported.refused, false, JSON.stringify(imported.invalid));
    assert.equal(imported.inserted, 60);
    await assertRollupsExact(store, 'after import');

    // Re-pricing: priced → unpriced, unpriced → priced, and a new exact price.
    const changes = recs.slice(0, 90).map((r, i) => ({
      id: r.id,
      cost: i % 3 === 0 ? null : { ...makeRecord(0).cost!, total: `${i}.000000000000000001` },
      priced: i % 3 !== 0,
      price_version: i % 3 === 0 ? null : 'pv-2',
      unpriced_reason: i % 3 === 0 ? 'price withdrawn' : null,
    }));
    assert.ok((await store.updateCosts(changes, 'rollup conformance')) > 0);
    await assertRollupsExact(store, 'after re-pricing');

    // Retention with a cutoff 23 minutes into an hour, then the same records again (they come back).
    const cutoff = new Date(T0 + 40 * HOUR + 23 * 60_000).toISOString();
    const deleted = await store.deleteRecordsBefore(cutoff);
    assert.ok(deleted > 0);
    await assertRollupsExact(store, 'after retention');
    assert.deepEqual((await store.getSpend({ to: cutoff })).total, { cost: '0', requests: 0, unpriced_requests: 0 });
    await store.insertRecords(recs.slice(0, 40));
    await assertRollupsExact(store, 'after re-inserting retained records');

    // The queries above must actually have been answered from a rollup where a store keeps one.
    const probe = store as Store & { lastSpendFromRollup?: boolean };
    if (probe.lastSpendFromRollup !== undefined) {
      await store.getSpend({ group_by: ['team'], granularity: 'day', from: '2026-10-31T00:00:00Z', to: '2026-11-02T00:00:00Z' });
      assert.equal(probe.lastSpendFromRollup, true);
      await store.getSpend({ group_by: ['tag:experiment'] });
      assert.equal(probe.lastSpendFromRollup, false);
    }
  });
}
