/**
 * Spend sources discovered from finance data: every vendor/product/channel a matched expense line
 * names becomes a source (status `under_review`) unless one already exists — an existing source
 * keeps what the user set (status, owner, seats, renewal).
 */
import type { ExpenseLine, SpendSource } from '../store/spend-source.js';
import type { Store } from '../store/store.js';
import { spendSourceId } from './spend-source-id.js';

export async function ensureDiscoveredSources(store: Store, lines: readonly ExpenseLine[]): Promise<number> {
  const existing = new Set((await store.inventory.sources()).map((s) => s.source_id));
  let added = 0;
  for (const l of lines) {
    if (l.state !== 'matched' || !l.vendor || !l.product || !l.category) continue;
    const id = spendSourceId(l.vendor, l.product, l.channel);
    if (existing.has(id)) continue;
    existing.add(id);
    const source: SpendSource = { source_id: id, vendor: l.vendor, product: l.product, category: l.category, channel: l.channel, owner_team: null, owner_person: null, seats_purchased: null, seats_active: null, billing_model: null, run_rate_usd: null, renewal_date: null, status: 'under_review' };
    await store.inventory.upsertSource(source);
    added++;
  }
  return added;
}
