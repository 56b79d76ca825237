/**
 * The batched, durable ledger writer the gateway hands records to.
 *
 * Durability contract: "every request that received a response has its record", even across
 * kill -9. write() appends the record as one JSON line to the current spool segment with a
 * synchronous write on an fd opened once, so the line is in the kernel's page cache before
 * write() returns, and the gateway calls write() before it finishes the response. That survives
 * the process dying; surviving the machine dying (power loss, kernel panic) needs fsync, which
 * costs a disk flush per call: `fsync: 'always'` pays it per record, `'interval'` bounds the
 * loss window to fsyncIntervalMs, `'never'` (default) relies on the OS writeback.
 *
 * Batching: records are committed to the store per sealed segment. A segment is sealed when it
 * holds batchSize records, when flushIntervalMs has passed since its first record, or on
 * flush()/close(); after the store commits it, the file is deleted. A crash between commit and
 * deletion replays the segment on the next recover(), which doubles nothing because the store
 * is idempotent by record id.
 *
 * Failures: a store error keeps the segment (on disk and in the queue) and retries it with
 * exponential back-off. Records are never dropped; write() keeps accepting while the store is
 * down, and the spool grows on disk.
 */
import fs from 'node:fs';
import type { Store } from '../store/store.js';
import type { LedgerRecord } from './ledger-record.js';
import { listSegments, readSegment, retireSegment, spoolDir, SpoolSegment } from './ledger-spool.js';

export type FsyncPolicy = 'never' | 'interval' | 'always';

export interface LedgerWriterOptions {
  dataDir: string;
  store: Pick<Store, 'insertRecords'>;
  /** Records per segment and per store batch. Default 2000 (per-batch cost in DuckDB is large; per-record cost falls ~25% from 500 to 2000). */
  batchSize?: number;
  /** Longest a record waits in the spool before its segment is flushed. Default 250 ms. */
  flushIntervalMs?: number;
  /** Default 'never' (kill -9 safe, not power-loss safe). */
  fsync?: FsyncPolicy;
  /** With fsync 'interval'. Default 100 ms. */
  fsyncIntervalMs?: number;
  /** First retry delay after a store failure; doubles up to retryMaxMs. Defaults 100 ms / 30 s. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * Records kept in memory across queued segments. Beyond it, segments are re-read from disk when
   * their turn comes, so a long store outage costs disk, not heap. Default 100 000.
   */
  maxBufferedRecords?: number;
  /** Told about every store failure (the writer itself keeps going). */
  onError?: (err: unknown) => void;
}

export interface LedgerWriterStats {
  /** Records in the spool not yet committed to the store. */
  spoolDepth: number;
  /** Records accepted by write() since start. */
  written: number;
  /** Records committed to the store (including recovered ones and ids the store already had). */
  flushed: number;
  /** Store batches that failed (each is retried). */
  failures: number;
  lastError: string | null;
  /** Sealed segments waiting for the store. */
  queuedSegments: number;
  /** Unreadable spool lines found (their segments are kept as `.corrupt`). */
  corruptLines: number;
}

export interface RecoverResult {
  segments: number;
  /** Records read back from leftover segments. */
  records: number;
  /** Of those, records the store did not have yet (the rest were committed before the crash). */
  inserted: number;
  /** Recovered segments that could not be committed yet; they stay queued and are retried. */
  pending: number;
}

interface QueuedSegment {
  path: string;
  count: number;
  /** null: not held in memory, read from disk when committed. */
  records: LedgerRecord[] | null;
}

export class LedgerWriter {
  private readonly dir: string;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly fsync: FsyncPolicy;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly maxBuffered: number;

  private current: SpoolSegment | null = null;
  private currentRecords: LedgerRecord[] = [];
  private readonly queue: QueuedSegment[] = [];
  /** Every segment path this writer owns (open or queued), so recover() never takes them twice. */
  private readonly owned = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;
  private fsyncTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = 0;
  private draining: Promise<void> | null = null;
  private closed = false;
  /** Records the store reported as new, so recover() can tell replayed from already-committed. */
  private insertedTotal = 0;
  private readonly counters = { written: 0, flushed: 0, failures: 0, corruptLines: 0, lastError: null as string | null };

  constructor(private readonly options: LedgerWriterOptions) {
    this.dir = spoolDir(options.dataDir);
    this.batchSize = options.batchSize ?? 2000;
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.fsync = options.fsync ?? 'never';
    this.retryBaseMs = options.retryBaseMs ?? 100;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.maxBuffered = options.maxBufferedRecords ?? 100_000;
    fs.mkdirSync(this.dir, { recursive: true });
    if (this.fsync === 'interval') {
      this.fsyncTimer = setInterval(() => this.current?.sync(), options.fsyncIntervalMs ?? 100);
      this.fsyncTimer.unref();
    }
  }

  /**
   * Hot path. Durable (in the spool) when it returns; throws LedgerSpoolError when the spool
   * cannot be written, so the caller knows this record is not safe.
   */
  write(record: LedgerRecord): void {
    if (this.closed) throw new Error('ledger writer is closed');
    const line = JSON.stringify(record) + '\n';
    if (!this.current) {
      this.current = new SpoolSegment(this.dir);
      this.owned.add(this.current.path);
      this.flushTimer = setTimeout(() => this.sealAndDrain(), this.flushIntervalMs);
      this.flushTimer.unref();
    }
    this.current.append(line);
    if (this.fsync === 'always') this.current.sync();
    this.currentRecords.push(record);
    this.counters.written++;
    if (this.current.count >= this.batchSize) this.sealAndDrain();
  }

  /**
   * Replays segments left by an earlier process (crash, kill -9, store down at shutdown). Call
   * once at start, before serving; safe to call again. What cannot be committed now stays
   * queued and is retried with back-off like any other segment.
   */
  async recover(): Promise<RecoverResult> {
    const found = listSegments(this.dir).filter((p) => !this.owned.has(p));
    let records = 0;
    for (const file of found) {
      const contents = await readSegment(file);
      this.counters.corruptLines += contents.corrupt;
      records += contents.records.length;
      if (contents.corrupt > 0) fs.renameSync(file, `${file}.corrupt`);
      // A .corrupt file keeps every byte for inspection; its good records are committed from memory.
      const queued: QueuedSegment = { path: contents.corrupt > 0 ? `${file}.corrupt` : file, count: contents.records.length, records: contents.records };
      this.owned.add(file);
      this.queue.push(queued);
    }
    const before = this.insertedTotal;
    await this.drainNow();
    const pending = this.queue.filter((q) => found.includes(q.path) || found.includes(q.path.replace(/\.corrupt$/, ''))).length;
    return { segments: found.length, records, inserted: this.insertedTotal - before, pending };
  }

  /** Seals the open segment and waits for one attempt to commit everything queued. */
  async flush(): Promise<void> {
    this.seal();
    await this.drainNow();
  }

  stats(): LedgerWriterStats {
    const queued = this.queue.reduce((n, q) => n + q.count, 0);
    return {
      spoolDepth: queued + (this.current?.count ?? 0),
      written: this.counters.written,
      flushed: this.counters.flushed,
      failures: this.counters.failures,
      lastError: this.counters.lastError,
      queuedSegments: this.queue.length,
      corruptLines: this.counters.corruptLines,
    };
  }

  /**
   * Shutdown: seals, makes one last attempt to commit, and stops. Whatever the store refused
   * stays in the spool for the next start's recover(); close() does not wait out an outage.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.seal();
    this.closed = true;
    if (this.fsyncTimer) clearInterval(this.fsyncTimer);
    await this.drainNow();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private seal(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const seg = this.current;
    if (!seg) return;
    this.current = null;
    seg.close(this.fsync !== 'never');
    const buffered = this.queue.reduce((n, q) => n + (q.records?.length ?? 0), 0);
    this.queue.push({ path: seg.path, count: seg.count, records: buffered + seg.count > this.maxBuffered ? null : this.currentRecords });
    this.currentRecords = [];
  }

  private sealAndDrain(): void {
    this.seal();
    // During back-off the retry timer owns the next attempt; hammering a down store helps nobody.
    if (!this.retryTimer) this.startDrain();
  }

  private startDrain(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /** Waits for a running drain, then runs one now, skipping any back-off wait. */
  private async drainNow(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.draining) await this.draining;
    await this.startDrain();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const seg = this.queue[0]!;
      try {
        await this.commit(seg);
      } catch (err) {
        this.counters.failures++;
        this.counters.lastError = err instanceof Error ? err.message : String(err);
        this.options.onError?.(err);
        this.scheduleRetry();
        return;
      }
      this.queue.shift();
      this.owned.delete(seg.path.replace(/\.corrupt$/, ''));
      this.retryDelay = 0;
    }
  }

  private async commit(seg: QueuedSegment): Promise<void> {
    let records = seg.records;
    if (!records) records = (await readSegment(seg.path)).records;
    for (let i = 0; i < records.length; i += this.batchSize) {
      const { inserted } = await this.options.store.insertRecords(records.slice(i, i + this.batchSize));
      this.insertedTotal += inserted;
    }
    // Only now, with every record committed, may the segment go (a .corrupt one is kept).
    if (!seg.path.endsWith('.corrupt')) retireSegment(seg.path, 0);
    this.counters.flushed += records.length;
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.retryDelay = this.retryDelay === 0 ? this.retryBaseMs : Math.min(this.retryDelay * 2, this.retryMaxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.startDrain();
    }, this.retryDelay);
    this.retryTimer.unref();
  }
}
