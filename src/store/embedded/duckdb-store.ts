/**
 * Embedded store: DuckDB, one file at `<data>/ledger.duckdb`. One process owns it (the server);
 * the CLI goes through the API or opens it read-only.
 *
 * Columns and the row↔record mapping come from the one ledger definition (src/store/ledger-row.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BIGINT, BOOLEAN, DOUBLE, DuckDBConnection, DuckDBDataChunk, DuckDBDecimalValue, DuckDBInstance, VARCHAR, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { LedgerRecord } from '../../ledger/ledger-record.js';
import { COST_COLUMNS as LEDGER_COST_COLUMNS } from '../../ledger/ledger-schema.js';
import { Decimal } from '../../pricing/decimal.js';
import { ROW_COLUMNS, rowToRecord, type LedgerRowColumn, type RowDriver } from '../ledger-row.js';
import { decodeEventsCursor, encodeEventsCursor, isoToMicros, microsToIso } from '../event-cursor.js';
import { eventsFilters } from '../events-filters.js';
import { resolveFilters, resolveRange, resolveSpendQuery, spendResult } from '../spend-query.js';
import { spendSql, TS, whereOf, whereSql } from './duckdb-spend.js';
import { EMBEDDED_MIGRATIONS } from '../migrations/embedded/embedded-migrations.js';
import { resolveEventsLimit, StoreQueryError, type CostUpdate, type EventsPage, type EventsQuery, type InsertResult, type ScanQuery, type SpendQuery, type SpendResult, type Store } from '../store.js';
import type { DomainMigration, SqlClient, SqlParam, SqlRow } from '../sql.js';
import type { BulkIngestSession, BulkIngestStore } from '../bulk-ingest.js';

export const LEDGER_DB_FILE = 'ledger.duckdb';

type Row = Record<string, DuckDBValue>;
/** How a field travels through the staging table: JS-native types, converted in SQL on the way in. */
type StageType = 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'BOOLEAN';
interface Column {
  name: string;
  stage: StageType;
  /** SQL turning the staging column into the ledger column. */
  convert: (col: string) => string;
  value: (r: LedgerRecord) => string | number | bigint | boolean | null;
}

/** The staging form of each kind: instants as epoch µs, money as exact text, counts as numbers. */
function stagingColumn(c: LedgerRowColumn): Column {
  switch (c.kind) {
    case 'instant':
      return { name: c.name, stage: 'BIGINT', convert: (x) => `make_timestamp(${x})`, value: (r) => { const v = c.encode(r); return v === null ? null : isoToMicros(String(v)); } };
    case 'money':
      // DuckDB casts VARCHAR -> DECIMAL exactly (the encoder keeps at most 18 fraction digits).
      return { name: c.name, stage: 'VARCHAR', convert: (x) => `${x}::DECIMAL(38,18)`, value: c.encode };
    case 'int':
    case 'count':
      return { name: c.name, stage: 'DOUBLE', convert: (x) => `${x}::BIGINT`, value: c.encode };
    case 'float':
      return { name: c.name, stage: 'DOUBLE', convert: (x) => x, value: c.encode };
    case 'bool':
      return { name: c.name, stage: 'BOOLEAN', convert: (x) => x, value: c.encode };
    default:
      return { name: c.name, stage: 'VARCHAR', convert: (x) => x, value: c.encode };
  }
}

const COLUMNS: readonly Column[] = ROW_COLUMNS.map(stagingColumn);

const quote = (name: string): string => `"${name}"`;
// Batches go column-wise into a TEMP staging table through the appender (one DataChunk of up to
// 2,048 rows per call), then one INSERT ... SELECT converts and merges them. Earlier designs:
// one appender call per value (hundreds of native calls per record on the event loop) halved
// gateway throughput; a JSON Lines scratch file read back with read_json re-encoded every record
// as text first. A chunk per 2,048 rows measured faster than the scratch file (docs/architecture.md).
const STAGING_TABLE = 'ledger_staging';
const STAGE_TYPES: Record<StageType, DuckDBType> = { VARCHAR, DOUBLE, BIGINT, BOOLEAN };
/** Staging columns c0, c1, ... in COLUMNS order, then the row's position in the batch. */
const CREATE_STAGING = `CREATE TEMP TABLE IF NOT EXISTS ${STAGING_TABLE} (${COLUMNS.map((c, i) => `c${i} ${c.stage}`).join(', ')}, _line BIGINT)`;
const CHUNK_TYPES: readonly DuckDBType[] = [...COLUMNS.map((c) => STAGE_TYPES[c.stage]), BIGINT];
const CHUNK_ROWS = 2048;
/**
 * Idempotent by id without a unique index (migration 003): the batch keeps the first row of each
 * id, and skips ids the ledger already holds within the batch's own started_at window (the
 * bounds, in epoch microseconds, are the statement's two parameters).
 */
const MERGE_STAGED = (() => {
  const existing = `SELECT id FROM ledger WHERE started_at BETWEEN make_timestamp(?::BIGINT) AND make_timestamp(?::BIGINT)`;
  const fresh = `SELECT * FROM ${STAGING_TABLE} s WHERE s.c0 NOT IN (${existing}) QUALIFY row_number() OVER (PARTITION BY s.c0 ORDER BY s._line) = 1`;
  return `INSERT INTO ledger (${COLUMNS.map((c) => quote(c.name)).join(', ')}) SELECT ${COLUMNS.map((c, i) => c.convert(`c${i}`)).join(', ')} FROM (${fresh})`;
})();
/**
 * The same merge for a bulk import (store/bulk-ingest.ts): `select` already yields ledger-typed
 * columns by name and `_line`; the same two window bounds as parameters.
 */
const mergeImportSql = (select: string): string => {
  const existing = `SELECT id FROM ledger WHERE started_at BETWEEN make_timestamp(?::BIGINT) AND make_timestamp(?::BIGINT)`;
  const names = COLUMNS.map((c) => quote(c.name)).join(', ');
  return `INSERT INTO ledger (${names}) SELECT ${names} FROM (SELECT * FROM (${select}) s WHERE s.id NOT IN (${existing}) QUALIFY row_number() OVER (PARTITION BY s.id ORDER BY s._line) = 1)`;
};
type StageValue = string | number | bigint | boolean | null;
/** The batch as staging columns (DOUBLE cells must be finite: NaN/Infinity become NULL). */
function stagingColumns(records: readonly LedgerRecord[]): StageValue[][] {
  const cols: StageValue[][] = COLUMNS.map(() => new Array<StageValue>(records.length));
  const lines = new Array<StageValue>(records.length);
  for (let j = 0; j < records.length; j++) {
    const r = records[j]!;
    for (let i = 0; i < COLUMNS.length; i++) {
      const v = COLUMNS[i]!.value(r);
      cols[i]![j] = typeof v === 'number' && !Number.isFinite(v) ? null : v;
    }
    lines[j] = BigInt(j);
  }
  cols.push(lines);
  return cols;
}
/** Cost updates still travel as a JSON Lines scratch file (re-pricing is rare and off the request path). */
const STAGING_KEYS = Array.from({ length: 128 }, (_v, i) => `"c${i}":`);
/** One JSON object per row, concatenated by hand (no per-row object with 55 computed keys to build and stringify). */
function stagingLine(row: readonly (string | number | bigint | boolean | null)[]): string {
  let line = '{';
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (i > 0) line += ',';
    line += STAGING_KEYS[i];
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) line += 'null';
    else if (typeof v === 'string') line += JSON.stringify(v);
    else line += String(v);
  }
  return line + '}';
}
const STARTED_AT_INDEX = COLUMNS.findIndex((c) => c.name === 'started_at');
const WINDOW_START_US = 3_600_000_000n;
/** Beyond ~200 years the window is the whole ledger anyway. */
const WINDOW_MAX_US = 200n * 366n * 86_400_000_000n;
const SELECT_RECORD = 'SELECT * REPLACE (epoch_us(started_at) AS started_at, epoch_us(ended_at) AS ended_at) FROM ledger';

/** Cost columns re-pricing replaces (everything a price book decides about a record). */
const COST_COLUMNS = COLUMNS.filter((c) => LEDGER_COST_COLUMNS.some((k) => k.name === c.name));
const costFields = (u: CostUpdate): LedgerRecord => ({ cost: u.cost, priced: u.priced, price_version: u.price_version, unpriced_reason: u.unpriced_reason }) as LedgerRecord;
function stageCostUpdates(file: string): string {
  const types = `{c0: 'VARCHAR', ${COST_COLUMNS.map((c, i) => `c${i + 1}: '${c.stage}'`).join(', ')}}`;
  const source = `read_json('${file.replace(/'/g, "''")}', format = 'newline_delimited', columns = ${types})`;
  return `CREATE TEMP TABLE cost_updates AS SELECT c0 AS id, ${COST_COLUMNS.map((c, i) => `${c.convert(`c${i + 1}`)} AS ${quote(c.name)}`).join(', ')} FROM ${source}`;
}
const costDiffers = (a: string, b: string): string => `(${COST_COLUMNS.map((c) => `${a}.${quote(c.name)} IS DISTINCT FROM ${b}.${quote(c.name)}`).join(' OR ')})`;

export interface DuckDbStoreOptions {
  /** Open without write access (the CLI next to a running server). Skips migrations. */
  readOnly?: boolean;
}

export class DuckDbStore implements Store, BulkIngestStore {
  readonly kind = 'embedded' as const;
  /** Serializes writes: a DuckDB connection holds one transaction at a time. */
  private writeChain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Newest started_at + 1 µs seen (null: empty; undefined: not looked up yet). */
  private newest: bigint | null | undefined = undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    readonly file: string,
  ) {
    this.stagingFile = path.join(path.dirname(file), `.ledger-staging-${process.pid}.jsonl`);
  }

  /** Scratch file for one cost update at a time (writes are serialized). */
  private readonly stagingFile: string;

  /** Opens (creating if needed) `<dataDir>/ledger.duckdb` and applies pending migrations. */
  static async open(dataDir: string, options: DuckDbStoreOptions = {}): Promise<DuckDbStore> {
    if (!options.readOnly) fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, LEDGER_DB_FILE);
    const instance = await DuckDBInstance.create(file, options.readOnly ? { access_mode: 'READ_ONLY' } : {});
    const store = new DuckDbStore(instance, await instance.connect(), await instance.connect(), file);
    if (!options.readOnly) await store.migrate();
    return store;
  }

  async migrate(): Promise<void> {
    await this.serialized(async () => {
      await this.writer.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)');
      const done = await this.writer.runAndReadAll('SELECT version FROM schema_migrations');
      const applied = new Set(done.getRows().map((r) => Number(r[0])));
      for (const m of [...EMBEDDED_MIGRATIONS].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) continue;
        // Schema change and its record commit together: a crash mid-migration leaves neither.
        await this.inTransaction(async () => {
          await this.writer.run(m.sql);
          await this.writer.run('INSERT INTO schema_migrations (version, name) VALUES (?, ?)', [m.version, m.name]);
        });
      }
    });
  }

  async insertRecords(records: readonly LedgerRecord[]): Promise<InsertResult> {
    if (records.length === 0) return { inserted: 0 };
    // Encode before touching the database, so a malformed record fails the batch cleanly.
    const cols = stagingColumns(records);
    const starts = cols[STARTED_AT_INDEX]!;
    let lo = Number.MAX_SAFE_INTEGER;
    let hi = Number.MIN_SAFE_INTEGER;
    for (const v of starts) {
      const us = Number(v);
      if (us < lo) lo = us;
      if (us > hi) hi = us;
    }
    return this.serialized(() =>
      this.inTransaction(async () => {
        await this.writer.run(CREATE_STAGING);
        await this.writer.run(`DELETE FROM ${STAGING_TABLE}`);
        const appender = await this.writer.createAppender(STAGING_TABLE, 'main', 'temp');
        try {
          for (let off = 0; off < records.length; off += CHUNK_ROWS) {
            const end = Math.min(off + CHUNK_ROWS, records.length);
            const chunk = DuckDBDataChunk.create(CHUNK_TYPES, end - off);
            chunk.setColumns(cols.map((c) => c.slice(off, end)));
            appender.appendDataChunk(chunk);
          }
          appender.flushSync();
        } finally {
          appender.closeSync();
        }
        const result = await this.writer.run(MERGE_STAGED, [lo, hi]);
        for (const us of starts) {
          if (typeof us === 'bigint' && this.newest !== undefined && (this.newest === null || us >= this.newest)) this.newest = us + 1n;
        }
        return { inserted: result.rowsChanged };
      }),
    );
  }

  /** Bulk import (store/bulk-ingest.ts): stages on the writer connection, merges like insertRecords, batch by batch. */
  async openBulkIngest(): Promise<BulkIngestSession> {
    return {
      batchRows: 250_000,
      use: (fn) => this.serialized(() => fn(this.writer)),
      append: (select) =>
        this.serialized(() =>
          this.inTransaction(async () => {
            const [lo, hi] = (await this.writer.runAndReadAll(`SELECT epoch_us(min(started_at)), epoch_us(max(started_at)) FROM (${select})`)).getRows()[0] ?? [];
            if (lo === null || lo === undefined || hi === undefined) return 0;
            const result = await this.writer.run(mergeImportSql(select), [lo, hi]);
            // Looked up again on the next getEvents.
            this.newest = undefined;
            return Number(result.rowsChanged);
          }),
        ),
      close: () => Promise.resolve(),
    };
  }

  async countRecords(): Promise<number> {
    const reader = await this.reader.runAndReadAll('SELECT count(*) FROM ledger');
    return Number(reader.getRows()[0]?.[0] ?? 0);
  }

  async getEvents(query: EventsQuery): Promise<EventsPage> {
    const limit = resolveEventsLimit(query.limit);
    const { fromUs, toUs } = resolveRange(query.from, query.to);
    const base = whereOf(fromUs, toUs, eventsFilters(query));
    let upperUs = toUs;
    if (query.cursor) {
      const c = decodeEventsCursor(query.cursor);
      base.clauses.push(`(started_at < ${TS} OR (started_at = ${TS} AND id < ?))`);
      base.params.push(c.startedAtUs, c.startedAtUs, c.id);
      if (upperUs === undefined || c.startedAtUs < upperUs) upperUs = c.startedAtUs + 1n;
    }
    // Newest first without an index: probe a window below the upper bound that grows 16x until it
    // holds a full page. DuckDB's zone maps skip the row groups below the window, so a first page
    // reads the newest row groups instead of sorting the whole ledger.
    const top = upperUs ?? (await this.newestUs());
    let rows: Row[] = [];
    for (let span = WINDOW_START_US; ; span *= 16n) {
      const lower = top === null ? undefined : top - span;
      const bounded = lower !== undefined && span <= WINDOW_MAX_US && (fromUs === undefined || lower > fromUs);
      const w = bounded ? { clauses: [...base.clauses, `started_at >= ${TS}`], params: [...base.params, lower] } : base;
      // The filters compare the TIMESTAMP column; the outer SELECT sorts the epoch_us copy, which orders identically.
      const sql = `SELECT * FROM (${SELECT_RECORD}${whereSql(w)}) ORDER BY started_at DESC, id DESC LIMIT ${limit + 1}`;
      rows = (await this.reader.runAndReadAll(sql, w.params)).getRowObjects();
      if (!bounded || rows.length > limit) break;
    }
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const next_cursor = rows.length > limit && last ? encodeEventsCursor({ startedAtUs: BigInt(last.started_at as bigint), id: String(last.id) }) : null;
    return { events: page.map(toRecord), next_cursor };
  }

  /** Newest started_at (µs) as a hint for getEvents' first window; only ever a hint, never a bound. */
  private async newestUs(): Promise<bigint | null> {
    if (this.newest === undefined) {
      const r = (await this.reader.runAndReadAll('SELECT epoch_us(max(started_at)) FROM ledger')).getRows()[0]?.[0];
      this.newest = typeof r === 'bigint' ? r + 1n : null;
    }
    return this.newest;
  }

  async getSpend(query: SpendQuery): Promise<SpendResult> {
    const q = resolveSpendQuery(query);
    const { sql, params } = spendSql(q);
    const rows = (await this.reader.runAndReadAll(sql, params)).getRowObjects();
    return spendResult(
      q,
      rows.map((r) => ({
        periodUs: r.period_us === null || r.period_us === undefined ? null : BigInt(r.period_us as bigint),
        groups: q.groupBy.map((_g, i) => str(r[`g${i}`])),
        cost: Decimal.parse(money(r.cost) ?? '0'),
        requests: num(r.requests) ?? 0,
        unpriced: num(r.unpriced) ?? 0,
        input: num(r.input) ?? 0,
        output: num(r.output) ?? 0,
        cacheRead: num(r.cache_read) ?? 0,
        cacheWrite: num(r.cache_write) ?? 0,
        reasoning: num(r.reasoning) ?? 0,
      })),
    );
  }

  async *scanRecords(query: ScanQuery): AsyncIterable<LedgerRecord[]> {
    const { fromUs, toUs } = resolveRange(query.from, query.to);
    const filters = resolveFilters(query.filters);
    const batch = query.batchSize ?? 5000;
    if (!Number.isInteger(batch) || batch < 1) throw new StoreQueryError('batchSize must be a positive integer');
    let after: { us: bigint; id: string } | null = null;
    for (;;) {
      const w = whereOf(fromUs, toUs, filters);
      if (after) {
        w.clauses.push(`(started_at > ${TS} OR (started_at = ${TS} AND id > ?))`);
        w.params.push(after.us, after.us, after.id);
      }
      const sql = `SELECT * FROM (${SELECT_RECORD}${whereSql(w)}) ORDER BY started_at, id LIMIT ${batch}`;
      const rows = (await this.reader.runAndReadAll(sql, w.params)).getRowObjects();
      if (rows.length === 0) return;
      const last = rows[rows.length - 1]!;
      after = { us: BigInt(last.started_at as bigint), id: String(last.id) };
      yield rows.map(toRecord);
      if (rows.length < batch) return;
    }
  }

  async updateCosts(updates: readonly CostUpdate[], reason: string): Promise<number> {
    if (updates.length === 0) return 0;
    // Last update of an id wins, as if applied one after another.
    const byId = new Map(updates.map((u) => [u.id, u]));
    const rows = [...byId.values()].map((u) => [u.id, ...COST_COLUMNS.map((c) => c.value(costFields(u)))]);
    const changedAt = Date.now();
    return this.serialized(() =>
      this.inTransaction(async () => {
        fs.writeFileSync(this.stagingFile, rows.map(stagingLine).join('\n'));
        await this.writer.run(stageCostUpdates(this.stagingFile));
        try {
          await this.writer.run(
            `INSERT INTO ledger_cost_history SELECT l.id, epoch_ms(l.started_at), ?::BIGINT, ?, l.cost_total, l.priced, l.price_version, u.cost_total, u.priced, u.price_version FROM ledger l JOIN cost_updates u ON l.id = u.id WHERE ${costDiffers('l', 'u')}`,
            [changedAt, reason],
          );
          const result = await this.writer.run(`UPDATE ledger SET ${COST_COLUMNS.map((c) => `${quote(c.name)} = u.${quote(c.name)}`).join(', ')} FROM cost_updates u WHERE ledger.id = u.id AND ${costDiffers('ledger', 'u')}`);
          return Number(result.rowsChanged);
        } finally {
          await this.writer.run('DROP TABLE IF EXISTS cost_updates');
        }
      }),
    );
  }

  async deleteRecordsBefore(before: string): Promise<number> {
    const { fromUs } = resolveRange(before, undefined);
    return this.serialized(async () => Number((await this.writer.run(`DELETE FROM ledger WHERE started_at < ${TS}`, [fromUs!])).rowsChanged));
  }

  /** Domain tables (keys, budgets, alerts…) share this database; see src/store/sql.ts. */
  readonly sql: SqlClient = {
    dialect: 'duckdb',
    // Reads go to the reader connection so they never queue behind a ledger batch.
    query: async (sql, params) => rowsOf(await this.reader.runAndReadAll(sql, duckParams(params))),
    execute: (sql, params) => this.serialized(async () => Number((await this.writer.run(sql, duckParams(params))).rowsChanged)),
    transaction: (fn) =>
      this.serialized(() =>
        this.inTransaction(() => {
          const tx: SqlClient = {
            dialect: 'duckdb',
            query: async (sql, params) => rowsOf(await this.writer.runAndReadAll(sql, duckParams(params))),
            execute: async (sql, params) => Number((await this.writer.run(sql, duckParams(params))).rowsChanged),
            transaction: () => Promise.reject(new Error('nested transactions are not supported')),
          };
          return fn(tx);
        }),
      ),
  };

  async migrateDomain(domain: string, migrations: readonly DomainMigration[]): Promise<void> {
    await this.serialized(async () => {
      await this.writer.run('CREATE TABLE IF NOT EXISTS domain_migrations (domain VARCHAR NOT NULL, version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp, PRIMARY KEY (domain, version))');
      const done = await this.writer.runAndReadAll('SELECT version FROM domain_migrations WHERE domain = $1', [domain]);
      const applied = new Set(done.getRows().map((r) => Number(r[0])));
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) continue;
        await this.inTransaction(async () => {
          await this.writer.run(m.duckdb);
          await this.writer.run('INSERT INTO domain_migrations (domain, version, name) VALUES ($1, $2, $3)', [domain, m.version, m.name]);
        });
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeChain.catch(() => undefined);
    this.writer.closeSync();
    this.reader.closeSync();
    this.instance.closeSync();
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.writeChain.then(fn, fn);
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  private async inTransaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.writer.run('BEGIN TRANSACTION');
    try {
      const out = await fn();
      await this.writer.run('COMMIT');
      return out;
    } catch (err) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
}


function duckParams(params: readonly SqlParam[] | undefined): DuckDBValue[] | undefined {
  return params ? [...params] : undefined;
}

/** Rows in the portable shape of src/store/sql.ts: BIGINT and DECIMAL as exact strings. */
function rowsOf(reader: { getRowObjectsJson(): Record<string, unknown>[] }): SqlRow[] {
  return reader.getRowObjectsJson() as SqlRow[];
}

const str = (v: DuckDBValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: DuckDBValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));
const money = (v: unknown): string | null => (v instanceof DuckDBDecimalValue ? Decimal.fromBigInt(v.value, v.scale).toString() : null);

/** DuckDB's side of the shared mapper: DECIMAL as bigint + scale, instants selected as epoch µs. */
const DUCKDB_ROWS: RowDriver<Row> = {
  cell: (row, col) => row[col.name],
  instant: (v) => (typeof v === 'bigint' ? microsToIso(v) : null),
  money,
};
const toRecord = (row: Row): LedgerRecord => rowToRecord(row, DUCKDB_ROWS);
