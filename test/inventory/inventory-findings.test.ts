/** Findings with money: duplicate channels, unsanctioned vendors, overlapping tools, renewals — exact monthly dollars. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inventoryFindings } from '../../src/inventory/inventory-findings.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import type { ExpenseLine, SpendSource } from '../../src/store/spend-source.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

let n = 0;
const line = (vendor: string, category: ExpenseLine['category'], usd: string, employee: string, team: string, over: Partial<ExpenseLine> = {}): ExpenseLine => ({
  line_hash: `l${++n}`, file: 'x.csv', line: n, occurred_at: '2026-11-10T00:00:00.000Z', descriptor: vendor.toUpperCase(), amount: usd, currency: 'USD', amount_usd: usd,
  employee, cost_centre: team, memo: null, channel: 'expense', state: 'matched', vendor, product: vendor, category, match_method: 'catalog', match_pattern: vendor.toUpperCase(), ...over,
});
const source = (vendor: string, over: Partial<SpendSource>): SpendSource => ({
  source_id: `${vendor}/x/${over.channel ?? 'card'}`, vendor, product: vendor, category: 'chat_assistant', channel: 'card', owner_team: null, owner_person: null, seats_purchased: null, seats_active: null, billing_model: null, run_rate_usd: null, renewal_date: null, status: 'under_review', ...over,
});

describe('inventory findings', () => {
  let store: Store;
  before(async () => {
    store = await DuckDbStore.open(tempDir('costrail-findings-'));
    await store.inventory.upsertSource(source('OpenAI', { channel: 'ap_invoice', status: 'sanctioned', seats_purchased: 150, seats_active: 112, run_rate_usd: '9000', renewal_date: '2026-12-20', owner_team: 'it' }));
    await store.inventory.upsertSource(source('Cursor', { category: 'coding_assistant', status: 'unsanctioned' }));
    await store.inventory.upsertSource(source('Jasper', { category: 'content', renewal_date: '2027-03-01', run_rate_usd: '49' }));
    await store.inventory.insertLines([
      line('OpenAI', 'chat_assistant', '20', 'ana@example.com', 'sales'),
      line('OpenAI', 'chat_assistant', '20', 'ben@example.com', 'sales'),
      line('OpenAI', 'chat_assistant', '20', 'ben@example.com', 'sales', { occurred_at: '2026-10-15T00:00:00.000Z' }),
      line('Cursor', 'coding_assistant', '40.5', 'cy@example.com', 'eng', { channel: 'card' }),
      line('GitHub', 'coding_assistant', '19', 'dee@example.com', 'eng', { channel: 'card' }),
      line('Jasper', 'content', '49', 'eve@example.com', 'marketing'),
      line('Midjourney', 'content', '30', 'fay@example.com', 'marketing'),
      line('Midjourney', 'content', '999', 'fay@example.com', 'marketing', { state: 'review', vendor: null }),
    ]);
  });
  after(() => store.close());

  it('prices each finding with the 30 days before as_of', async () => {
    const f = await inventoryFindings(store, '2026-12-01T00:00:00Z');
    assert.deepEqual(
      f.map((x) => [x.kind, x.vendor ?? x.team, x.monthly_usd]),
      [
        ['unsanctioned_vendor', 'Cursor', '40.5'],
        ['duplicate_channel', 'OpenAI', '40'],
        ['overlapping_tools', 'eng', '19'],
        ['overlapping_tools', 'marketing', '30'],
        ['renewal', 'OpenAI', '9000'],
      ],
    );
    assert.match(f[1]!.detail, /2 people pay OpenAI individually/);
    assert.match(f[4]!.detail, /112 of 150 seats active/);
  });

  it('an earlier as_of moves the window: only October charges count, and renewals 60+ days out do not appear', async () => {
    const f = await inventoryFindings(store, '2026-11-05T00:00:00Z');
    assert.deepEqual(f.map((x) => [x.kind, x.vendor, x.monthly_usd]), [
      ['duplicate_channel', 'OpenAI', '20'],
      ['renewal', 'OpenAI', '9000'],
    ]);
    assert.deepEqual((await inventoryFindings(store, '2026-10-01T00:00:00Z')).map((x) => x.kind), []);
  });
});
