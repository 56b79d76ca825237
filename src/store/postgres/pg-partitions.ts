/**
 * Monthly range partitions of the ledger (UTC months), created on demand. Creation takes a
 * transaction-scoped advisory lock so two processes inserting into a new month do not race on
 * CREATE TABLE; the set of months known to exist is cached per store and forgotten when
 * retention drops a month (or an insert finds one missing after another process dropped it).
 */
import type { Pool } from 'pg';

const LOCK_KEY = 'costrail-ledger-partitions';

export const monthOf = (iso: string): string => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not an instant: ${iso}`);
  return `${d.getUTCFullYear().toString().padStart(4, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};

function bounds(month: string): [string, string] {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(4));
  const iso = (yy: number, mm: number): string => `${String(yy).padStart(4, '0')}-${String(mm).padStart(2, '0')}-01 00:00:00+00`;
  return [iso(y, m), m === 12 ? iso(y + 1, 1) : iso(y, m + 1)];
}

export const partitionName = (month: string): string => `ledger_p${month}`;

export class LedgerPartitions {
  private readonly known = new Set<string>();

  constructor(private readonly pool: Pool) {}

  async ensure(months: Iterable<string>): Promise<void> {
    const missing = [...new Set(months)].filter((m) => !this.known.has(m));
    if (missing.length === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext(current_schema() || $1))', [LOCK_KEY]);
      for (const m of missing) {
        const [from, to] = bounds(m);
        await client.query(`CREATE TABLE IF NOT EXISTS ${partitionName(m)} PARTITION OF ledger FOR VALUES FROM ('${from}') TO ('${to}')`);
      }
      await client.query('COMMIT');
      for (const m of missing) this.known.add(m);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  forget(month?: string): void {
    if (month === undefined) this.known.clear();
    else this.known.delete(month);
  }

  /** Months whose partitions exist, oldest first. */
  async list(): Promise<string[]> {
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       WHERE p.relname = 'ledger' AND p.relnamespace = current_schema()::regnamespace ORDER BY c.relname`,
    );
    return rows.map((r) => r.name.replace(/^ledger_p/, '')).filter((m) => /^\d{6}$/.test(m));
  }

  /** Upper bound (exclusive) of a month's partition, ISO. */
  static end(month: string): string {
    return bounds(month)[1].replace(' 00:00:00+00', 'T00:00:00Z');
  }
}
