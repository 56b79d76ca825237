/**
 * Seat lists and GPU usage over the portable SqlClient, for both engines (tables from embedded
 * migration 010 / PostgreSQL migration 008, src/store/migrations/inventory-usage-ddl.ts; `gpu_usage.vendor`
 * from embedded 012 / PostgreSQL 010).
 */
import { Decimal } from '../pricing/decimal.js';
import type { SqlClient, SqlParam, SqlRow } from './sql.js';
import { numberOf, textOf } from './sql.js';
import { StoreQueryError } from './store.js';
import { insertNewByHash } from './insert-new-by-hash.js';
import type { GpuUsageLine, SeatAssignment } from './spend-source.js';

const GPU_COLUMNS = ['usage_hash', 'file', 'line', 'day', 'instance_type', 'gpu_hours', 'busy_hours', 'hourly_usd', 'cost_usd', 'model', 'input_tokens', 'output_tokens', 'team', 'vendor'] as const;
const DECIMAL_COLUMNS = new Set<string>(['gpu_hours', 'busy_hours', 'hourly_usd', 'cost_usd']);
const BIGINT_COLUMNS = new Set<string>(['line', 'day', 'input_tokens', 'output_tokens']);
const ROWS_PER_INSERT = 500;
const DAY_MS = 86_400_000;

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new StoreQueryError(`not an ISO 8601 instant or day: ${iso}`);
  return t;
};
const dec = (v: SqlRow[string] | undefined): string | null => (v === null || v === undefined ? null : Decimal.parse(String(v)).toString());
const cast = (c: string): string => (DECIMAL_COLUMNS.has(c) ? '::DECIMAL(38,18)' : BIGINT_COLUMNS.has(c) ? '::BIGINT' : '');

/** Replaces each listed person's seat on its source (a seat list re-imported updates last activity). */
export async function putSeats(sql: SqlClient, seats: readonly SeatAssignment[]): Promise<number> {
  if (seats.length === 0) return 0;
  return sql.transaction(async (tx) => {
    const now = Date.now();
    for (let off = 0; off < seats.length; off += ROWS_PER_INSERT) {
      const batch = seats.slice(off, off + ROWS_PER_INSERT);
      const keys = batch.map((_s, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ');
      await tx.execute(`DELETE FROM seat_assignment WHERE (source_id, person) IN (${keys})`, batch.flatMap((s) => [s.source_id, s.person]));
      const params: SqlParam[] = [];
      const tuples = batch.map((s) => {
        const b = params.push(s.source_id, s.person, s.team, s.last_active_at === null ? null : ms(s.last_active_at), s.file, now) - 6;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}::BIGINT, $${b + 5}, $${b + 6}::BIGINT)`;
      });
      await tx.execute(`INSERT INTO seat_assignment (source_id, person, team, last_active_at, file, imported_at) VALUES ${tuples.join(', ')}`, params);
    }
    return seats.length;
  });
}

export async function listSeats(sql: SqlClient, sourceId?: string): Promise<SeatAssignment[]> {
  const rows = sourceId === undefined ? await sql.query('SELECT * FROM seat_assignment ORDER BY source_id, person') : await sql.query('SELECT * FROM seat_assignment WHERE source_id = $1 ORDER BY person', [sourceId]);
  return rows.map((r) => {
    const last = numberOf(r['last_active_at']);
    return { source_id: String(r['source_id']), person: String(r['person']), team: textOf(r['team']), last_active_at: last === null ? null : new Date(last).toISOString(), file: String(r['file']) };
  });
}

/** Adds GPU usage lines, skipping hashes already stored; returns how many were new. */
export function insertGpuUsage(sql: SqlClient, lines: readonly GpuUsageLine[]): Promise<number> {
  return insertNewByHash(sql, lines, { table: 'gpu_usage', hashColumn: 'usage_hash', columns: GPU_COLUMNS, hashOf: (l) => l.usage_hash, value: (l, c) => (c === 'day' ? ms(`${l.day}T00:00:00Z`) : l[c as (typeof GPU_COLUMNS)[number]]), cast });
}

/** GPU usage lines with `from <= day < to`, oldest first. */
export async function listGpuUsage(sql: SqlClient, q: { from: string; to: string }): Promise<GpuUsageLine[]> {
  // A day belongs to the window when its midnight does (the day is the unit GPU exports report in).
  const rows = await sql.query('SELECT * FROM gpu_usage WHERE day >= $1 AND day < $2 ORDER BY day, file, line, usage_hash', [Math.ceil(ms(q.from) / DAY_MS) * DAY_MS, ms(q.to)]);
  return rows.map((r) => ({
    usage_hash: String(r['usage_hash']),
    file: String(r['file']),
    line: numberOf(r['line']) ?? 0,
    day: new Date(numberOf(r['day']) ?? 0).toISOString().slice(0, 10),
    instance_type: String(r['instance_type']),
    gpu_hours: dec(r['gpu_hours']) ?? '0',
    busy_hours: dec(r['busy_hours']),
    hourly_usd: dec(r['hourly_usd']) ?? '0',
    cost_usd: dec(r['cost_usd']) ?? '0',
    model: textOf(r['model']),
    input_tokens: numberOf(r['input_tokens']) ?? 0,
    output_tokens: numberOf(r['output_tokens']) ?? 0,
    team: textOf(r['team']),
    vendor: textOf(r['vendor']),
  }));
}
