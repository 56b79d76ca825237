/**
 * The AI spend inventory tables: one conformance suite, run against the embedded DuckDB store and
 * the PostgreSQL store (a schema of its own, dropped afterwards). With CI=true an unreachable
 * PostgreSQL fails the run.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { ExpenseLine, GpuUsageLine, SeatAssignment, SpendSource } from '../../src/store/spend-source.js';
import type { Store } from '../../src/store/store.js';
import { dropSchemas, PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

function expense(n: number, over: Partial<ExpenseLine> = {}): ExpenseLine {
  return {
    line_hash: `h${n}`,
    file: 'card.csv',
    line: n,
    occurred_at: '2026-11-05T00:00:00.000Z',
    descriptor: 'OPENAI *CHATGPT SUBSCR',
    amount: '20',
    currency: 'USD',
    amount_usd: '20',
    employee: 'ana@example.com',
    cost_centre: 'sales',
    memo: null,
    channel: 'expense',
    state: 'matched',
    vendor: 'OpenAI',
    product: 'ChatGPT Plus / Pro / Business / Enterprise',
    category: 'chat_assistant',
    match_method: 'catalog',
    match_pattern: 'OPENAI *CHATGPT SUBSCR',
    ...over,
  };
}

const source: SpendSource = {
  source_id: 'openai/chatgpt-enterprise/ap_invoice',
  vendor: 'OpenAI',
  product: 'ChatGPT Enterprise',
  category: 'chat_assistant',
  channel: 'ap_invoice',
  owner_team: 'it',
  owner_person: 'cio@example.com',
  seats_purchased: 150,
  seats_active: 112,
  billing_model: 'seat',
  run_rate_usd: '9000.000000000000000001',
  renewal_date: '2027-01-15',
  status: 'sanctioned',
};

function inventoryConformance(name: string, open: () => Promise<Store>): void {
  describe(`AI spend inventory: ${name}`, () => {
    const opened: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const s = await open();
      opened.push(s);
      return s;
    };
    after(async () => {
      for (const s of opened) await s.close();
    });

    it('spend sources round-trip exactly and upsert by id', async () => {
      const s = await fresh();
      await s.inventory.upsertSource(source);
      const bare: SpendSource = { ...source, source_id: 'cursor/cursor/card', vendor: 'Cursor', product: 'Cursor', category: 'coding_assistant', channel: 'card', owner_team: null, owner_person: null, seats_purchased: null, seats_active: null, billing_model: null, run_rate_usd: null, renewal_date: null, status: 'under_review' };
      await s.inventory.upsertSource(bare);
      assert.deepEqual(await s.inventory.sources(), [bare, source]);
      await s.inventory.upsertSource({ ...bare, status: 'unsanctioned', run_rate_usd: '40' });
      assert.deepEqual((await s.inventory.sources()).map((x) => [x.source_id, x.status, x.run_rate_usd]), [
        ['cursor/cursor/card', 'unsanctioned', '40'],
        [source.source_id, 'sanctioned', '9000.000000000000000001'],
      ]);
    });

    it('expense lines round-trip every field and re-inserting a hash adds nothing', async () => {
      const s = await fresh();
      const lines = [
        expense(1),
        expense(2, { amount: '17.5', currency: 'EUR', amount_usd: null, employee: null, cost_centre: null, memo: 'tab\there, "quoted"\nand \'\'', state: 'review', vendor: null, product: null, category: null, match_method: null, match_pattern: null }),
        expense(3, { amount: '-20', amount_usd: '-20', descriptor: 'OPENAI *CHATGPT SUBSCR REFUND', occurred_at: '2026-11-06T00:00:00.000Z' }),
      ];
      assert.equal(await s.inventory.insertLines(lines), 3);
      assert.deepEqual(await s.inventory.lines(), lines);
      // The same file again, plus one new line, and a duplicate inside the batch itself.
      assert.equal(await s.inventory.insertLines([...lines, expense(4), expense(4)]), 1);
      assert.equal((await s.inventory.lines()).length, 4);
      assert.deepEqual((await s.inventory.lines({ state: 'review' })).map((l) => l.line_hash), ['h2']);
      assert.deepEqual((await s.inventory.lines({ from: '2026-11-06T00:00:00Z', to: '2026-11-07T00:00:00Z' })).map((l) => l.line_hash), ['h3']);
    });

    it('over 500 lines insert in batches within one call', async () => {
      const s = await fresh();
      assert.equal(await s.inventory.insertLines(Array.from({ length: 1234 }, (_v, i) => expense(i + 1))), 1234);
      assert.equal(await s.inventory.insertLines(Array.from({ length: 1300 }, (_v, i) => expense(i + 1))), 66);
    });

    it('review decisions confirm (manual match) or reject a queued line', async () => {
      const s = await fresh();
      await s.inventory.insertLines([expense(1, { state: 'review', vendor: null, product: null, category: null, match_method: null, match_pattern: null, descriptor: 'SP * NOTION LABS' }), expense(2, { state: 'review', vendor: null, product: null, category: null, match_method: null, match_pattern: null })]);
      assert.equal(await s.inventory.decide('h1', { confirm: { vendor: 'Notion', product: 'Notion AI', category: 'content' } }), true);
      assert.equal(await s.inventory.decide('h2', { reject: true }), true);
      assert.equal(await s.inventory.decide('missing', { reject: true }), false);
      const [a, b] = await s.inventory.lines();
      assert.deepEqual([a?.state, a?.vendor, a?.match_method], ['matched', 'Notion', 'manual']);
      assert.deepEqual([b?.state, b?.match_method], ['rejected', 'manual']);
    });

    it('totals sum matched USD exactly by vendor, channel, cost centre and day; review and rejected lines never count', async () => {
      const s = await fresh();
      const tiny = Array.from({ length: 1500 }, (_v, i) => expense(i + 1, { amount: '0.000000000000000001', amount_usd: '0.000000000000000001' }));
      await s.inventory.insertLines([
        ...tiny,
        expense(2001, { amount: '100', currency: 'EUR', amount_usd: null }),
        expense(2002, { state: 'review', amount_usd: '999' }),
        expense(2003, { state: 'rejected', amount_usd: '999' }),
        expense(2004, { cost_centre: null, amount_usd: '0.1' }),
        expense(2005, { occurred_at: '2026-11-07T00:00:00.000Z', amount_usd: '5' }),
      ]);
      const totals = await s.inventory.totals({ from: '2026-11-05T00:00:00Z', to: '2026-11-06T00:00:00Z' });
      assert.deepEqual(
        totals.map((t) => [t.vendor, t.cost_centre, t.day, t.amount_usd, t.lines, t.unconverted_lines]),
        [
          ['OpenAI', 'sales', '2026-11-05', '0.0000000000000015', 1501, 1],
          ['OpenAI', null, '2026-11-05', '0.1', 1, 0],
        ],
      );
    });

    it('user rules upsert by pattern', async () => {
      const s = await fresh();
      await s.inventory.putRule({ pattern: 'ACME AI', vendor: 'Acme', product: 'Acme Copilot', category: 'coding_assistant' });
      await s.inventory.putRule({ pattern: 'ACME AI', vendor: 'Acme', product: 'Acme Chat', category: 'chat_assistant' });
      assert.deepEqual(await s.inventory.rules(), [{ pattern: 'ACME AI', vendor: 'Acme', product: 'Acme Chat', category: 'chat_assistant' }]);
    });

    it('seat lists round-trip and a re-imported person replaces their seat (over 500 in one call)', async () => {
      const s = await fresh();
      const seat = (n: number, over: Partial<SeatAssignment> = {}): SeatAssignment => ({ source_id: 'cursor/cursor-business/ap-invoice', person: `p${String(n).padStart(4, '0')}@example.com`, team: 'eng', last_active_at: '2026-11-20T13:45:00.000Z', file: 'seats.csv', ...over });
      const seats = Array.from({ length: 620 }, (_v, i) => seat(i, i === 3 ? { team: null, last_active_at: null } : {}));
      assert.equal(await s.inventory.putSeats(seats), 620);
      assert.deepEqual(await s.inventory.seats('cursor/cursor-business/ap-invoice'), seats);
      await s.inventory.putSeats([seat(3, { last_active_at: '2026-11-29T00:00:00.000Z' }), seat(1, { source_id: 'openai/chatgpt-enterprise/ap-invoice' })]);
      const all = await s.inventory.seats();
      assert.equal(all.length, 621);
      assert.equal(all.find((x) => x.person === 'p0003@example.com')?.last_active_at, '2026-11-29T00:00:00.000Z');
      assert.deepEqual((await s.inventory.seats('openai/chatgpt-enterprise/ap-invoice')).map((x) => x.person), ['p0001@example.com']);
    });

    it('GPU usage round-trips exact hours and dollars, windows by day, and re-inserting a hash adds nothing', async () => {
      const s = await fresh();
      const gpu = (n: number, over: Partial<GpuUsageLine> = {}): GpuUsageLine => ({ usage_hash: `g${n}`, file: 'gpu.csv', line: n, day: '2026-11-05', instance_type: 'p5.48xlarge', gpu_hours: '192.5', busy_hours: '150.000000000000000001', hourly_usd: '12.29', cost_usd: '2365.825', model: 'llama-3.1-70b', input_tokens: 9_000_000_123, output_tokens: 1_500_000, team: 'platform', vendor: 'CoreWeave', ...over });
      const lines = [gpu(1), gpu(2, { day: '2026-11-06', busy_hours: null, model: null, input_tokens: 0, output_tokens: 0, team: null, vendor: null })];
      assert.equal(await s.inventory.insertGpuUsage(lines), 2);
      assert.equal(await s.inventory.insertGpuUsage([...lines, gpu(3), gpu(3)]), 1);
      assert.deepEqual(await s.inventory.gpuUsage({ from: '2026-11-05T00:00:00Z', to: '2026-11-06T00:00:00Z' }), [lines[0], gpu(3)]);
      assert.deepEqual((await s.inventory.gpuUsage({ from: '2026-11-06T00:00:00Z', to: '2026-11-07T00:00:00Z' })).map((l) => l.usage_hash), ['g2']);
    });
  });
}

inventoryConformance('embedded DuckDB', () => DuckDbStore.open(tempDir('costrail-inventory-')));

const available = await postgresAvailable('the inventory conformance tests');
if (available) {
  const run = `costrail_inventory_${process.pid}_${randomBytes(3).toString('hex')}`;
  const schemas: string[] = [];
  after(() => dropSchemas(schemas));
  inventoryConformance('PostgreSQL', () => {
    const schema = `${run}_${schemas.length}`;
    schemas.push(schema);
    return PostgresStore.open(PG_URL, { schema, maxConnections: 3 });
  });
}
