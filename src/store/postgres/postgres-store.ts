/**
 * Scale-out store: PostgreSQL (`COSTRAIL_DATABASE_URL=postgres://…`). Same Store contract and
 * conformance suite as the embedded DuckDB store; the schema is in migrations/postgres (monthly
 * partitions, an id guard for idempotency, an hourly rollup kept current on ingest).
 *
 * Every pooled connection runs with TimeZone UTC (hour truncation in the rollup) and, when a
 * schema is given, search_path set to it (tests and side-by-side installs use their own schema).
 */
import pg from 'pg';
import type { LedgerRecord } from '../../ledger/ledger-record.js';
import { decodeEventsCursor, encodeEventsCursor } from '../event-cursor.js';
import { eventsFilters } from '../events-filters.js';
import type { Migration } from '../migrations/embedded/embedded-migrations.js';
import { POSTGRES_MIGRATIONS } from '../migrations/postgres/postgres-migrations.js';
import { overviewFromSpend } from '../spend-overview.js';
import { decimalOrZero, resolveFilters, resolveRange, resolveSpendQuery, savingsQuery, spendResult, withSavings, type RawSpendRow, type ResolvedSpendQuery } from '../spend-query.js';
import type { DomainMigration, SqlClient, SqlParam, SqlRow } from '../sql.js';
import { billedLineStore, type BilledLineStore } from '../billed-lines-repository.js';
import { EconomicsTables } from '../economics-tables.js';
import { inventoryStore, type InventoryStore } from '../inventory-repository.js';
import { resolveEventsLimit, StoreQueryError, type CostUpdate, type OverviewQuery, type OverviewResult, type EventsPage, type EventsQuery, type InsertResult, type ScanQuery, type SpendQuery, type SpendResult, type Store } from '../store.js';
import { LedgerPartitions, monthOf, partitionName } from './pg-partitions.js';
import fs from 'node:fs';
import type { BulkIngestSession, BulkIngestStore } from '../bulk-ingest.js';
import { openPgBulkIngest } from './pg-bulk-ingest.js';
import { copyCsvIntoStaging, copyIntoStaging, STAGING_TABLE } from './pg-copy.js';
import { mergeClashedCalls, stagedRecords } from './pg-call-merge.js';
import { foldBatchCalls } from '../../ledger/call-merge.js';
import { copyBilledParquet } from './pg-billed-copy.js';
import { INSERT_SQL, INSERT_STAGED_SQL, RETAIN_ROLLUPS_SQL, UPDATE_COLUMNS, UPDATE_COSTS_SQL } from './pg-ledger-sql.js';
import { columnArrays, PG_COLUMNS, pgRowToRecord, RECORD_SELECT } from './pg-records.js';
import { Params, pgInstant, pgSpendSql, pgWhere, type PgParam, type SpendSource } from './pg-spend.js';

export interface PostgresStoreOptions {
  /** Schema for every table (created if missing); default: the connection's search_path. */
  schema?: string;
  /** Answer spend queries from the hourly rollup when they allow it (default true; off to compare in tests). */
  useRollups?: boolean;
  /** Pool size; default 8. */
  maxConnections?: number;
  /** Batches of at least this many records go through COPY (default 500; smaller ones in one unnest statement). */
  copyFrom?: number;
}

/** Below this a batch is cheaper as one unnest statement than COPY's four round trips. */
const COPY_FROM = 500;

const NO_PARTITION = '23514';
const DEADLOCK = '40P01';
const SERIALIZATION_FAILURE = '40001';
const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;

export class PostgresStore implements Store, BulkIngestStore {
  readonly kind = 'postgres' as const;
  private readonly partitions: LedgerPartitions;
  private closed = false;
  /** Which table answered the last getSpend (benchmarks and tests look). */
  lastSpendSource: SpendSource = 'ledger';
  get lastSpendFromRollup(): boolean {
    return this.lastSpendSource !== 'ledger';
  }

  private constructor(
    readonly pool: pg.Pool,
    private readonly options: PostgresStoreOptions,
  ) {
    this.partitions = new LedgerPartitions(pool);
  }

  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    if (options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) throw new Error(`not a plain schema name: "${options.schema}"`);
    // Session settings travel as startup options, so every pooled connection has them before its first query.
    const startup = `-c TimeZone=UTC${options.schema ? ` -c search_path=${options.schema}` : ''}`;
    // Bounded waits: a stalled server or link must fail a commit (the writer retries it), never hang it forever.
    const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 8, options: startup, connectionTimeoutMillis: 10_000, query_timeout: 120_000, keepAlive: true });
    // Idle clients can fail (server restart); the pool replaces them, the process must not crash.
    pool.on('error', () => undefined);
    // A client checked out with pool.connect() (partitions, transactions) has no pool listener while
    // it is out: a connection reset then would be an unhandled 'error' event, i.e. a crash. The
    // query in flight fails on its own and the client is discarded on release.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const store = new PostgresStore(pool, options);
    try {
      if (options.schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
      await store.migrate();
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    return store;
  }

  migrate(): Promise<void> {
    return this.applyMigrations('schema_migrations', '(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())', 'SELECT version FROM schema_migrations', [], POSTGRES_MIGRATIONS, (m) => ['INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]]);
  }

  async insertRecords(records: readonly LedgerRecord[]): Promise<InsertResult> {
    if (records.length === 0) return { inserted: 0 };
    // First write of an id wins, also within one batch; sorted so concurrent batches lock ids in one order.
    const unique = new Map<string, LedgerRecord>();
    for (const r of records) if (!unique.has(r.id)) unique.set(r.id, r);
    // Records of one call in one batch are one record before they reach the call guard.
    const batch = foldBatchCalls([...unique.values()]).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const months = batch.map((r) => monthOf(r.started_at));
    const viaCopy = batch.length >= (this.options.copyFrom ?? COPY_FROM);
    const params = viaCopy ? [] : columnArrays(PG_COLUMNS, batch);
    for (let attempt = 0; ; attempt++) {
      await this.partitions.ensure(months);
      try {
        if (viaCopy) return { inserted: await this.insertByCopy(batch) };
        const { rows } = await this.pool.query<{ inserted: number; clashed: string[] }>(INSERT_SQL, params);
        let inserted = rows[0]?.inserted ?? 0;
        const clashed = rows[0]?.clashed ?? [];
        // Another record holds these calls' keys: fold them into it (rare: a call seen twice).
        if (clashed.length > 0) inserted += await this.mergeInTransaction(byIds(batch, clashed));
        return { inserted };
      } catch (e) {
        // Another process dropped a month this store believed existed (retention): recreate once.
        if ((e as { code?: string }).code !== NO_PARTITION || attempt > 0) throw e;
        this.partitions.forget();
      }
    }
  }

  /**
   * Merges each clashed record in a transaction of its own, after the batch's insert committed: one
   * key lock and its rollup rows per transaction, so merges of different calls that share rollup
   * rows do not hold one another's keys. A deadlock or serialization failure PostgreSQL breaks is
   * retried; any other failure fails insertRecords, and the caller's retry of the batch re-clashes
   * exactly the records not merged yet (their ids never entered the ledger).
   */
  private async mergeInTransaction(records: readonly LedgerRecord[]): Promise<number> {
    let inserted = 0;
    for (const record of records) {
      for (let attempt = 0; ; attempt++) {
        const client = await this.pool.connect();
        try {
          await client.query('BEGIN');
          const n = await mergeClashedCalls(client, [record]);
          await client.query('COMMIT');
          inserted += n;
          break;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          const code = (e as { code?: string }).code;
          if ((code !== DEADLOCK && code !== SERIALIZATION_FAILURE) || attempt >= 5) throw e;
        } finally {
          client.release();
        }
      }
    }
    return inserted;
  }

  /** COPY into the session's staging table, then the same guarded insert, in one transaction. */
  private async insertByCopy(batch: readonly LedgerRecord[]): Promise<number> {
    const client = await this.pool.connect();
    let rows: { inserted: number; clashed: string[] }[];
    try {
      await client.query('BEGIN');
      await copyIntoStaging(client, batch);
      rows = (await client.query<{ inserted: number; clashed: string[] }>(INSERT_STAGED_SQL)).rows;
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
    // Merged on connections of their own, this one released first: holding it while waiting for
    // another could starve the pool under concurrent batches.
    const clashed = rows[0]?.clashed ?? [];
    return (rows[0]?.inserted ?? 0) + (clashed.length > 0 ? await this.mergeInTransaction(byIds(batch, clashed)) : 0);
  }

  /** Bulk import (store/bulk-ingest.ts): DuckDB stages and writes CSV batches, COPY takes them. */
  openBulkIngest(): Promise<BulkIngestSession> {
    return openPgBulkIngest((file, months) => this.insertCsv(file, months));
  }

  /** One CSV batch of ledger rows (no id twice) through COPY and the guarded insert, in one transaction. */
  private async insertCsv(file: string, months: readonly string[]): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      await this.partitions.ensure(months);
      const client = await this.pool.connect();
      let done: { inserted: number; incoming: LedgerRecord[] } | undefined;
      try {
        await client.query('BEGIN');
        await copyCsvIntoStaging(client, fs.createReadStream(file));
        const { rows } = await client.query<{ inserted: number; clashed: string[] }>(INSERT_STAGED_SQL);
        const clashed = rows[0]?.clashed ?? [];
        // The file's rows never reach this thread: the clashed ones are read back from staging (emptied at commit).
        const incoming = clashed.length > 0 ? foldBatchCalls(await stagedRecords(client, STAGING_TABLE, clashed)) : [];
        await client.query('COMMIT');
        done = { inserted: rows[0]?.inserted ?? 0, incoming };
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        // Another process dropped a month this store believed existed (retention): recreate once.
        if ((e as { code?: string }).code !== NO_PARTITION || attempt > 0) throw e;
        this.partitions.forget();
      } finally {
        client.release();
      }
      // Merged after the connection went back to the pool (see insertByCopy).
      if (done) return done.inserted + (done.incoming.length > 0 ? await this.mergeInTransaction(done.incoming) : 0);
    }
  }

  async countRecords(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM ledger');
    return Number(rows[0]?.n ?? 0);
  }

  async getEvents(query: EventsQuery): Promise<EventsPage> {
    const limit = resolveEventsLimit(query.limit);
    const { fromUs, toUs } = resolveRange(query.from, query.to);
    const p = new Params();
    const where = pgWhere('started_at', fromUs, toUs, eventsFilters(query), p);
    if (query.cursor) {
      const c = decodeEventsCursor(query.cursor);
      where.push(`(started_at, id) < (${pgInstant(c.startedAtUs, p)}, ${p.add(c.id)}::text)`);
    }
    const sql = `SELECT ${RECORD_SELECT} FROM ledger${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, id DESC LIMIT ${limit + 1}`;
    const { rows } = await this.pool.query<Record<string, unknown>>(sql, p.values);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const next_cursor = rows.length > limit && last ? encodeEventsCursor({ startedAtUs: BigInt(String(last.started_at_us)), id: String(last.id) }) : null;
    return { events: page.map(pgRowToRecord), next_cursor };
  }

  async getSpend(query: SpendQuery): Promise<SpendResult> {
    const q = resolveSpendQuery(query);
    const { sql, params, source } = pgSpendSql(q, this.options.useRollups !== false);
    this.lastSpendSource = source;
    const raw = await this.spendRows(q, sql, params);
    if (!query.with_saved) return spendResult(q, raw);
    // Savings come from the raw cached records (the rollups carry none): one grouped scan of them.
    const sq = savingsQuery(q);
    const saved = sq ? pgSpendSql(sq, false, 'saved') : undefined;
    const result = spendResult(q, withSavings(raw, saved ? await this.spendRows(q, saved.sql, saved.params) : []));
    result.total.saved ??= '0';
    return result;
  }

  private async spendRows(q: ResolvedSpendQuery, sql: string, params: PgParam[]): Promise<RawSpendRow[]> {
    const { rows } = await this.pool.query<Record<string, string | null>>(sql, params);
    const int = (v: string | null | undefined): number => (v === null || v === undefined ? 0 : Number(v));
    return rows.map((r) => ({
      periodUs: r.period_us === null || r.period_us === undefined ? null : BigInt(r.period_us),
      groups: q.groupBy.map((_g, i) => r[`g${i}`] ?? null),
      cost: decimalOrZero(r.cost),
      requests: int(r.requests),
      unpriced: int(r.unpriced),
      input: int(r.input),
      output: int(r.output),
      cacheRead: int(r.cache_read),
      cacheWrite: int(r.cache_write),
      reasoning: int(r.reasoning),
    }));
  }

  /** The overview's parts as concurrent getSpend queries, each answered from the rollups where it can be. */
  getOverview(query: OverviewQuery): Promise<OverviewResult> {
    return overviewFromSpend(this, query);
  }

  async *scanRecords(query: ScanQuery): AsyncIterable<LedgerRecord[]> {
    const { fromUs, toUs } = resolveRange(query.from, query.to);
    const filters = resolveFilters(query.filters);
    const batch = query.batchSize ?? 5000;
    if (!Number.isInteger(batch) || batch < 1) throw new StoreQueryError('batchSize must be a positive integer');
    let after: { us: bigint; id: string } | null = null;
    for (;;) {
      const p = new Params();
      const where = pgWhere('started_at', fromUs, toUs, filters, p);
      if (after) where.push(`(started_at, id) > (${pgInstant(after.us, p)}, ${p.add(after.id)}::text)`);
      const sql = `SELECT ${RECORD_SELECT} FROM ledger${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at, id LIMIT ${batch}`;
      const { rows } = await this.pool.query<Record<string, unknown>>(sql, p.values);
      if (rows.length === 0) return;
      const last = rows[rows.length - 1]!;
      after = { us: BigInt(String(last.started_at_us)), id: String(last.id) };
      yield rows.map(pgRowToRecord);
      if (rows.length < batch) return;
    }
  }

  async updateCosts(updates: readonly CostUpdate[], reason: string): Promise<number> {
    if (updates.length === 0) return 0;
    const byId = new Map(updates.map((u) => [u.id, u]));
    const pseudo = [...byId.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((u) => ({ id: u.id, cost: u.cost, priced: u.priced, price_version: u.price_version, unpriced_reason: u.unpriced_reason }) as LedgerRecord);
    const params: PgParam[] = [...(columnArrays(UPDATE_COLUMNS, pseudo) as PgParam[]), String(Date.now()), reason];
    const { rows } = await this.pool.query<{ changed: number }>(UPDATE_COSTS_SQL, params);
    return rows[0]?.changed ?? 0;
  }

  async deleteRecordsBefore(before: string): Promise<number> {
    const { fromUs: cutoffUs } = resolveRange(before, undefined);
    const cutoffMs = Number(cutoffUs! / 1000n);
    const months = await this.partitions.list();
    // Whole months before the cutoff are dropped (instant, no dead tuples); the rest is deleted.
    const whole = months.filter((m) => Date.parse(LedgerPartitions.end(m)) <= cutoffMs);
    const deleted = await this.sql.transaction(async (tx) => {
      let n = 0;
      await tx.query('SELECT pg_advisory_xact_lock(hashtext(current_schema() || $1))', ['costrail-ledger-partitions']);
      for (const statement of RETAIN_ROLLUPS_SQL) await tx.execute(statement, [cutoffUs!.toString()]);
      for (const m of whole) {
        n += Number((await tx.query(`SELECT count(*) AS n FROM ${partitionName(m)}`))[0]?.n ?? 0);
        await tx.execute(`DROP TABLE ${partitionName(m)}`);
      }
      const p = new Params();
      const cut = pgInstant(cutoffUs!, p);
      n += await tx.execute(`DELETE FROM ledger WHERE started_at < ${cut}`, p.values as SqlParam[]);
      await tx.execute(`DELETE FROM ledger_ids WHERE started_at < ${cut}`, p.values as SqlParam[]);
      await tx.execute(`DELETE FROM ledger_calls WHERE started_at < ${cut}`, p.values as SqlParam[]);
      return n;
    });
    for (const m of whole) this.partitions.forget(m);
    return deleted;
  }

  readonly sql: SqlClient = {
    dialect: 'postgres',
    query: async (sql, params) => (await this.pool.query(sql, params ? [...params] : undefined)).rows as SqlRow[],
    execute: async (sql, params) => (await this.pool.query(sql, params ? [...params] : undefined)).rowCount ?? 0,
    transaction: async (fn) => {
      const client = await this.pool.connect();
      const tx: SqlClient = {
        dialect: 'postgres',
        query: async (sql, params) => (await client.query(sql, params ? [...params] : undefined)).rows as SqlRow[],
        execute: async (sql, params) => (await client.query(sql, params ? [...params] : undefined)).rowCount ?? 0,
        transaction: () => Promise.reject(new Error('nested transactions are not supported')),
      };
      try {
        await client.query('BEGIN');
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
  };

  /** Billed line items (migration: embedded 006 / PostgreSQL 004), over the portable SQL above. */
  readonly billed: BilledLineStore = billedLineStore(this.sql, (importId, source, file) => this.copyBilledParquet(importId, source, file));

  /** An importer's Parquet file of billed lines, through DuckDB's CSV writer and COPY, in one transaction. */
  private async copyBilledParquet(importId: string, source: string, file: string): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const n = await copyBilledParquet(client, importId, source, file);
      await client.query('COMMIT');
      return n;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }
  /** The AI spend inventory (migration: embedded 008 / PostgreSQL 006), over the portable SQL above. */
  readonly inventory: InventoryStore = inventoryStore(this.sql);

  migrateDomain(domain: string, migrations: readonly DomainMigration[]): Promise<void> {
    return this.applyMigrations(
      'domain_migrations',
      '(domain TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (domain, version))',
      'SELECT version FROM domain_migrations WHERE domain = $1',
      [domain],
      migrations.map((m) => ({ version: m.version, name: m.name, sql: m.postgres })),
      (m) => ['INSERT INTO domain_migrations (domain, version, name) VALUES ($1, $2, $3)', [domain, m.version, m.name]],
    );
  }

  /** Outcomes and revenue: portable SQL shared by both engines (src/store/economics-tables.ts). */
  private economicsTables?: EconomicsTables;
  get economics(): EconomicsTables {
    return (this.economicsTables ??= new EconomicsTables(this.sql));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Pending migrations in version order, each with its record, all under one advisory lock. */
  private async applyMigrations(table: string, columns: string, appliedSql: string, appliedParams: SqlParam[], migrations: readonly Migration[], record: (m: Migration) => [string, SqlParam[]]): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext(current_schema() || $1))', [`costrail-${table}`]);
      await tx.execute(`CREATE TABLE IF NOT EXISTS ${table} ${columns}`);
      const applied = new Set((await tx.query(appliedSql, appliedParams)).map((r) => Number(r.version)));
      for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
        if (applied.has(m.version)) continue;
        await tx.execute(m.sql);
        const [sql, params] = record(m);
        await tx.execute(sql, params);
      }
    });
  }
}

/** The batch's records with these ids (the insert's `clashed`). */
function byIds(batch: readonly LedgerRecord[], ids: readonly string[]): LedgerRecord[] {
  const wanted = new Set(ids);
  return batch.filter((r) => wanted.has(r.id));
}
