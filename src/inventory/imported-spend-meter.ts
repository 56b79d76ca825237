/**
 * The spend a vendor / category budget watches (src/policy/imported-budgets.ts): the items of the
 * one AI total (ai-spend.ts) that did not pass the gateway — matched card and expense lines and
 * imported bills, seat plans' run-rates (prorated to date) and self-hosted GPU usage, with the same
 * no-double-counting rules (billed replaces metered per provider and day; prepaid API credits of a
 * provider with usage are left out). Metered gateway spend is for gateway budgets, which can block.
 *
 * A scope's `vendor` matches the catalog name case-insensitively, and for API vendors also their
 * provider ids (`vendor=OpenAI` covers billed `openai` lines); `team` matches the cost centre.
 */
import { Decimal } from '../pricing/decimal.js';
import type { ImportedSpendMeter } from '../policy/imported-budgets.js';
import type { Store } from '../store/store.js';
import { aiSpendItems, PROVIDERS_OF, type AiSpendItem } from './ai-spend.js';

const DAY_MS = 86_400_000;

export function vendorMatches(scopeVendor: string, item: AiSpendItem): boolean {
  const want = scopeVendor.toLowerCase();
  if (item.vendor.toLowerCase() === want) return true;
  return Object.entries(PROVIDERS_OF).some(([name, ids]) => name.toLowerCase() === want && ids.includes(item.vendor));
}

export function importedSpendMeter(store: Store): ImportedSpendMeter {
  return async (scope, days) => {
    // Items are UTC days; the budget's calendar days are asked for as UTC days, so a seat plan's
    // run-rate (prorated from the window's start) is counted from the period's first day.
    const from = days.from === null ? new Date(0).toISOString() : `${days.from}T00:00:00.000Z`;
    const to = days.to === null ? new Date(Date.now() + DAY_MS).toISOString() : `${days.to}T00:00:00.000Z`;
    const { items } = await aiSpendItems(store, { from, to });
    const kept = items.filter(
      (i) =>
        i.origin !== 'ledger' &&
        // A period that never resets has no start to prorate a run-rate from.
        !(i.origin === 'seat' && days.from === null) &&
        (scope['vendor'] === undefined || vendorMatches(scope['vendor'], i)) &&
        (scope['category'] === undefined || i.category === scope['category']) &&
        (scope['team'] === undefined || i.team === scope['team']),
    );
    return Decimal.sum(kept.map((i) => i.amount)).toString();
  };
}
