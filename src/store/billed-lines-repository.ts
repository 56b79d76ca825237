/**
 * Billed line items over the portable SqlClient: one implementation for both engines (the tables
 * come from the stores' own migrations, embedded 006 / PostgreSQL 005).
 *
 * An import is written in three steps so a big export can arrive in batches yet land atomically:
 * `begin` records it as pending, `append` adds its lines (invisible to queries while pending), and
 * `commit` — in one transaction — deletes the lines of earlier imports of the same source whose
 * charge period starts inside the new import's period, then makes the new one visible.
 */
import { Decimal } from '../pricing/decimal.js';
import type { SqlClient, SqlParam, SqlRow } from './sql.js';
import { numberOf, textOf } from './sql.js';
import { StoreQueryError } from './store.js';
import type { BilledImportMeta, BilledImportSummary, BilledLine, BilledTotalRow, BilledTotalsQuery, ChargeKind } from './billed-line.js';

const LINE_COLUMNS = ['import_id', 'source', 'line', 'provider', 'account', 'service', 'model', 'charge_kind', 'token_class', 'quantity', 'unit', 'amount', 'currency', 'amount_usd', 'charge_start', 'charge_end', 'invoice_period', 'team', 'description'] as const;
/** Rows per INSERT: PostgreSQL allows 65,535 parameters per statement. */
const ROWS_PER_INSERT = 1000;

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new StoreQueryError(`not an ISO 8601 instant: ${iso}`);
  return t;
};
/** DECIMAL columns come back padded to their scale on one engine and not the other: normalise. */
const dec = (v: SqlRow[string] | undefined): string | null => (v === null || v === undefined ? null : Decimal.parse(String(v)).toString());
const iso = (v: SqlRow[string] | undefined): string | null => {
  const n = numberOf(v);
  return n === null ? null : new Date(n).toISOString();
};

function summaryOf(r: SqlRow): BilledImportSummary {
  return {
    import_id: String(r['import_id']),
    format: String(r['format']) as BilledImportSummary['format'],
    source: String(r['source']),
    file: String(r['file']),
    state: String(r['state']) as BilledImportSummary['state'],
    lines: numberOf(r['lines']) ?? 0,
    period_start: iso(r['period_start']),
    period_end: iso(r['period_end']),
    imported_at: iso(r['imported_at']) ?? '',
    replaced: numberOf(r['replaced']) ?? 0,
  };
}

async function getImport(sql: SqlClient, importId: string): Promise<BilledImportSummary | null> {
  const rows = await sql.query('SELECT * FROM billed_import WHERE import_id = $1', [importId]);
  return rows[0] ? summaryOf(rows[0]) : null;
}

/** 'already_imported' when this exact export is already committed (nothing to do). */
export async function beginBilledImport(sql: SqlClient, meta: BilledImportMeta): Promise<'new' | 'already_imported'> {
  return sql.transaction(async (tx) => {
    const existing = await getImport(tx, meta.import_id);
    if (existing?.state === 'committed') return 'already_imported';
    // A pending import with this id is a crashed earlier attempt at the same export: start over.
    await tx.execute('DELETE FROM billed_line WHERE import_id = $1', [meta.import_id]);
    await tx.execute('DELETE FROM billed_import WHERE import_id = $1', [meta.import_id]);
    await tx.execute(
      "INSERT INTO billed_import (import_id, format, source, file, state, lines, period_start, period_end, imported_at, replaced) VALUES ($1, $2, $3, $4, 'pending', 0, NULL, NULL, $5, 0)",
      [meta.import_id, meta.format, meta.source, meta.file, Date.now()],
    );
    return 'new';
  });
}

function lineParams(importId: string, source: string, l: BilledLine): SqlParam[] {
  return [importId, source, l.line, l.provider, l.account, l.service, l.model, l.charge_kind, l.token_class, l.quantity, l.unit, l.amount, l.currency, l.amount_usd, ms(l.charge_start), ms(l.charge_end), l.invoice_period, l.team, l.description];
}

/**
 * An engine's bulk path into billed_line (DuckDB: appender into a staging table): rows in
 * BILLED_LINE_COLUMNS order, money as decimal text, line and instants as bigint.
 */
export type BilledBulkInsert = (rows: readonly (readonly SqlParam[])[]) => Promise<number>;
export const BILLED_LINE_COLUMNS = LINE_COLUMNS;

/**
 * An engine's load of a Parquet file of billed lines (an importer's bulk path, src/billing): the
 * columns of BILLED_LINE_COLUMNS after import_id and source, money as DECIMAL(38,18), line and
 * instants as BIGINT (epoch milliseconds).
 */
export type BilledParquetInsert = (importId: string, source: string, file: string) => Promise<number>;
export const BILLED_PARQUET_COLUMNS = LINE_COLUMNS.slice(2);

/** Adds a Parquet file of lines to a pending import; returns how many were added. */
export async function appendBilledParquet(sql: SqlClient, importId: string, file: string, load: BilledParquetInsert): Promise<number> {
  const imp = await getImport(sql, importId);
  if (!imp || imp.state !== 'pending') throw new StoreQueryError(`billed import ${importId} is not pending`);
  return load(importId, imp.source, file);
}

/** Adds lines to a pending import; returns how many were added. */
export async function appendBilledLines(sql: SqlClient, importId: string, lines: readonly BilledLine[], bulk?: BilledBulkInsert): Promise<number> {
  if (lines.length === 0) return 0;
  const imp = await getImport(sql, importId);
  if (!imp || imp.state !== 'pending') throw new StoreQueryError(`billed import ${importId} is not pending`);
  if (bulk) return bulk(lines.map((l) => lineParams(importId, imp.source, l).map((v, i) => (i === 2 || i === 14 || i === 15 ? BigInt(v as number) : v))));
  const casts = LINE_COLUMNS.map((c) => (c === 'quantity' || c === 'amount' || c === 'amount_usd' ? '::DECIMAL(38,18)' : c === 'line' || c === 'charge_start' || c === 'charge_end' ? '::BIGINT' : ''));
  let added = 0;
  for (let off = 0; off < lines.length; off += ROWS_PER_INSERT) {
    const batch = lines.slice(off, off + ROWS_PER_INSERT);
    const params: SqlParam[] = [];
    const tuples = batch.map((l) => {
      const base = params.length;
      params.push(...lineParams(importId, imp.source, l));
      return `(${LINE_COLUMNS.map((_c, i) => `$${base + i + 1}${casts[i]}`).join(', ')})`;
    });
    added += await sql.execute(`INSERT INTO billed_line (${LINE_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params);
  }
  return added;
}

/** Makes a pending import visible, replacing the same source's earlier lines for its period. */
export async function commitBilledImport(sql: SqlClient, importId: string): Promise<BilledImportSummary> {
  return sql.transaction(async (tx) => {
    const imp = await getImport(tx, importId);
    if (!imp) throw new StoreQueryError(`no billed import ${importId}`);
    if (imp.state === 'committed') return imp;
    const [span] = await tx.query('SELECT count(*) AS n, min(charge_start) AS lo, max(charge_end) AS hi FROM billed_line WHERE import_id = $1', [importId]);
    const n = numberOf(span?.['n']) ?? 0;
    const lo = numberOf(span?.['lo']);
    const hi = numberOf(span?.['hi']);
    let replaced = 0;
    if (n > 0 && lo !== null && hi !== null) {
      replaced = await tx.execute(
        "DELETE FROM billed_line WHERE source = $1 AND import_id <> $2 AND charge_start >= $3 AND charge_start < $4 AND import_id IN (SELECT import_id FROM billed_import WHERE state = 'committed')",
        [imp.source, importId, lo, hi],
      );
      // Earlier imports keep their summary rows; their line counts follow what is left of them.
      await tx.execute("UPDATE billed_import SET lines = (SELECT count(*) FROM billed_line l WHERE l.import_id = billed_import.import_id) WHERE source = $1 AND import_id <> $2 AND state = 'committed'", [imp.source, importId]);
    }
    await tx.execute("UPDATE billed_import SET state = 'committed', lines = $2, period_start = $3, period_end = $4, replaced = $5 WHERE import_id = $1", [importId, n, lo, hi, replaced]);
    return { ...imp, state: 'committed', lines: n, period_start: lo === null ? null : new Date(lo).toISOString(), period_end: hi === null ? null : new Date(hi).toISOString(), replaced };
  });
}

/** Drops a pending import and its lines (a failed or refused import changes nothing). */
export async function abortBilledImport(sql: SqlClient, importId: string): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.execute("DELETE FROM billed_line WHERE import_id = $1 AND import_id IN (SELECT import_id FROM billed_import WHERE state = 'pending')", [importId]);
    await tx.execute("DELETE FROM billed_import WHERE import_id = $1 AND state = 'pending'", [importId]);
  });
}

export async function listBilledImports(sql: SqlClient): Promise<BilledImportSummary[]> {
  return (await sql.query("SELECT * FROM billed_import WHERE state = 'committed' ORDER BY imported_at, import_id")).map(summaryOf);
}

export async function countBilledLines(sql: SqlClient): Promise<number> {
  const [r] = await sql.query("SELECT count(*) AS n FROM billed_line WHERE import_id IN (SELECT import_id FROM billed_import WHERE state = 'committed')");
  return numberOf(r?.['n']) ?? 0;
}

/** Committed billed amounts in USD, summed in the engine as DECIMAL, by everything reconciliation splits on. */
export async function getBilledTotals(sql: SqlClient, q: BilledTotalsQuery): Promise<BilledTotalRow[]> {
  const rows = await sql.query(
    `SELECT provider, account, model, charge_kind, team IS NOT NULL AS has_team, charge_start,
       sum(amount_usd) AS amount_usd, sum(CASE WHEN amount_usd IS NULL THEN 1 ELSE 0 END) AS unconverted
     FROM billed_line
     WHERE charge_start >= $1 AND charge_start < $2 AND import_id IN (SELECT import_id FROM billed_import WHERE state = 'committed')
     GROUP BY provider, account, model, charge_kind, team IS NOT NULL, charge_start
     ORDER BY charge_start, provider, account, model, charge_kind`,
    [ms(q.from), ms(q.to)],
  );
  return rows.map((r) => ({
    provider: String(r['provider']),
    account: textOf(r['account']),
    model: textOf(r['model']),
    charge_kind: String(r['charge_kind']) as ChargeKind,
    has_team: r['has_team'] === true,
    charge_start: iso(r['charge_start']) ?? '',
    amount_usd: dec(r['amount_usd']) ?? '0',
    unconverted_lines: numberOf(r['unconverted']) ?? 0,
  }));
}

/** Every committed line of one import, in line order (audit, FOCUS export, tests). */
export async function getBilledLines(sql: SqlClient, importId: string): Promise<BilledLine[]> {
  const rows = await sql.query('SELECT * FROM billed_line WHERE import_id = $1 ORDER BY line', [importId]);
  return rows.map((r) => ({
    provider: String(r['provider']),
    account: textOf(r['account']),
    service: textOf(r['service']),
    model: textOf(r['model']),
    charge_kind: String(r['charge_kind']) as ChargeKind,
    token_class: textOf(r['token_class']),
    quantity: dec(r['quantity']),
    unit: textOf(r['unit']),
    amount: dec(r['amount']) ?? '0',
    currency: String(r['currency']),
    amount_usd: dec(r['amount_usd']),
    charge_start: iso(r['charge_start']) ?? '',
    charge_end: iso(r['charge_end']) ?? '',
    invoice_period: textOf(r['invoice_period']),
    team: textOf(r['team']),
    description: textOf(r['description']),
    line: numberOf(r['line']) ?? 0,
  }));
}

/** The billed line item operations every Store offers (`store.billed`). */
export interface BilledLineStore {
  begin(meta: BilledImportMeta): Promise<'new' | 'already_imported'>;
  append(importId: string, lines: readonly BilledLine[]): Promise<number>;
  /** Adds the lines of a Parquet file (BILLED_PARQUET_COLUMNS) to a pending import, in one statement. */
  appendParquet(importId: string, file: string): Promise<number>;
  commit(importId: string): Promise<BilledImportSummary>;
  abort(importId: string): Promise<void>;
  imports(): Promise<BilledImportSummary[]>;
  count(): Promise<number>;
  totals(q: BilledTotalsQuery): Promise<BilledTotalRow[]>;
  lines(importId: string): Promise<BilledLine[]>;
}

export function billedLineStore(sql: SqlClient, parquet: BilledParquetInsert, bulk?: BilledBulkInsert): BilledLineStore {
  return {
    begin: (meta) => beginBilledImport(sql, meta),
    append: (id, lines) => appendBilledLines(sql, id, lines, bulk),
    appendParquet: (id, file) => appendBilledParquet(sql, id, file, parquet),
    commit: (id) => commitBilledImport(sql, id),
    abort: (id) => abortBilledImport(sql, id),
    imports: () => listBilledImports(sql),
    count: () => countBilledLines(sql),
    totals: (q) => getBilledTotals(sql, q),
    lines: (id) => getBilledLines(sql, id),
  };
}
