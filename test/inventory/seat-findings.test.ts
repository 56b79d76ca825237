/** Seat lists: import links seats to spend sources; idle seats and duplicates come out with exact monthly dollars. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inventoryFindings } from '../../src/inventory/inventory-findings.js';
import { importSeatsFile } from '../../src/inventory/seat-import.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import type { ExpenseLine } from '../../src/store/spend-source.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const expense = (n: number, employee: string, vendor: string, category: ExpenseLine['category'], usd: string): ExpenseLine => ({
  line_hash: `e${n}`, file: 'card.csv', line: n, occurred_at: '2026-11-10T00:00:00.000Z', descriptor: vendor.toUpperCase(), amount: usd, currency: 'USD', amount_usd: usd,
  employee, cost_centre: 'eng', memo: null, channel: 'card', state: 'matched', vendor, product: vendor, category, match_method: 'catalog', match_pattern: vendor.toUpperCase(),
});

describe('seat lists', () => {
  let store: Store;
  let dir: string;
  before(async () => {
    dir = tempDir('costrail-seats-');
    store = await DuckDbStore.open(dir);
  });
  after(() => store.close());

  it('refuses a file with a bad date and stores nothing', async () => {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(file, 'Tool,Email,Team,Last Active\nCursor,a@x.com,eng,2026-13-40\n');
    const r = await importSeatsFile(store, file);
    assert.equal(r.status, 'refused');
    assert.equal(r.invalid[0]?.line, 2);
    assert.deepEqual(await store.inventory.seats(), []);
  });

  it('links seats to sources and prices idle seats and duplicates exactly', async () => {
    const file = path.join(dir, 'seats.csv');
    const rows = ['Tool,Email,Team,Last Active'];
    // Cursor: 10 seats, 3 idle (two stale, one never). GitHub Copilot: 4 seats, 2 shared with Cursor holders.
    for (let i = 0; i < 10; i++) rows.push(`Cursor,Dev${i}@Example.com,eng,${i < 2 ? '2026-10-01' : i === 2 ? 'never' : '2026-11-25T09:00:00Z'}`);
    for (let i = 0; i < 4; i++) rows.push(`GitHub Copilot,dev${i + 8}@example.com,eng,2026-11-28`);
    rows.push('ChatGPT,ana@example.com,sales,2026-11-29');
    fs.writeFileSync(file, rows.join('\n') + '\n');
    const r = await importSeatsFile(store, file);
    assert.equal(r.status, 'imported');
    assert.equal(r.seats, 15);
    assert.deepEqual(r.by_source, { 'anysphere/cursor-pro-pro-ultra-teams-usage-based/ap-invoice': 10, 'github-microsoft/github-copilot-pro-pro-business-enterprise-ai-credits/ap-invoice': 4, 'openai/chatgpt-plus-pro-business-enterprise/ap-invoice': 1 });
    const sources = await store.inventory.sources();
    // Run-rates a user sets: Cursor $400 for 10 seats ($40), Copilot $39 × 4, ChatGPT Enterprise $60.
    const rate: Record<string, string> = { Anysphere: '400', 'GitHub (Microsoft)': '156', OpenAI: '60' };
    for (const s of sources) await store.inventory.upsertSource({ ...s, run_rate_usd: rate[s.vendor] ?? null, status: 'sanctioned' });
    await store.inventory.insertLines([expense(1, 'ana@example.com', 'OpenAI', 'chat_assistant', '20'), expense(2, 'dev5@example.com', 'Anthropic', 'coding_assistant', '100'), expense(3, 'zed@example.com', 'Anthropic', 'coding_assistant', '17')]);
    const f = (await inventoryFindings(store, '2026-12-01T00:00:00Z')).filter((x) => x.kind === 'idle_seats' || x.kind === 'duplicate_seat' || x.kind === 'duplicate_channel');
    assert.deepEqual(f.map((x) => [x.kind, x.vendor, x.monthly_usd]), [
      ['idle_seats', 'Anysphere', '120'],
      ['duplicate_seat', 'Anysphere + GitHub (Microsoft)', '78'],
      ['duplicate_seat', 'Anthropic', '100'],
      ['duplicate_seat', 'OpenAI', '20'],
    ]);
    assert.match(f[0]!.detail, /3 of 10 .* seats had no activity/);
  });
});
