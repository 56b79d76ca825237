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
import { rowToRecord, type RowDriver } from '../ledger-row.js';
import { StagingWorkerClient } from './staging-worker-client.js';
import { mergeSameCalls } from './duckdb-call-merge.js';
import { COLUMNS, STAGING_READ_COLUMNS, STARTED_AT_INDEX, stagingColumns, stagingLine, type StageType, type StageValue } from './duckdb-staging.js';
import { decodeEventsCursor, encodeEventsCursor, microsToIso } from '../event-cursor.js';
import { eventsFilters } from '../events-filters.js';
import { resolveFilters, resolveRange, resolveSpendQuery, savingsQuery, spendResult, withSavings, type RawSpendRow, type ResolvedSpendQuery } from '../spend-query.js';
import { spendSql, TS, whereOf, whereSql } from './duckdb-spend.js';
import { overviewCovers, overviewSql, WINDOW_PART } from './duckdb-overview.js';
import { resolveOverviewQuery } from '../spend-overview.js';
import { appendRollupDelta, compactRollup, floorHour, ingestDelta, mergeRollupDelta, repriceDelta, retainRollupFrom, rollupCovers, rollupSource, ROLLUP_TABLE } from './duckdb-rollup.js';
import { ROLLUP_DIMENSIONS, ROLLUP_INGEST_SUMS } from '../migrations/embedded/005-ledger-rollup-hourly.js';
import { EMBEDDED_MIGRATIONS } from '../migrations/embedded/embedded-migrations.js';
import { resolveEventsLimit, StoreQueryError, type CostUpdate, type OverviewQuery, type OverviewResult, type EventsPage, type EventsQuery, type InsertResult, type ScanQuery, type SpendQuery, type SpendResult, type Store } from '../store.js';
import type { DomainMigration, SqlClient, SqlParam, SqlRow } from '../sql.js';
import { BILLED_LINE_COLUMNS, BILLED_PARQUET_COLUMNS, billedLineStore, type BilledLineStore } from '../billed-lines-repository.js';
import { EconomicsTables } from '../economics-tables.js';
import { inventoryStore, type InventoryStore } from '../inventory-repository.js';
import type { BulkIngestSession, BulkIngestStore } from '../bulk-ingest.js';

export const LEDGER_DB_FILE = 'ledger.duckdb';

type Row = Record<string, DuckDBValue>;

const quote = (name: string): string => `"${name}"`;
// Batches go column-wise into a TEMP staging table through the appender (one DataChunk of up to
// 2,048 rows per call), then one INSERT ... SELECT converts and merges them. Earlier designs:
// one appender call per value (hundreds of native calls per record on the event loop) halved
// gateway throughput; a JSON Lines scratch file read back with read_json re-encoded every record
// as text first. A chunk per 2,048 rows measured faster than the scratch file (docs/architecture.md)
// for batches of records in memory; the gateway's spool segments take insertSpoolSegment() instead,
// which does that encoding on a worker thread and keeps the event loop free.
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
/** The batch's new rows (after the id check), converted: inserted into the ledger and summed into the rollup. */
const FRESH_TABLE = 'ledger_fresh';
const MERGE_STAGED = (() => {
  const existing = `SELECT id FROM ledger WHERE started_at BETWEEN make_timestamp(?::BIGINT) AND make_timestamp(?::BIGINT)`;
  const fresh = `SELECT * FROM ${STAGING_TABLE} s WHERE s.c0 NOT IN (${existing}) QUALIFY row_number() OVER (PARTITION BY s.c0 ORDER BY s._line) = 1`;
  return `CREATE TEMP TABLE ${FRESH_TABLE} AS SELECT ${COLUMNS.map((c, i) => `${c.convert(`c${i}`)} AS ${quote(c.name)}`).join(', ')} FROM (${fresh})`;
})();
/** The staging table's rows converted to ledger columns (merged records of a call, duckdb-call-merge.ts). */
const STAGED_CONVERTED = `SELECT ${COLUMNS.map((c, i) => `${c.convert(`c${i}`)} AS ${quote(c.name)}`).join(', ')} FROM ${STAGING_TABLE}`;
const INSERT_FRESH = `INSERT INTO ledger (${COLUMNS.map((c) => quote(c.name)).join(', ')}) SELECT * FROM ${FRESH_TABLE}`;
/**
 * The same merge for a bulk import (store/bulk-ingest.ts): `select` already yields ledger-typed
 * columns by name and `_line`; the same two window bounds as parameters. Lands in FRESH_TABLE so the
 * rollup takes the same rows the ledger does.
 */
const freshImportSql = (select: string): string => {
  const existing = `SELECT id FROM ledger WHERE started_at BETWEEN make_timestamp(?::BIGINT) AND make_timestamp(?::BIGINT)`;
  const names = COLUMNS.map((c) => quote(c.name)).join(', ');
  return `CREATE TEMP TABLE ${FRESH_TABLE} AS SELECT ${names} FROM (SELECT * FROM (${select}) s WHERE s.id NOT IN (${existing}) QUALIFY row_number() OVER (PARTITION BY s.id ORDER BY s._line) = 1)`;
};
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
  /** Answer spend queries from the hourly rollup when they allow it (default true; off to compare in tests and benchmarks). */
  useRollups?: boolean;
  /**
   * DuckDB's memory_limit, e.g. '256MB' or '1GB' (default DUCKDB_DEFAULT_MEMORY_LIMIT). DuckDB's own
   * default is 80% of the machine's RAM, which lets its buffer pool grow and keep pages well past
   * what a ledger needs; queries larger than the limit spill to `<data>/.tmp` instead of failing.
   */
  memoryLimit?: string;
  /** DuckDB worker threads (default: DuckDB's, the number of cores). Each keeps its own buffers. */
  threads?: number;
  /** Compact the hourly rollup once this many rows were appended to it (default ROLLUP_COMPACT_AFTER; tests use 1). */
  rollupCompactAfter?: number;
}

/** Appended rollup rows that trigger a compaction of the hours they fell in (a few ms for the current hour). */
export const ROLLUP_COMPACT_AFTER = 20_000;

/** Bounded so an idle server stays small; big group-bys spill to disk rather than fail (docs/operations.md). */
export const DUCKDB_DEFAULT_MEMORY_LIMIT = '512MB';
const MEMORY_LIMIT_RE = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

export class DuckDbStore implements Store, BulkIngestStore {
  readonly kind = 'embedded' as const;
  /** Serializes writes: a DuckDB connection holds one transaction at a time. */
  private writeChain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Newest started_at + 1 µs seen (null: empty; undefined: not looked up yet). */
  private newest: bigint | null | undefined = undefined;
  /** Whether the last getSpend read the hourly rollup (tests and benchmarks look). */
  lastSpendFromRollup = false;
  private useRollups = true;
  private rollupCompactAfter = ROLLUP_COMPACT_AFTER;
  /** Rollup rows appended since the last compaction, and the hours (epoch µs) they fell in. */
  private rollupPending = 0;
  private readonly rollupDirty = new Set<bigint>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly reader: DuckDBConnection,
    readonly file: string,
  ) {
    this.stagingFile = path.join(path.dirname(file), `.ledger-staging-${process.pid}.jsonl`);
  }

  /** Scratch file for one cost update at a time (writes are serialized); segment loads add a counter. */
  private readonly stagingFile: string;
  private segmentScratch = 0;
  private stagingWorker: StagingWorkerClient | undefined;

  /** Opens (creating if needed) `<dataDir>/ledger.duckdb` and applies pending migrations. */
  static async open(dataDir: string, options: DuckDbStoreOptions = {}): Promise<DuckDbStore> {
    if (!options.readOnly) fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, LEDGER_DB_FILE);
    const memoryLimit = options.memoryLimit ?? DUCKDB_DEFAULT_MEMORY_LIMIT;
    if (!MEMORY_LIMIT_RE.test(memoryLimit)) throw new Error(`memory limit must be a size such as 512MB or 2GB, not "${memoryLimit}"`);
    if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1 || options.threads > 256)) throw new Error(`threads must be a whole number from 1 to 256, not ${options.threads}`);
    const config: Record<string, string> = { memory_limit: memoryLimit, temp_directory: path.join(dataDir, '.tmp') };
    if (options.threads !== undefined) config.threads = String(options.threads);
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    const instance = await DuckDBInstance.create(file, config);
    const store = new DuckDbStore(instance, await instance.connect(), await instance.connect(), file);
    store.useRollups = options.useRollups !== false;
    // A read-only open skips migrations: a ledger no server has migrated to 005 yet has no rollup to read.
    if (options.readOnly && store.useRollups) {
      const found = await store.reader.runAndReadAll(`SELECT count(*) FROM duckdb_tables() WHERE table_name = '${ROLLUP_TABLE}'`);
      store.useRollups = Number(found.getRows()[0]?.[0] ?? 0) > 0;
    }
    store.rollupCompactAfter = options.rollupCompactAfter ?? ROLLUP_COMPACT_AFTER;
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
        await this.stage(cols, records.length);
        await this.writer.run(`DROP TABLE IF EXISTS temp.${FRESH_TABLE}`);
        await this.writer.run(MERGE_STAGED, [lo, hi]);
        const merged = await this.mergeCalls(BigInt(lo), BigInt(hi));
        const result = await this.writer.run(INSERT_FRESH);
        await this.rollUp(starts);
        await this.writer.run(`DROP TABLE ${FRESH_TABLE}`);
        for (const us of starts) {
          if (typeof us === 'bigint' && this.newest !== undefined && (this.newest === null || us >= this.newest)) this.newest = us + 1n;
        }
        return { inserted: Number(result.rowsChanged) - merged };
      }),
    );
  }

  /** The staging table emptied and filled with these staging columns (inside a write). */
  private async stage(cols: ReturnType<typeof stagingColumns>, rows: number): Promise<void> {
    await this.writer.run(CREATE_STAGING);
    await this.writer.run(`DELETE FROM ${STAGING_TABLE}`);
    const appender = await this.writer.createAppender(STAGING_TABLE, 'main', 'temp');
    try {
      for (let off = 0; off < rows; off += CHUNK_ROWS) {
        const end = Math.min(off + CHUNK_ROWS, rows);
        const chunk = DuckDBDataChunk.create(CHUNK_TYPES, end - off);
        chunk.setColumns(cols.map((c) => c.slice(off, end)));
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /**
   * One record per call (duckdb-call-merge.ts): folds the fresh rows whose call the ledger or the
   * batch already has. Returns how many stored rows were replaced (not new records). Inside a write,
   * with FRESH_TABLE filled.
   */
  private async mergeCalls(loUs: bigint, hiUs: bigint): Promise<number> {
    const r = await mergeSameCalls(
      {
        writer: this.writer,
        fresh: FRESH_TABLE,
        toRecord,
        addFresh: async (records) => {
          if (records.length === 0) return;
          await this.stage(stagingColumns(records), records.length);
          await this.writer.run(`INSERT INTO ${FRESH_TABLE} ${STAGED_CONVERTED}`);
        },
      },
      loUs,
      hiUs,
    );
    this.rollupPending += r.rollupRows;
    for (const h of r.hours) this.rollupDirty.add(h);
    return r.replaced;
  }

  /**
   * Commits a whole spool segment (JSON Lines of records) without handling a record on the
   * calling thread: the staging worker writes the staging lines to a scratch file and DuckDB
   * reads it (read_json) on its own threads; the appender path above runs its chunk building
   * and flush synchronously on the event loop (tens of ms per batch, the gateway's p99). Same
   * staging values, same idempotent merge. Rejects with SegmentStagingError when a line is not
   * a record: the caller then commits the segment through insertRecords().
   */
  async insertSpoolSegment(segment: string): Promise<InsertResult & { records: number }> {
    const scratch = `${this.stagingFile}.${++this.segmentScratch}`;
    try {
      const staged = await (this.stagingWorker ??= new StagingWorkerClient()).stage(segment, scratch);
      if (staged.count === 0) return { inserted: 0, records: 0 };
      const source = `read_json('${scratch.replace(/'/g, "''")}', format = 'newline_delimited', columns = ${STAGING_READ_COLUMNS})`;
      return await this.serialized(() =>
        this.inTransaction(async () => {
          await this.writer.run(CREATE_STAGING);
          await this.writer.run(`DELETE FROM ${STAGING_TABLE}`);
          await this.writer.run(`INSERT INTO ${STAGING_TABLE} SELECT * FROM ${source}`);
          await this.writer.run(`DROP TABLE IF EXISTS temp.${FRESH_TABLE}`);
          await this.writer.run(MERGE_STAGED, [Number(staged.lo), Number(staged.hi)]);
          const merged = await this.mergeCalls(BigInt(staged.lo), BigInt(staged.hi));
          const result = await this.writer.run(INSERT_FRESH);
          // The segment's records never reach this thread: their hours come from the fresh rows.
          await this.rollUpFresh();
          await this.writer.run(`DROP TABLE ${FRESH_TABLE}`);
          const hi = BigInt(staged.hi);
          if (this.newest !== undefined && (this.newest === null || hi >= this.newest)) this.newest = hi + 1n;
          return { inserted: Number(result.rowsChanged) - merged, records: staged.count };
        }),
      );
    } finally {
      fs.rmSync(scratch, { force: true });
    }
  }

  /** Sums the batch just staged in FRESH_TABLE into the rollup; compacts the dirtied hours now and then. Inside the batch's transaction. */
  private async rollUp(starts: readonly StageValue[]): Promise<void> {
    this.rollupPending += await appendRollupDelta(this.writer, ingestDelta(FRESH_TABLE));
    for (const us of starts) if (typeof us === 'bigint') this.rollupDirty.add(floorHour(us));
    if (this.rollupPending >= this.rollupCompactAfter) await this.compactDirtyHours();
  }

  /** rollUp() for rows that never reached this thread (spool segments, bulk imports): their hours come from FRESH_TABLE. */
  private async rollUpFresh(): Promise<void> {
    const hours = await this.writer.runAndReadAll(`SELECT DISTINCT epoch_us(date_trunc('hour', started_at)) FROM ${FRESH_TABLE}`);
    await this.rollUp(hours.getRows().map((r) => BigInt(r[0] as bigint)));
  }

  private async compactDirtyHours(): Promise<void> {
    await compactRollup(this.writer, [...this.rollupDirty]);
    this.rollupDirty.clear();
    this.rollupPending = 0;
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
            await this.writer.run(`DROP TABLE IF EXISTS temp.${FRESH_TABLE}`);
            await this.writer.run(freshImportSql(select), [lo, hi]);
            const merged = await this.mergeCalls(BigInt(lo as bigint), BigInt(hi as bigint));
            const result = await this.writer.run(INSERT_FRESH);
            await this.rollUpFresh();
            await this.writer.run(`DROP TABLE ${FRESH_TABLE}`);
            // Looked up again on the next getEvents.
            this.newest = undefined;
            return Number(result.rowsChanged) - merged;
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
    this.lastSpendFromRollup = this.useRollups && rollupCovers(q);
    const bounds = [q.fromUs, q.toUs].filter((b): b is bigint => b !== undefined);
    const { sql, params } = spendSql(q, this.lastSpendFromRollup ? rollupSource(q.fromUs, q.toUs, bounds) : undefined);
    const rows = (await this.reader.runAndReadAll(sql, params)).getRowObjects();
    const raw = rows.map(
      (r): RawSpendRow => ({
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
      }),
    );
    if (!query.with_saved) return spendResult(q, raw);
    // Savings come from the raw cached records (the rollup carries none): one grouped scan of them.
    const sq = savingsQuery(q);
    const savedSql = sq ? spendSql(sq, undefined, 'saved') : undefined;
    const savedRows = savedSql ? (await this.reader.runAndReadAll(savedSql.sql, savedSql.params)).getRowObjects() : [];
    const savings = savedRows.map((r): RawSpendRow => ({ periodUs: r.period_us === null || r.period_us === undefined ? null : BigInt(r.period_us as bigint), groups: q.groupBy.map((_g, i) => str(r[`g${i}`])), cost: Decimal.parse(money(r.cost) ?? '0'), requests: 0, unpriced: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 }));
    const result = spendResult(q, withSavings(raw, savings));
    result.total.saved ??= '0';
    return result;
  }

  /** One grouping-sets query for the whole overview (src/store/embedded/duckdb-overview.ts). */
  async getOverview(query: OverviewQuery): Promise<OverviewResult> {
    const o = resolveOverviewQuery(query);
    // Top lists by dimensions the rollup lacks (customer, tags) would send everything to the raw
    // ledger; instead they get a second, raw query of their own and the rest reads the rollup.
    const covered = o.top.map((t) => !this.useRollups || overviewCovers(o, t.dim));
    const split = covered.some((c) => !c) && overviewSql({ ...o, top: [] }, this.useRollups).fromRollup;
    const mainTop = split ? o.top.filter((_t, i) => covered[i]) : o.top;
    const main = overviewSql({ ...o, top: mainTop }, this.useRollups);
    this.lastSpendFromRollup = main.fromRollup;
    const rows = (await this.reader.runAndReadAll(main.sql, main.params)).getRowObjects();
    const rawTop = split ? o.top.filter((_t, i) => !covered[i]) : [];
    let rawRows: Row[] = [];
    if (rawTop.length > 0) {
      const q = overviewSql({ ...o, top: rawTop, windows: [] }, false, false);
      rawRows = (await this.reader.runAndReadAll(q.sql, q.params)).getRowObjects();
    }
    const raw = (r: Row): RawSpendRow => ({
      periodUs: r.day_us === null || r.day_us === undefined ? null : BigInt(r.day_us as bigint),
      groups: [str(r.g)],
      cost: Decimal.parse(money(r.cost) ?? '0'),
      requests: num(r.requests) ?? 0,
      unpriced: num(r.unpriced) ?? 0,
      input: num(r.input) ?? 0,
      output: num(r.output) ?? 0,
      cacheRead: num(r.cache_read) ?? 0,
      cacheWrite: num(r.cache_write) ?? 0,
      reasoning: num(r.reasoning) ?? 0,
    });
    const chart: RawSpendRow[] = [];
    const tops = new Map<string, RawSpendRow[]>(o.top.map((t) => [t.key, []]));
    const windows = new Map<number, RawSpendRow>();
    const collect = (result: readonly Row[], topKeys: readonly string[]): void => {
      for (const r of result) {
        const p = Number(r.part);
        if (p >= WINDOW_PART) windows.set(p - WINDOW_PART, raw(r));
        else if ((num(r.requests) ?? 0) <= 0) continue;
        else if (p === 0) chart.push(raw(r));
        else tops.get(topKeys[p - 1]!)!.push(raw(r));
      }
    };
    collect(rows, mainTop.map((t) => t.key));
    collect(rawRows, rawTop.map((t) => t.key));
    const one = (key: string, dim: ResolvedSpendQuery['groupBy'][number]['dim']): Pick<ResolvedSpendQuery, 'groupBy'> => ({ groupBy: [{ key, dim }] });
    return {
      daily: spendResult(one(o.stack.key, o.stack.dim), chart),
      top: Object.fromEntries(o.top.map((t) => [t.key, spendResult(one(t.key, t.dim), tops.get(t.key)!)])),
      windows: Object.fromEntries(o.windows.map((w, i) => [w.name, { cost: (windows.get(i)?.cost ?? Decimal.ZERO).toString(), requests: windows.get(i)?.requests ?? 0, unpriced_requests: windows.get(i)?.unpriced ?? 0 }])),
    };
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
          // Before the UPDATE: the delta needs the old cost beside the new one.
          await mergeRollupDelta(this.writer, repriceDelta(`ledger l JOIN cost_updates u ON l.id = u.id WHERE ${costDiffers('l', 'u')}`));
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
    return this.serialized(() =>
      this.inTransaction(async () => {
        await retainRollupFrom(this.writer, fromUs!);
        return Number((await this.writer.run(`DELETE FROM ledger WHERE started_at < ${TS}`, [fromUs!])).rowsChanged);
      }),
    );
  }

  /**
   * Recomputes the rollup from the raw ledger, for ledgers written around the store (benchmarks
   * copying rows in SQL). Normal writes never need it: they keep the rollup current themselves.
   */
  async rebuildRollups(): Promise<void> {
    const dims = ROLLUP_DIMENSIONS.map(quote).join(', ');
    await this.serialized(() =>
      this.inTransaction(async () => {
        await this.writer.run(`DELETE FROM ${ROLLUP_TABLE}`);
        await this.writer.run(`INSERT INTO ${ROLLUP_TABLE} SELECT date_trunc('hour', started_at) AS hour, ${dims}, ${ROLLUP_INGEST_SUMS.join(', ')} FROM ledger GROUP BY ALL ORDER BY hour`);
      }),
    );
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

  /** Billed line items (migration: embedded 006 / PostgreSQL 004), over the portable SQL above. */
  readonly billed: BilledLineStore = billedLineStore(
    this.sql,
    (importId, source, file) => this.appendBilledParquet(importId, source, file),
    (rows) => this.appendBilledRows(rows),
  );

  /** An importer's Parquet file of billed lines, read by DuckDB straight into billed_line. */
  private appendBilledParquet(importId: string, source: string, file: string): Promise<number> {
    const cols = BILLED_PARQUET_COLUMNS.join(', ');
    return this.serialized(() =>
      this.inTransaction(async () => {
        const result = await this.writer.run(`INSERT INTO billed_line (import_id, source, ${cols}) SELECT $1, $2, ${cols} FROM read_parquet('${file.replace(/'/g, "''")}')`, [importId, source]);
        return Number(result.rowsChanged);
      }),
    );
  }
  /** The AI spend inventory (migration: embedded 008 / PostgreSQL 006), over the portable SQL above. */
  readonly inventory: InventoryStore = inventoryStore(this.sql);

  /**
   * Billed lines in bulk: written as a CSV scratch file that DuckDB's own reader loads in one
   * INSERT … SELECT. Measured on 100k lines: parameterised multi-row INSERTs ~800 rows/s, the
   * appender with VARCHAR chunks ~13k rows/s. And DuckDB's VARCHAR -> DECIMAL(38,18) cast alone
   * cost ~35 µs a value, while VARCHAR -> DECIMAL(18,9) is ~1 µs: so each amount travels in one of
   * two fields, the narrow one when it fits (≤ 9 integer and ≤ 9 fraction digits, nearly every
   * bill line), the wide one otherwise; both widen to DECIMAL(38,18) exactly.
   */
  private appendBilledRows(rows: readonly (readonly SqlParam[])[]): Promise<number> {
    const n = BILLED_LINE_COLUMNS.length;
    const isBig = (i: number): boolean => i === 2 || i === 14 || i === 15;
    const MONEY = [9, 11, 13];
    const wide = (i: number): number => n + MONEY.indexOf(i);
    const types = `{${[...BILLED_LINE_COLUMNS, ...MONEY].map((_c, i) => `'c${i}': '${isBig(i) ? 'BIGINT' : 'VARCHAR'}'`).join(', ')}}`;
    const select = BILLED_LINE_COLUMNS.map((_c, i) => (MONEY.includes(i) ? `COALESCE(c${i}::DECIMAL(18,9), c${wide(i)}::DECIMAL(38,18))` : `c${i}`));
    const narrow = /^-?\d{1,9}(\.\d{1,9})?$/;
    const isMoney = BILLED_LINE_COLUMNS.map((_c, i) => MONEY.includes(i));
    const file = this.stagingFile.replace(/\.jsonl$/, '.billed.csv');
    return this.serialized(async () => {
      const parts: string[] = new Array<string>(rows.length);
      for (let j = 0; j < rows.length; j++) {
        const r = rows[j]!;
        let line = '';
        let tail = '';
        for (let i = 0; i < n; i++) {
          if (i > 0) line += ',';
          const v = r[i];
          if (isMoney[i]) {
            // Money: narrow field or wide field, the other left NULL.
            if (typeof v === 'string' && !narrow.test(v)) tail += `,${v}`;
            else {
              tail += ',';
              if (v !== null && v !== undefined) line += String(v);
            }
            continue;
          }
          // NULL is an empty unquoted field; every text value is quoted, so '' stays ''.
          if (v === null || v === undefined) continue;
          line += typeof v === 'string' ? `"${v.includes('"') ? v.replace(/"/g, '""') : v}"` : String(v);
        }
        parts[j] = line + tail;
      }
      fs.writeFileSync(file, parts.join('\n') + '\n');
      try {
        return await this.inTransaction(async () => {
          const source = `read_csv('${file.replace(/'/g, "''")}', header = false, columns = ${types}, quote = '"', escape = '"', delim = ',', allow_quoted_nulls = false, strict_mode = true)`;
          const result = await this.writer.run(`INSERT INTO billed_line (${BILLED_LINE_COLUMNS.join(', ')}) SELECT ${select.join(', ')} FROM ${source}`);
          return Number(result.rowsChanged);
        });
      } finally {
        fs.rmSync(file, { force: true });
      }
    });
  }

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

  /** Outcomes and revenue: portable SQL shared by both engines (src/store/economics-tables.ts). */
  private economicsTables?: EconomicsTables;
  get economics(): EconomicsTables {
    return (this.economicsTables ??= new EconomicsTables(this.sql));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeChain.catch(() => undefined);
    await this.stagingWorker?.close();
    // Leave one row per key behind (a crash before this only leaves rows that still sum exactly).
    if (this.rollupDirty.size > 0) await this.inTransaction(() => this.compactDirtyHours()).catch(() => undefined);
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
