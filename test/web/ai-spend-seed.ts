/**
 * Card and expense lines for the dashboard's All AI spend page: a month to date of AI
 * subscriptions across teams (imported through the real importer, so matching, review and
 * sources are as a user would see them), one vendor marked unsanctioned (shadow), a sanctioned
 * Copilot seat plan with idle seats, and AI-looking unknowns waiting in the review queue.
 */
import fs from 'node:fs';
import path from 'node:path';
import { importExpensesFile } from '../../src/inventory/expense-import.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const DAY = 86_400_000;

/** [descriptor, amount, employee, cost centre] — matched by the built-in catalog. */
const LINES: readonly (readonly [string, string, string, string])[] = [
  ['OPENAI *CHATGPT SUBSCR', '20.00', 'ana@example.com', 'sales'],
  ['OPENAI *CHATGPT SUBSCR', '20.00', 'raj@example.com', 'sales'],
  ['OPENAI *CHATGPT SUBSCR', '20.00', 'mia@example.com', 'marketing'],
  ['ANTHROPIC*PRO', '20.00', 'leo@example.com', 'research'],
  ['ANTHROPIC*PRO', '20.00', 'kim@example.com', 'engineering'],
  ['PADDLE.NET* CURSOR', '40.00', 'ben@example.com', 'engineering'],
  ['PADDLE.NET* CURSOR', '40.00', 'cy@example.com', 'engineering'],
  ['PADDLE.NET* CURSOR', '20.00', 'dee@example.com', 'engineering'],
  ['MIDJOURNEY INC.', '30.00', 'mia@example.com', 'marketing'],
  ['MIDJOURNEY INC.', '60.00', 'sam@example.com', 'marketing'],
  ['OTTER.AI', '16.99', 'raj@example.com', 'sales'],
  ['JASPER.AI', '49.00', 'mia@example.com', 'marketing'],
  ['PERPLEXITY AI', '20.00', 'leo@example.com', 'research'],
  ['FIREFLIES.AI', '18.00', 'ana@example.com', 'sales'],
];
/** AI-looking, unknown to the catalog: the review queue. */
export const QUEUED: readonly (readonly [string, string, string, string])[] = [
  ['ACME NEURAL LABS 4411', '45.00', 'eve@example.com', 'support'],
  ['SP * WRITERLY AI', '12.00', 'mia@example.com', 'marketing'],
];
const ORDINARY: readonly (readonly [string, string, string, string])[] = [
  ['UBER *TRIP HELP.UBER.COM', '31.20', 'ana@example.com', 'sales'],
  ['DELTA AIR 0062341234', '412.80', 'leo@example.com', 'research'],
  ['STARBUCKS #10234 SEATTLE WA', '7.45', 'ben@example.com', 'engineering'],
];

/** Days of the current UTC month up to today, spread over the lines. */
function dayOf(i: number, now: number): string {
  const today = Math.floor(now / DAY) * DAY;
  const d = new Date(today);
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const days = Math.round((today - monthStart) / DAY) + 1;
  return new Date(monthStart + ((i * 7) % days) * DAY).toISOString().slice(0, 10);
}

export async function seedAiSpend(store: Store, now = Date.now()): Promise<void> {
  const rows = [...LINES, ...QUEUED, ...ORDINARY].map(([desc, amount, who, team], i) => `${dayOf(i, now)},"${desc}",${amount},USD,${who},${team}`);
  const file = path.join(tempDir('costrail-ai-spend-seed-'), 'card-export.csv');
  fs.writeFileSync(file, `Date,Merchant,Amount,Currency,Cardholder,Department\n${rows.join('\n')}\n`);
  const result = await importExpensesFile(store, file, { fileLabel: 'card-export.csv' });
  if (result.status !== 'imported') throw new Error(`seed import refused: ${JSON.stringify(result.invalid)}`);
  // Marketing's image tool was never approved: shadow spend. ChatGPT and Claude are approved.
  for (const s of await store.inventory.sources()) {
    if (s.vendor === 'Midjourney') await store.inventory.upsertSource({ ...s, status: 'unsanctioned' });
    if (s.vendor === 'OpenAI' || s.vendor === 'Anthropic') await store.inventory.upsertSource({ ...s, status: 'sanctioned' });
  }
  // A sanctioned Copilot plan (an annual commitment on invoice, so no run-rate accrues in the total
  // and the figures stay exact whenever the seed runs) with five seats, two idle for over a month.
  const renewal = new Date(now + 40 * DAY).toISOString().slice(0, 10);
  await store.inventory.upsertSource({ source_id: 'github/copilot-business/ap-invoice', vendor: 'GitHub (Microsoft)', product: 'Copilot Business', category: 'coding_assistant', channel: 'ap_invoice', owner_team: 'engineering', owner_person: null, seats_purchased: 5, seats_active: 3, billing_model: 'commit', run_rate_usd: '95.00', renewal_date: renewal, status: 'sanctioned' });
  const active = new Date(now - 2 * DAY).toISOString();
  const idle = new Date(now - 45 * DAY).toISOString();
  await store.inventory.putSeats(
    ([
      ['ben@example.com', active],
      ['cy@example.com', active],
      ['kim@example.com', active],
      ['ola@example.com', idle],
      ['pat@example.com', null],
    ] as const).map(([person, at]) => ({ source_id: 'github/copilot-business/ap-invoice', person, team: 'engineering', last_active_at: at, file: 'copilot-seats.csv' })),
  );
}
