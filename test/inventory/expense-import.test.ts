/**
 * `import expenses` over a realistic month of card lines (test/inventory/expense-fixture.ts) into
 * the embedded store: vendor matches and how they were made, the review queue, ignored lines,
 * idempotence, currency conversion only with the user's rates, and refusal of bad input.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Decimal } from '../../src/pricing/decimal.js';
import { importExpensesFile } from '../../src/inventory/expense-import.js';
import { parseRates } from '../../src/inventory/expense-fields.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { expenseFixture } from './expense-fixture.js';

const dir = tempDir('costrail-expenses-');
const write = (name: string, text: string): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};
const open = async (): Promise<Store> => DuckDbStore.open(tempDir('costrail-expenses-store-'));

describe('import expenses: a month of card lines', () => {
  const fx = expenseFixture(3000);
  const file = write('card-2026-11.csv', fx.csv);
  let store: Store;
  before(async () => {
    store = await open();
  });
  after(() => store.close());

  it('matches AI vendors by catalog pattern, queues AI-looking unknowns, counts the rest', async () => {
    const r = await importExpensesFile(store, file);
    assert.equal(r.status, 'imported');
    assert.equal(r.rows, 3000);
    const aiLines = Object.values(fx.ai).reduce((n, v) => n + v.lines, 0);
    assert.ok(aiLines > 100 && fx.ignored > 2000, 'the fixture is mostly not AI, with real AI in it');
    assert.deepEqual([r.matched, r.matched_by.catalog, r.matched_by.rule, r.review, r.ignored, r.shared_bills], [aiLines, aiLines, 0, fx.review, fx.ignored, fx.shared]);
    assert.ok(fx.shared > 300 && fx.review > 10);
    const queued = await store.inventory.lines({ state: 'review' });
    assert.ok(queued.every((l) => l.match_method === null && ['ACME NEURAL LABS', 'GPTZERO HELPER', 'SP * WRITERLY AI'].includes(l.descriptor)));
    assert.equal(r.inserted, aiLines + fx.review);
    const matched = await store.inventory.lines({ state: 'matched' });
    for (const [vendor, want] of Object.entries(fx.ai)) {
      const mine = matched.filter((l) => l.vendor === vendor);
      assert.equal(mine.length, want.lines, vendor);
      assert.equal(Decimal.sum(mine.map((l) => Decimal.parse(l.amount_usd!))).toString(), Decimal.parse(want.usd).toString(), vendor);
      assert.ok(mine.every((l) => l.match_method === 'catalog' && l.match_pattern !== null && l.channel === 'card'));
    }
    const chatgpt = matched.find((l) => l.vendor === 'OpenAI');
    assert.deepEqual([chatgpt?.category, chatgpt?.match_pattern], ['chat_assistant', 'OPENAI *CHATGPT SUBSCR']);
    // The totals the report reads agree with the lines, to the cent.
    const totals = await store.inventory.totals({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' });
    const all = Decimal.sum(totals.map((t) => Decimal.parse(t.amount_usd)));
    assert.equal(all.toString(), Decimal.sum(Object.values(fx.ai).map((v) => Decimal.parse(v.usd))).toString());
    // Discovered sources, one per vendor/product on the card channel, under review.
    const sources = await store.inventory.sources();
    assert.equal(sources.length, Object.keys(fx.ai).length);
    assert.ok(sources.every((s) => s.status === 'under_review' && s.channel === 'card'));
  });

  it('re-importing the same file adds nothing', async () => {
    const before = (await store.inventory.lines()).length;
    const r = await importExpensesFile(store, file);
    assert.equal(r.inserted, 0);
    assert.equal((await store.inventory.lines()).length, before);
  });

  it('a user rule wins over the catalog and records itself as the way the match was made', async () => {
    await store.inventory.putRule({ pattern: 'ACME NEURAL', vendor: 'Acme', product: 'Acme Copilot', category: 'coding_assistant' });
    const f = write('rule.csv', 'Date,Merchant,Amount\n2026-11-20,ACME NEURAL LABS 555-0100,99.00\n2026-11-20,ANTHROPIC*PRO,20.00\n');
    const r = await importExpensesFile(store, f);
    assert.deepEqual(r.matched_by, { rule: 1, catalog: 1 });
    const acme = (await store.inventory.lines({ state: 'matched' })).find((l) => l.vendor === 'Acme');
    assert.deepEqual([acme?.match_method, acme?.match_pattern, acme?.amount_usd], ['rule', 'ACME NEURAL', '99']);
  });
});

describe('import expenses: currencies and bad input', () => {
  const eur = 'date,description,amount,currency,employee,cost center\n11/03/2026,OPENAI *CHATGPT SUBSCR,18.45,EUR,ana@example.com,sales\n11/04/2026,CLAUDE.AI,"1,020.10",GBP,ben@example.com,eng\n11/05/2026,UBER *TRIP,12.00,EUR,ana@example.com,sales\n';

  it('converts only with the user rate table; without one the line stays unconverted', async () => {
    const s1 = await open();
    const r1 = await importExpensesFile(s1, write('eur.csv', eur));
    assert.deepEqual([r1.matched, r1.unconverted, r1.unconverted_currencies, r1.ignored], [2, 2, ['EUR', 'GBP'], 1]);
    assert.deepEqual((await s1.inventory.lines()).map((l) => l.amount_usd), [null, null]);
    await s1.close();
    const s2 = await open();
    const r2 = await importExpensesFile(s2, write('eur2.csv', eur), { rates: parseRates(['EUR=1.08', 'gbp=1.2712']), channel: 'expense' });
    assert.equal(r2.unconverted, 0);
    const lines = await s2.inventory.lines();
    assert.deepEqual(lines.map((l) => [l.occurred_at.slice(0, 10), l.amount, l.currency, l.amount_usd, l.cost_centre, l.channel]), [
      ['2026-11-03', '18.45', 'EUR', '19.926', 'sales', 'expense'],
      ['2026-11-04', '1020.1', 'GBP', '1296.75112', 'eng', 'expense'],
    ]);
    await s2.close();
  });

  it('the line own USD amount is used when present', async () => {
    const s = await open();
    await importExpensesFile(s, write('usd.csv', 'Date,Merchant,Amount,Currency,Amount USD\n2026-11-03,CURSOR AI,18.45,EUR,19.99\n'));
    assert.equal((await s.inventory.lines())[0]?.amount_usd, '19.99');
    await s.close();
  });

  it('--map names a column the defaults do not know', async () => {
    const s = await open();
    const r = await importExpensesFile(s, write('map.csv', 'Posted,Payee Name,Debit,Card Member\n2026-11-03,PERPLEXITY AI,20,ana\n'), { map: ['Posted=date', 'Payee Name=descriptor', 'Debit=amount', 'Card Member=employee'] });
    assert.equal(r.matched, 1);
    assert.equal((await s.inventory.lines())[0]?.employee, 'ana');
    await s.close();
  });

  it('an invalid row refuses the whole file and stores nothing; --skip-invalid imports the rest', async () => {
    const s = await open();
    const bad = write('bad.csv', 'date,merchant,amount\n2026-11-03,OPENAI *CHATGPT SUBSCR,20\n2026-02-30,ANTHROPIC*PRO,20\n2026-11-04,CURSOR AI,1e9\n');
    const r = await importExpensesFile(s, bad);
    assert.equal(r.status, 'refused');
    assert.deepEqual(r.invalid.map((i) => i.line), [3, 4]);
    assert.equal((await s.inventory.lines()).length, 0);
    assert.equal((await s.inventory.sources()).length, 0);
    const ok = await importExpensesFile(s, bad, { skipInvalid: true });
    assert.deepEqual([ok.status, ok.inserted], ['imported', 1]);
    await assert.rejects(importExpensesFile(s, write('nodesc.csv', 'date,amount\n2026-11-03,5\n')), /no descriptor column/);
    assert.throws(() => parseRates(['EUR=-1']), /--rates/);
    await s.close();
  });
});
