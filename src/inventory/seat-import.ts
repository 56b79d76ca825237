/**
 * `costrail import seats FILE`: a seat list exported from a tool's admin console (vendor, person,
 * team, last active) into the inventory. Each seat is linked to the organisation's spend source
 * for that vendor (a seat plan, never a personal card / expense source); a vendor with none gets
 * one (`ap_invoice`, billing model `seat`, status `under_review`) so the seats have somewhere to
 * live. All-or-nothing unless skipInvalid, like `import expenses`.
 */
import path from 'node:path';
import { readTable, tableColumns } from '../billing/tabular-file.js';
import type { SeatAssignment, SpendSource } from '../store/spend-source.js';
import type { Store } from '../store/store.js';
import { ExpenseInputError, parseDay, textCell } from './expense-fields.js';
import { spendSourceId } from './spend-source-id.js';
import { loadVendorCatalog, type CatalogEntry } from './vendor-catalog.js';

export const SEAT_FIELDS = ['vendor', 'product', 'person', 'team', 'last_active'] as const;
export type SeatField = (typeof SEAT_FIELDS)[number];

/** Column names each field is read from (case-insensitive), as admin consoles name them. */
export const SEAT_COLUMNS: Record<SeatField, readonly string[]> = {
  vendor: ['vendor', 'tool', 'application', 'app', 'service'],
  product: ['product', 'plan', 'license', 'licence', 'sku'],
  person: ['email', 'user email', 'user_email', 'email address', 'person', 'user', 'name', 'member', 'login', 'username'],
  team: ['team', 'department', 'cost centre', 'cost center', 'cost_centre', 'group'],
  last_active: ['last active', 'last_active', 'last activity', 'last_activity', 'last active at', 'last_active_at', 'last seen', 'last_seen', 'last login', 'last_login', 'last used'],
};

const PERSONAL_CHANNELS = new Set(['card', 'expense']);

export interface SeatImportOptions {
  /** `--map column=field` entries. */
  map?: readonly string[];
  /** Link every seat to this existing source instead of resolving it by vendor. */
  sourceId?: string;
  /** Vendor for every row when the file has no vendor column. */
  vendor?: string;
  skipInvalid?: boolean;
  fileLabel?: string;
}

export interface SeatImportResult {
  status: 'imported' | 'refused';
  file: string;
  rows: number;
  seats: number;
  /** Seats per source id. */
  by_source: Record<string, number>;
  /** Sources created because the vendor had no seat plan yet. */
  sources_created: string[];
  invalid: { line: number; error: string }[];
  invalid_count: number;
}

export function seatColumnsWith(maps: readonly string[]): Record<SeatField, readonly string[]> {
  const cols: Record<SeatField, readonly string[]> = { ...SEAT_COLUMNS };
  for (const m of maps) {
    const eq = m.lastIndexOf('=');
    const column = eq > 0 ? m.slice(0, eq).trim() : '';
    const field = eq > 0 ? m.slice(eq + 1).trim() : '';
    if (!column || !(SEAT_FIELDS as readonly string[]).includes(field)) throw new ExpenseInputError(`--map must be COLUMN=FIELD with FIELD one of ${SEAT_FIELDS.join(', ')}, not "${m}"`);
    cols[field as SeatField] = [column];
  }
  return cols;
}

/** Empty / `never` / `-`: never active. A day or an ISO 8601 instant otherwise. */
export function parseLastActive(raw: string | null | undefined): string | null {
  const s = (raw ?? '').trim();
  if (s === '' || /^(never|-|n\/a|none)$/i.test(s)) return null;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    const t = Date.parse(s);
    if (Number.isFinite(t) && t > Date.UTC(2000, 0, 1) && t < Date.UTC(2100, 0, 1)) return new Date(t).toISOString();
    throw new ExpenseInputError(`last active "${raw}" is not a real instant`);
  }
  try {
    return parseDay(s);
  } catch {
    throw new ExpenseInputError(`last active "${raw}" is not YYYY-MM-DD, MM/DD/YYYY, an ISO 8601 instant or "never"`);
  }
}

/** The catalog entry a seat list's vendor text names: a vendor, or the start of a product ("Cursor", "ChatGPT"). */
export function catalogEntryFor(catalog: readonly CatalogEntry[], name: string): CatalogEntry | undefined {
  const n = name.trim().toLowerCase();
  return catalog.find((e) => e.vendor.toLowerCase() === n) ?? catalog.find((e) => {
    const p = e.product.toLowerCase();
    return p === n || (p.startsWith(n) && /[\s(/]/.test(p.charAt(n.length)));
  });
}

interface Resolved {
  source: SpendSource;
  created: boolean;
}

function resolveSource(sources: SpendSource[], catalog: readonly CatalogEntry[], vendorText: string, productText: string | null): Resolved {
  const entry = catalogEntryFor(catalog, vendorText) ?? (productText ? catalogEntryFor(catalog, productText) : undefined);
  const vendor = entry?.vendor ?? vendorText;
  const org = sources.filter((s) => s.vendor.toLowerCase() === vendor.toLowerCase() && !PERSONAL_CHANNELS.has(s.channel));
  const wanted = productText?.toLowerCase();
  const hit = (wanted ? org.find((s) => s.product.toLowerCase() === wanted || s.product.toLowerCase().startsWith(wanted)) : undefined) ?? (wanted ? undefined : org.find((s) => s.billing_model === 'seat' || s.seats_purchased !== null) ?? org[0]);
  if (hit) return { source: hit, created: false };
  const product = productText ?? entry?.product ?? vendorText;
  const source: SpendSource = { source_id: spendSourceId(vendor, product, 'ap_invoice'), vendor, product, category: entry?.category ?? 'other', channel: 'ap_invoice', owner_team: null, owner_person: null, seats_purchased: null, seats_active: null, billing_model: 'seat', run_rate_usd: null, renewal_date: null, status: 'under_review' };
  sources.push(source);
  return { source, created: true };
}

export async function importSeatsFile(store: Store, file: string, opts: SeatImportOptions = {}): Promise<SeatImportResult> {
  const cols = seatColumnsWith(opts.map ?? []);
  const present = new Set((await tableColumns(file)).map((c) => c.toLowerCase()));
  const has = (f: SeatField): boolean => cols[f].some((c) => present.has(c.toLowerCase()));
  if (!has('person')) throw new ExpenseInputError(`no person column (looked for ${cols.person.map((c) => `"${c}"`).join(', ')}); name it with --map COLUMN=person`);
  if (!has('vendor') && !opts.vendor && !opts.sourceId) throw new ExpenseInputError('no vendor column: add one, name it with --map COLUMN=vendor, or give --vendor / --source for the whole file');
  const sources = await store.inventory.sources();
  const forced = opts.sourceId === undefined ? undefined : sources.find((s) => s.source_id === opts.sourceId);
  if (opts.sourceId !== undefined && !forced) throw new ExpenseInputError(`no spend source ${opts.sourceId} (costrail inventory sources lists them)`);
  const catalog = forced ? [] : await loadVendorCatalog();
  const label = opts.fileLabel ?? path.basename(file);
  const result: SeatImportResult = { status: 'imported', file: label, rows: 0, seats: 0, by_source: {}, sources_created: [], invalid: [], invalid_count: 0 };
  const seats = new Map<string, SeatAssignment>();
  const created = new Map<string, SpendSource>();
  for await (const batch of readTable(file, cols)) {
    batch.rows.forEach((r, i) => {
      const line = batch.lines?.[i] ?? batch.firstLine + i;
      result.rows++;
      try {
        const rawPerson = textCell(r['person'], 200);
        if (!rawPerson) throw new ExpenseInputError('empty person / email');
        const person = rawPerson.includes('@') ? rawPerson.toLowerCase() : rawPerson;
        const lastActive = parseLastActive(r['last_active']);
        let source = forced;
        if (!source) {
          const vendor = textCell(r['vendor'], 200) ?? opts.vendor ?? null;
          if (!vendor) throw new ExpenseInputError('empty vendor');
          const resolved = resolveSource(sources, catalog, vendor, textCell(r['product'], 200));
          if (resolved.created) created.set(resolved.source.source_id, resolved.source);
          source = resolved.source;
        }
        const seat: SeatAssignment = { source_id: source.source_id, person, team: textCell(r['team'], 200), last_active_at: lastActive, file: label };
        const key = `${seat.source_id}\u0000${person}`;
        const prior = seats.get(key);
        // The same person listed twice (two workspaces of one tool): one seat, the latest activity.
        if (!prior || (seat.last_active_at ?? '') > (prior.last_active_at ?? '')) seats.set(key, seat);
      } catch (e) {
        if (!(e instanceof ExpenseInputError)) throw e;
        result.invalid_count++;
        if (result.invalid.length < 1000) result.invalid.push({ line, error: e.message });
      }
    });
  }
  if (result.invalid_count > 0 && !opts.skipInvalid) return { ...result, status: 'refused' };
  const list = [...seats.values()];
  for (const s of list) result.by_source[s.source_id] = (result.by_source[s.source_id] ?? 0) + 1;
  for (const s of created.values()) {
    await store.inventory.upsertSource({ ...s, seats_purchased: result.by_source[s.source_id] ?? null });
    result.sources_created.push(s.source_id);
  }
  result.seats = await store.inventory.putSeats(list);
  return result;
}
