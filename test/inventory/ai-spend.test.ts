/**
 * The one total never counts a dollar twice: the same OpenAI spend in the ledger, in a Costs API
 * import and as a card charge for prepaid credits counts once (the bill), while a ChatGPT
 * subscription on the card is added, and ledger days without a bill count from the ledger.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aiSpend } from '../../src/inventory/ai-spend.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import type { BilledLine } from '../../src/store/billed-line.js';
import type { ExpenseLine } from '../../src/store/spend-source.js';
import type { Store } from '../../src/store/store.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const billedLine = (n: number, day: string, amount: string): BilledLine => ({ provider: 'openai', account: 'proj_1', service: 'OpenAI API', model: 'gpt-4o', charge_kind: 'usage', token_class: 'input', quantity: null, unit: null, amount, currency: 'USD', amount_usd: amount, charge_start: `${day}T00:00:00.000Z`, charge_end: `${day}T23:59:59.999Z`, invoice_period: '2026-11', team: null, description: null, line: n });
const card = (n: number, over: Partial<ExpenseLine>): ExpenseLine => ({ line_hash: `c${n}`, file: 'card.csv', line: n, occurred_at: '2026-11-05T00:00:00.000Z', descriptor: 'OPENAI', amount: '50', currency: 'USD', amount_usd: '50', employee: 'ana@example.com', cost_centre: 'eng', memo: null, channel: 'card', state: 'matched', vendor: 'OpenAI', product: 'OpenAI API platform (prepaid credits / Enterprise invoice)', category: 'model_api', match_method: 'catalog', match_pattern: 'OPENAI [inferred]', ...over });

describe('ai-spend: one total, no dollar twice', () => {
  let store: Store;
  before(async () => {
    store = await DuckDbStore.open(tempDir('costrail-ai-spend-'));
    // Ledger: $10 of OpenAI on Nov 5 (billed too) and $2.5 on Nov 6 (no bill yet), team search.
    const rec = (i: number, started: string, total: string): LedgerRecord => {
      const r = makeRecord(i, { started_at: started, provider: 'openai' });
      return { ...r, cost: Object.assign({}, r.cost, { total }) as LedgerRecord['cost'] };
    };
    await store.insertRecords([rec(1, '2026-11-05T10:00:00.000Z', '4'), rec(2, '2026-11-05T11:00:00.000Z', '6'), rec(3, '2026-11-06T09:00:00.000Z', '2.5')]);
    // The Costs API import says Nov 5 cost $10.40.
    await store.billed.begin({ import_id: 'costs', format: 'openai-costs', source: 'openai-costs', file: 'costs.json' });
    await store.billed.append('costs', [billedLine(1, '2026-11-05', '10.4')]);
    await store.billed.commit('costs');
    // The card: $50 of OpenAI prepaid credits (pays for the usage above) and a $20 ChatGPT Plus.
    await store.inventory.insertLines([card(1, {}), card(2, { descriptor: 'OPENAI *CHATGPT SUBSCR', amount: '20', amount_usd: '20', vendor: 'OpenAI', product: 'ChatGPT Plus', category: 'chat_assistant', cost_centre: 'sales' })]);
  });
  after(() => store.close());

  it('counts the bill where it exists, the ledger elsewhere, subscriptions once, and prepaid credits never', async () => {
    const r = await aiSpend(store, { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', by: 'category' });
    assert.equal(r.total, '32.9');
    assert.deepEqual(r.parts, { ledger: '2.5', billed: '10.4', expenses: '20', seats: '0', gpu: '0' });
    assert.equal(r.excluded_prepaid, '50');
    assert.deepEqual(r.rows, [
      { key: 'chat_assistant', amount_usd: '20' },
      { key: 'model_api', amount_usd: '12.9' },
    ]);
  });

  it('splits the same total by team and channel', async () => {
    const team = await aiSpend(store, { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', by: 'team' });
    assert.deepEqual(team.rows, [
      { key: 'sales', amount_usd: '20' },
      { key: null, amount_usd: '10.4' },
      { key: 'search', amount_usd: '2.5' },
    ]);
    const channel = await aiSpend(store, { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', by: 'channel' });
    assert.deepEqual(channel.rows, [
      { key: 'card', amount_usd: '20' },
      { key: 'api_direct', amount_usd: '12.9' },
    ]);
  });

  it('without API usage for that provider, a prepaid-credit card charge is the only record of that spend and counts', async () => {
    const other = await DuckDbStore.open(tempDir('costrail-ai-spend-'));
    try {
      await other.inventory.insertLines([card(1, {})]);
      const r = await aiSpend(other, { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', by: 'vendor' });
      assert.deepEqual([r.excluded_prepaid, r.total, r.rows], ['0', '50', [{ key: 'OpenAI', amount_usd: '50' }]]);
    } finally {
      await other.close();
    }
  });
});
