/**
 * The AI spend inventory over the portable SqlClient: one implementation for both engines (tables
 * from embedded migration 008 / PostgreSQL migration 006, src/store/migrations/inventory-ddl.ts).
 */
import { Decimal } from '../pricing/decimal.js';
import type { SqlClient, SqlParam, SqlRow } from './sql.js';
import { numberOf, textOf } from './sql.js';
import { StoreQueryError } from './store.js';
import { insertNewByHash } from './insert-new-by-hash.js';
import { insertGpuUsage, listGpuUsage, listSeats, putSeats } from './inventory-usage-repository.js';
import type { BillingModel, ExpenseLine, GpuUsageLine, SeatAssignment, ExpenseRule, ExpenseState, ExpenseTotalRow, ExpenseTotalsQuery, MatchMethod, SourceStatus, SpendCategory, SpendChannel, SpendSource } from './spend-source.js';

const SOURCE_COLUMNS = ['source_id', 'vendor', 'product', 'category', 'channel', 'owner_team', 'owner_person', 'seats_purchased', 'seats_active', 'billing_model', 'run_rate_usd', 'renewal_date', 'status'] as const;
const LINE_COLUMNS = ['line_hash', 'file', 'line', 'occurred_at', 'descriptor', 'amount', 'currency', 'amount_usd', 'employee', 'cost_centre', 'memo', 'channel', 'state', 'vendor', 'product', 'category', 'match_method', 'match_pattern'] as const;
const MONEY = new Set<string>(['amount', 'amount_usd', 'run_rate_usd']);
const BIG = new Set<string>(['line', 'occurred_at', 'seats_purchased', 'seats_active']);
/** Rows per INSERT: PostgreSQL allows 65,535 parameters per statement. */

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new StoreQueryError(`not an ISO 8601 instant: ${iso}`);
  return t;
};
/** DECIMAL columns come back padded to their scale on one engine and not the other: normalise. */
const dec = (v: SqlRow[string] | undefined): string | null => (v === null || v === undefined ? null : Decimal.parse(String(v)).toString());
const cast = (c: string): string => (MONEY.has(c) ? '::DECIMAL(38,18)' : BIG.has(c) ? '::BIGINT' : '');

function sourceOf(r: SqlRow): SpendSource {
  return {
    source_id: String(r['source_id']),
    vendor: String(r['vendor']),
    product: String(r['product']),
    category: String(r['category']) as SpendCategory,
    channel: String(r['channel']) as SpendChannel,
    owner_team: textOf(r['owner_team']),
    owner_person: textOf(r['owner_person']),
    seats_purchased: numberOf(r['seats_purchased']),
    seats_active: numberOf(r['seats_active']),
    billing_model: textOf(r['billing_model']) as BillingModel | null,
    run_rate_usd: dec(r['run_rate_usd']),
    renewal_date: textOf(r['renewal_date']),
    status: String(r['status']) as SourceStatus,
  };
}

function lineOf(r: SqlRow): ExpenseLine {
  return {
    line_hash: String(r['line_hash']),
    file: String(r['file']),
    line: numberOf(r['line']) ?? 0,
    occurred_at: new Date(numberOf(r['occurred_at']) ?? 0).toISOString(),
    descriptor: String(r['descriptor']),
    amount: dec(r['amount']) ?? '0',
    currency: String(r['currency']),
    amount_usd: dec(r['amount_usd']),
    employee: textOf(r['employee']),
    cost_centre: textOf(r['cost_centre']),
    memo: textOf(r['memo']),
    channel: String(r['channel']) as SpendChannel,
    state: String(r['state']) as ExpenseState,
    vendor: textOf(r['vendor']),
    product: textOf(r['product']),
    category: textOf(r['category']) as SpendCategory | null,
    match_method: textOf(r['match_method']) as MatchMethod | null,
    match_pattern: textOf(r['match_pattern']),
  };
}

/** Creates or replaces a spend source (by source_id). */
export async function upsertSpendSource(sql: SqlClient, s: SpendSource): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.execute('DELETE FROM spend_source WHERE source_id = $1', [s.source_id]);
    const params: SqlParam[] = [...SOURCE_COLUMNS.map((c) => s[c]), Date.now()];
    await tx.execute(
      `INSERT INTO spend_source (${SOURCE_COLUMNS.join(', ')}, updated_at) VALUES (${SOURCE_COLUMNS.map((c, i) => `$${i + 1}${cast(c)}`).join(', ')}, $${SOURCE_COLUMNS.length + 1})`,
      params,
    );
  });
}

export async function listSpendSources(sql: SqlClient): Promise<SpendSource[]> {
  return (await sql.query('SELECT * FROM spend_source ORDER BY vendor, product, channel, source_id')).map(sourceOf);
}

/**
 * Adds expense lines, skipping hashes already stored (a re-imported file adds nothing); returns
 * how many were new. One transaction: a failed batch leaves no partial import behind.
 */
export function insertExpenseLines(sql: SqlClient, lines: readonly ExpenseLine[]): Promise<number> {
  return insertNewByHash(sql, lines, { table: 'expense_line', hashColumn: 'line_hash', columns: LINE_COLUMNS, hashOf: (l) => l.line_hash, value: (l, c) => (c === 'occurred_at' ? ms(l.occurred_at) : l[c as (typeof LINE_COLUMNS)[number]]), cast });
}

export interface ExpenseLinesQuery {
  state?: ExpenseState;
  from?: string;
  to?: string;
}

/** Stored lines oldest first (then by file line). */
export async function listExpenseLines(sql: SqlClient, q: ExpenseLinesQuery = {}): Promise<ExpenseLine[]> {
  const where: string[] = [];
  const params: SqlParam[] = [];
  if (q.state) where.push(`state = $${params.push(q.state)}`);
  if (q.from) where.push(`occurred_at >= $${params.push(ms(q.from))}`);
  if (q.to) where.push(`occurred_at < $${params.push(ms(q.to))}`);
  const rows = await sql.query(`SELECT * FROM expense_line${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY occurred_at, file, line, line_hash`, params);
  return rows.map(lineOf);
}

/** A reviewer's decision on a queued line: confirm it as a vendor (manual match) or reject it as not AI. */
export type ReviewDecision = { confirm: { vendor: string; product: string; category: SpendCategory } } | { reject: true };

/**
 * Returns false when the line does not exist. A confirmation is recorded as `manual`, or as `rule`
 * with the rule's pattern when a rule the reviewer just added matched the line.
 */
export async function decideExpenseLine(sql: SqlClient, hash: string, decision: ReviewDecision, byRule?: string): Promise<boolean> {
  const n =
    'confirm' in decision
      ? await sql.execute("UPDATE expense_line SET state = 'matched', vendor = $2, product = $3, category = $4, match_method = $5, match_pattern = $6 WHERE line_hash = $1", [hash, decision.confirm.vendor, decision.confirm.product, decision.confirm.category, byRule === undefined ? 'manual' : 'rule', byRule ?? null])
      : await sql.execute("UPDATE expense_line SET state = 'rejected', match_method = 'manual' WHERE line_hash = $1", [hash]);
  return n > 0;
}

/** Matched lines' USD sums, in the engine as DECIMAL, by vendor/product/category/channel/cost centre/UTC day. */
export async function getExpenseTotals(sql: SqlClient, q: ExpenseTotalsQuery): Promise<ExpenseTotalRow[]> {
  const rows = await sql.query(
    `SELECT vendor, product, category, channel, cost_centre, occurred_at - (occurred_at % 86400000) AS day,
       sum(amount_usd) AS amount_usd, count(*) AS n, sum(CASE WHEN amount_usd IS NULL THEN 1 ELSE 0 END) AS unconverted
     FROM expense_line
     WHERE state = 'matched' AND occurred_at >= $1 AND occurred_at < $2
     GROUP BY vendor, product, category, channel, cost_centre, occurred_at - (occurred_at % 86400000)
     ORDER BY day, vendor, product, channel, cost_centre`,
    [ms(q.from), ms(q.to)],
  );
  return rows.map((r) => ({
    vendor: String(r['vendor']),
    product: String(r['product']),
    category: String(r['category']) as SpendCategory,
    channel: String(r['channel']) as SpendChannel,
    cost_centre: textOf(r['cost_centre']),
    day: new Date(numberOf(r['day']) ?? 0).toISOString().slice(0, 10),
    amount_usd: dec(r['amount_usd']) ?? '0',
    lines: numberOf(r['n']) ?? 0,
    unconverted_lines: numberOf(r['unconverted']) ?? 0,
  }));
}

/** Adds or replaces a user rule (by pattern). */
export async function putExpenseRule(sql: SqlClient, rule: ExpenseRule): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.execute('DELETE FROM expense_rule WHERE pattern = $1', [rule.pattern]);
    await tx.execute('INSERT INTO expense_rule (pattern, vendor, product, category, created_at) VALUES ($1, $2, $3, $4, $5)', [rule.pattern, rule.vendor, rule.product, rule.category, Date.now()]);
  });
}

export async function listExpenseRules(sql: SqlClient): Promise<ExpenseRule[]> {
  return (await sql.query('SELECT pattern, vendor, product, category FROM expense_rule ORDER BY pattern')).map((r) => ({
    pattern: String(r['pattern']),
    vendor: String(r['vendor']),
    product: String(r['product']),
    category: String(r['category']) as SpendCategory,
  }));
}

/** The inventory operations every Store offers (`store.inventory`). */
export interface InventoryStore {
  upsertSource(source: SpendSource): Promise<void>;
  sources(): Promise<SpendSource[]>;
  insertLines(lines: readonly ExpenseLine[]): Promise<number>;
  lines(q?: ExpenseLinesQuery): Promise<ExpenseLine[]>;
  /** `byRule`: the pattern of the rule that matched (else the line is a manual match). */
  decide(hash: string, decision: ReviewDecision, byRule?: string): Promise<boolean>;
  totals(q: ExpenseTotalsQuery): Promise<ExpenseTotalRow[]>;
  putRule(rule: ExpenseRule): Promise<void>;
  rules(): Promise<ExpenseRule[]>;
  /** Replaces each listed person's seat on its source; returns how many were written. */
  putSeats(seats: readonly SeatAssignment[]): Promise<number>;
  seats(sourceId?: string): Promise<SeatAssignment[]>;
  /** Adds GPU usage lines not already stored; returns how many were new. */
  insertGpuUsage(lines: readonly GpuUsageLine[]): Promise<number>;
  /** GPU usage days in `[from, to)`. */
  gpuUsage(q: { from: string; to: string }): Promise<GpuUsageLine[]>;
}

export function inventoryStore(sql: SqlClient): InventoryStore {
  return {
    upsertSource: (s) => upsertSpendSource(sql, s),
    sources: () => listSpendSources(sql),
    insertLines: (l) => insertExpenseLines(sql, l),
    lines: (q) => listExpenseLines(sql, q),
    decide: (h, d, r) => decideExpenseLine(sql, h, d, r),
    totals: (q) => getExpenseTotals(sql, q),
    putRule: (r) => putExpenseRule(sql, r),
    rules: () => listExpenseRules(sql),
    putSeats: (s) => putSeats(sql, s),
    seats: (id) => listSeats(sql, id),
    insertGpuUsage: (l) => insertGpuUsage(sql, l),
    gpuUsage: (q) => listGpuUsage(sql, q),
  };
}
