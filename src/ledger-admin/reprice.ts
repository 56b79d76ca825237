/**
 * Re-pricing a period with the current price book and overrides (a negotiated discount
 * back-dated to the start of a contract, a corrected catalog price, a newly priced model).
 *
 * Which records: those with usage and a model. Imported records whose cost came from the other
 * logger (`source: "import"`, cost source `provider`) are kept as reported and skipped; gateway
 * records whose total is the provider's own reported charge keep that total (the parts are
 * re-derived around it). Each changed record keeps its previous total and price version in the
 * store's audit trail (ledger_cost_history) with the reason.
 *
 * Known limit: the record does not keep the service tier, batch flag or data-residency of the
 * call, so re-pricing applies standard rates to such calls; the per-model report shows any move.
 */
import type { LedgerRecord } from '../ledger/ledger-record.js';
import { priceUsage } from '../pricing/cost.js';
import { Decimal } from '../pricing/decimal.js';
import type { PriceBook } from '../pricing/price-book.js';
import type { CostUpdate, Store } from '../store/store.js';

export interface RepriceOptions {
  from: string;
  to: string;
  dryRun: boolean;
  book: PriceBook;
  /** Kept in the audit trail; default names the period and the price book version. */
  reason?: string;
  onProgress?: (scanned: number) => void;
}

export interface RepriceModelLine {
  provider: string;
  model: string;
  records: number;
  /** Records whose cost would change / changed. */
  changed: number;
  old_cost: string;
  new_cost: string;
  difference: string;
  /** Unpriced before, priced now (and the reverse). */
  newly_priced: number;
  newly_unpriced: number;
  /** Records in this line without a price before / after: their cost is unknown, not in old_cost / new_cost. */
  old_unpriced: number;
  new_unpriced: number;
}

export interface RepriceResult {
  from: string;
  to: string;
  dry_run: boolean;
  price_version: string;
  reason: string;
  scanned: number;
  /** Records re-priced (had usage and a model, not a reported import). */
  considered: number;
  changed: number;
  skipped: { no_usage: number; reported_import: number };
  models: RepriceModelLine[];
  totals: { old_cost: string; new_cost: string; difference: string };
}

interface Acc {
  provider: string;
  model: string;
  records: number;
  changed: number;
  old: Decimal;
  next: Decimal;
  newlyPriced: number;
  newlyUnpriced: number;
  oldUnpriced: number;
  newUnpriced: number;
}

function sameCost(a: LedgerRecord['cost'], b: LedgerRecord['cost']): boolean {
  if (a === null || b === null) return a === b;
  const parts = ['total', 'input', 'cache_read', 'cache_write', 'output', 'reasoning', 'audio', 'image', 'tools'] as const;
  return parts.every((p) => Decimal.parse(a[p]).eq(Decimal.parse(b[p]))) && Decimal.parse(a.other ?? '0').eq(Decimal.parse(b.other ?? '0'));
}

export async function repriceLedger(store: Store, opts: RepriceOptions): Promise<RepriceResult> {
  const reason = opts.reason ?? `reprice ${opts.from}..${opts.to} with price book ${opts.book.version}`;
  const byModel = new Map<string, Acc>();
  let scanned = 0;
  let considered = 0;
  let changed = 0;
  const skipped = { no_usage: 0, reported_import: 0 };
  for await (const batch of store.scanRecords({ from: opts.from, to: opts.to, batchSize: 5000 })) {
    const updates: CostUpdate[] = [];
    for (const r of batch) {
      scanned++;
      if (!r.usage || !r.model) {
        skipped.no_usage++;
        continue;
      }
      if (r.source === 'import' && r.cost?.source === 'provider') {
        skipped.reported_import++;
        continue;
      }
      considered++;
      const p = priceUsage(opts.book, {
        provider: r.provider,
        model: r.model,
        usage: r.usage,
        at: new Date(r.started_at),
        ...(r.cost?.source === 'provider' ? { provider_cost_usd: r.cost.total } : {}),
      });
      const key = `${r.provider}\u0000${r.model}`;
      let acc = byModel.get(key);
      if (!acc) byModel.set(key, (acc = { provider: r.provider, model: r.model, records: 0, changed: 0, old: Decimal.ZERO, next: Decimal.ZERO, newlyPriced: 0, newlyUnpriced: 0, oldUnpriced: 0, newUnpriced: 0 }));
      acc.records++;
      if (r.cost) acc.old = acc.old.add(Decimal.parse(r.cost.total));
      if (p.cost) acc.next = acc.next.add(Decimal.parse(p.cost.total));
      if (!r.cost) acc.oldUnpriced++;
      if (!p.cost) acc.newUnpriced++;
      if (p.priced === r.priced && sameCost(r.cost, p.cost)) continue;
      if (!r.priced && p.priced) acc.newlyPriced++;
      if (r.priced && !p.priced) acc.newlyUnpriced++;
      acc.changed++;
      changed++;
      updates.push({ id: r.id, cost: p.cost, priced: p.priced, price_version: p.price_version, unpriced_reason: p.reason ?? null });
    }
    if (!opts.dryRun && updates.length > 0) await store.updateCosts(updates, reason);
    opts.onProgress?.(scanned);
  }
  const models = [...byModel.values()]
    .map((a) => ({ provider: a.provider, model: a.model, records: a.records, changed: a.changed, old_cost: a.old.toString(), new_cost: a.next.toString(), difference: a.next.sub(a.old).toString(), newly_priced: a.newlyPriced, newly_unpriced: a.newlyUnpriced, old_unpriced: a.oldUnpriced, new_unpriced: a.newUnpriced }))
    .sort((x, y) => Decimal.parse(x.difference).cmp(Decimal.parse(y.difference)) || x.model.localeCompare(y.model));
  const oldTotal = Decimal.sum(models.map((m) => Decimal.parse(m.old_cost)));
  const newTotal = Decimal.sum(models.map((m) => Decimal.parse(m.new_cost)));
  return {
    from: opts.from,
    to: opts.to,
    dry_run: opts.dryRun,
    price_version: opts.book.version,
    reason,
    scanned,
    considered,
    changed,
    skipped,
    models,
    totals: { old_cost: oldTotal.toString(), new_cost: newTotal.toString(), difference: newTotal.sub(oldTotal).toString() },
  };
}
