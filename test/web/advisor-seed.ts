/**
 * The Advisor page's data for `npm run screenshots`: a thinned copy of the planted month
 * (test/advisor/planted-month.ts: a background classification feature on gpt-4o, a support bot
 * re-sending a 3,000-token system prompt uncached, a nightly job sent one call at a time, a
 * summarizer asking max_tokens 4,096 to use 200), moved to the 30 days before `end` and priced
 * with the running server's price book, so the page shows every kind of finding.
 */
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { priceUsage } from '../../src/pricing/cost.js';
import type { PriceBook } from '../../src/pricing/price-book.js';
import type { Store } from '../../src/store/store.js';
import { MONTH_TO, plantedMonth } from '../advisor/planted-month.js';

/**
 * Which calls of each day are kept (of 100, 200, 50 and 100): support keeps every other call, so
 * its calls still come 4 minutes apart (inside the 5-minute cache) over the whole working day
 * rather than in one block that would look like a scheduled job.
 */
const KEEP: Record<string, (k: number) => boolean> = { classify: (k) => k < 20, support: (k) => k % 2 === 0, nightly: (k) => k < 10, summarize: (k) => k < 50 };

export async function seedAdvisor(store: Store, book: PriceBook, end = Date.now()): Promise<void> {
  const shift = Math.floor(end / 3_600_000) * 3_600_000 - Date.parse(MONTH_TO);
  const records: LedgerRecord[] = [];
  for (const r of plantedMonth()) {
    const [, feature, k] = /^(\w+)-\d+-(\d+)$/.exec(r.id) ?? [];
    if (!feature || !KEEP[feature]?.(Number(k))) continue;
    const at = new Date(Date.parse(r.started_at) + shift);
    const priced = priceUsage(book, { provider: r.provider, model: r.model!, usage: r.usage!, at });
    records.push({ ...r, id: `shot-advice-${r.id}`, started_at: at.toISOString(), ended_at: new Date(at.getTime() + 1500).toISOString(), cost: priced.cost, priced: priced.priced, price_version: priced.price_version, unpriced_reason: priced.reason ?? null });
  }
  await store.insertRecords(records);
}
