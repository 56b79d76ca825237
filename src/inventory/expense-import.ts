/**
 * `costrail import expenses`: a card-transaction or expense-report CSV export into the inventory.
 * Each row is matched to a vendor (user rules, then the catalog); AI lines are stored as matched,
 * AI-looking unknowns go to the review queue, everything else is only counted. Dollars come from
 * the line's own USD amount or the user's rate table, never a live FX call. All-or-nothing: one
 * invalid row refuses the file (unless skipInvalid). Idempotent: lines are keyed by content hash.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { readTable, tableColumns } from '../billing/tabular-file.js';
import type { Decimal } from '../pricing/decimal.js';
import type { ExpenseLine, SpendChannel } from '../store/spend-source.js';
import type { Store } from '../store/store.js';
import { DescriptorMatcher } from './descriptor-matcher.js';
import { columnsWith, ExpenseInputError, parseAmount, parseCurrency, parseDay, textCell, type ExpenseField } from './expense-fields.js';
import { ensureDiscoveredSources } from './discovered-sources.js';
import { loadVendorCatalog } from './vendor-catalog.js';

export interface ExpenseImportOptions {
  /** `--map column=field` entries. */
  map?: readonly string[];
  rates?: ReadonlyMap<string, Decimal>;
  /** How these lines were paid: company card (default) or expense reports. */
  channel?: Extract<SpendChannel, 'card' | 'expense'>;
  skipInvalid?: boolean;
  /** Name recorded with each line (default: the file's base name). */
  fileLabel?: string;
  onProgress?: (rows: number) => void;
}

export interface ExpenseImportResult {
  status: 'imported' | 'refused';
  file: string;
  rows: number;
  /** Lines matched to an AI vendor, by how. */
  matched: number;
  matched_by: { rule: number; catalog: number };
  /** AI-looking lines waiting for a human (not counted as spend until confirmed). */
  review: number;
  /** Non-AI lines: counted, not stored (shared_bills included). */
  ignored: number;
  /** Of those, whole cloud / code-host / video-call bills the catalog names (AI spend there comes from billing imports). */
  shared_bills: number;
  /** Stored lines that were new (a re-import adds 0). */
  inserted: number;
  /** Matched lines without a USD amount: a currency with no --rates entry. */
  unconverted: number;
  unconverted_currencies: string[];
  invalid: { line: number; error: string }[];
  invalid_count: number;
}

const MAX_INVALID_LISTED = 1000;

function lineHash(parts: readonly (string | null)[], occurrence: number): string {
  return createHash('sha256').update(JSON.stringify([...parts, occurrence])).digest('hex').slice(0, 32);
}

export async function importExpensesFile(store: Store, file: string, opts: ExpenseImportOptions = {}): Promise<ExpenseImportResult> {
  const cols = columnsWith(opts.map ?? []);
  const present = new Set((await tableColumns(file)).map((c) => c.toLowerCase()));
  for (const required of ['date', 'descriptor', 'amount'] as const) {
    if (!cols[required].some((c) => present.has(c.toLowerCase()))) {
      throw new ExpenseInputError(`no ${required} column (looked for ${cols[required].map((c) => `"${c}"`).join(', ')}); name it with --map COLUMN=${required}`);
    }
  }
  const matcher = new DescriptorMatcher(await loadVendorCatalog(), await store.inventory.rules());
  const label = opts.fileLabel ?? path.basename(file);
  const channel = opts.channel ?? 'card';
  const result: ExpenseImportResult = { status: 'imported', file: label, rows: 0, matched: 0, matched_by: { rule: 0, catalog: 0 }, review: 0, ignored: 0, shared_bills: 0, inserted: 0, unconverted: 0, unconverted_currencies: [], invalid: [], invalid_count: 0 };
  const keep: ExpenseLine[] = [];
  const seen = new Map<string, number>();
  const unconverted = new Set<string>();
  for await (const batch of readTable(file, cols as Record<ExpenseField, readonly string[]>)) {
    batch.rows.forEach((r, i) => {
      const line = batch.lines?.[i] ?? batch.firstLine + i;
      result.rows++;
      try {
        const descriptor = textCell(r['descriptor']);
        if (!descriptor) throw new ExpenseInputError('empty merchant / descriptor');
        if (!r['date']) throw new ExpenseInputError('empty date');
        if (!r['amount']) throw new ExpenseInputError('empty amount');
        const occurred = parseDay(r['date']);
        const amount = parseAmount(r['amount']);
        const currency = parseCurrency(r['currency'] ?? null);
        const ownUsd = r['amount_usd'] ? parseAmount(r['amount_usd']) : null;
        const verdict = matcher.match(descriptor);
        if (verdict.kind === 'ignored') {
          result.ignored++;
          if (verdict.shared) result.shared_bills++;
          return;
        }
        const rate = opts.rates?.get(currency);
        const usd = currency === 'USD' ? amount : ownUsd ?? (rate ? amount.mul(rate) : null);
        const employee = textCell(r['employee'], 200);
        const costCentre = textCell(r['cost_centre'], 200);
        const memo = textCell(r['memo']);
        const content = [occurred, descriptor.toUpperCase(), amount.toString(), currency, employee, costCentre, memo];
        const key = JSON.stringify(content);
        const occurrence = (seen.get(key) ?? 0) + 1;
        seen.set(key, occurrence);
        const base = { line_hash: lineHash(content, occurrence), file: label, line, occurred_at: occurred, descriptor, amount: amount.toString(), currency, amount_usd: usd ? usd.toString() : null, employee, cost_centre: costCentre, memo, channel };
        if (verdict.kind === 'matched') {
          result.matched++;
          result.matched_by[verdict.method]++;
          if (!usd) {
            result.unconverted++;
            unconverted.add(currency);
          }
          keep.push({ ...base, state: 'matched', vendor: verdict.vendor, product: verdict.product, category: verdict.category, match_method: verdict.method, match_pattern: verdict.pattern });
        } else {
          result.review++;
          const note = verdict.pattern ? `${verdict.pattern} → ${verdict.candidates.join(' | ')}` : null;
          keep.push({ ...base, state: 'review', vendor: null, product: null, category: null, match_method: null, match_pattern: note });
        }
      } catch (e) {
        if (!(e instanceof ExpenseInputError)) throw e;
        result.invalid_count++;
        if (result.invalid.length < MAX_INVALID_LISTED) result.invalid.push({ line, error: e.message });
      }
    });
    opts.onProgress?.(result.rows);
  }
  result.unconverted_currencies = [...unconverted].sort();
  if (result.invalid_count > 0 && !opts.skipInvalid) return { ...result, status: 'refused' };
  result.inserted = await store.inventory.insertLines(keep);
  await ensureDiscoveredSources(store, keep);
  return result;
}
