/**
 * The batched, durable ledger writer the gateway hands records to.
 *
 * Durability contract: "every request that received a response has its record", even across
 * kill -9. A record becomes one JSON line of the current spool segment, written with a
 * synchronous write on an fd opened once, so the line is in the kernel's page cache before the
 * write returns. The gateway uses append() (group commit): the lines of all calls that finish in
 * one event-loop turn go in one write at the end of the turn, and each call finishes its response
 * only once append()'s promise has settled. write() is the same, one record at a time, durable on
 * return. That survives the process dying; surviving the machine dying (power loss, kernel panic)
 * needs fsync, which costs a disk flush per write: `fsync: 'always'` pays it per group, `'interval'` bounds the
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
 * down, and the spool grows on disk. A batch the store refuses for a reason other than being
 * unreachable (store-failure.ts) is split in halves until the record(s) it refuses are found;
 * those go to the dead-letter file (dead-letter.ts) and the rest is committed, so one poison
 * record never blocks the ledger (and, its segment being retired, never blocks a restart).
 *
 * Spool health: when an append fails (disk full, I/O error, read-only), the writer reports the
 * spool unwritable and `writable()` probes the disk (at most once per probeIntervalMs) until a
 * write succeeds again; the gateway refuses calls meanwhile rather than forward unrecorded ones.
 */
import fs from 'node:fs';
import type { Store } from '../store/store.js';
import type { LedgerRecord } from './ledger-record.js';
import path from 'node:path';
import { writeDeadLetters, type QuarantinedRecord } from './dead-letter.js';
import { LedgerSpoolError, listSegments, readSegment, retireSegment, spoolDir, SpoolSegment, type SpoolWrite } from './ledger-spool.js';
import { isRecordDataError, isStoreUnavailable } from './store-failure.js';

export type FsyncPolicy = 'never' | 'interval' | 'always';

export interface LedgerWriterOptions {
  dataDir: string;
  store: Pick<Store, 'insertRecords'> & {
    /**
     * Commits a whole clean segment file without handling its records on this thread (DuckDB:
     * staging worker + read_json). null: not available now, commit the records instead. A
     * refusal other than the store being unreachable falls back to the records, which finds
     * any poison record as usual.
     */
    insertSpoolSegment?(file: string): Promise<{ inserted: number; records: number }> | null;
  };
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
  /** Told once per batch whose refused records went to the dead-letter file. */
  onQuarantine?: (event: { records: number; file: string; reason: string }) => void;
  /** Told when the spool stops or starts accepting writes. */
  onSpoolHealth?: (event: { writable: boolean; error: string | null }) => void;
  /** The spool's write call (tests inject a failing one to simulate a full disk). */
  spoolWrite?: SpoolWrite;
  /** While the spool is unwritable, least time between two probes of the disk. Default 1000 ms. */
  probeIntervalMs?: number;
  /** Consecutive failures of one segment with an unclassified error before it is split. Default 3. */
  splitAfterFailures?: number;
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
  /** Records the store refused for their content, moved to `<data>/dead-letter/`. */
  quarantined: number;
  /** False while appends to the spool fail (disk full, I/O error): the gateway refuses calls. */
  spoolWritable: boolean;
  spoolUnwritableSince: string | null;
  spoolError: string | null;
  /** Since when commits have failed because the store is unreachable (null: committing). */
  storeUnavailableSince: string | null;
}

export interface RecoverResult {
  segments: number;
  /** Records read back from leftover segments. */
  records: number;
  /** Of those, records the store did not have yet (the rest were committed before the crash). */
  inserted: number;
  /** Recovered segments that could not be committed yet; they stay queued and are retried. */
  pending: number;
  /** Unreadable lines met (torn writes): skipped, the records after them kept. */
  corrupt: number;
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
  private readonly counters = { written: 0, flushed: 0, failures: 0, corruptLines: 0, quarantined: 0, lastError: null as string | null };
  private spoolDown: { since: string; error: string } | null = null;
  private lastProbe = 0;
  private storeDownSince: string | null = null;
  /** Consecutive failed attempts of the segment at the head of the queue. */
  private headFailures = 0;
  /** Records append()ed this event-loop turn, not yet written: one spool write at the turn's end. */
  private group: { lines: string; records: LedgerRecord[]; done: Promise<void>; settle: (err: unknown) => void } | null = null;

  constructor(private readonly options: LedgerWriterOptions) {
    this.dir = spoolDir(options.dataDir);
    this.batchSize = options.batchSize ?? 2000;
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.fsync = options.fsync ?? 'never';
    this.retryBaseMs = options.retryBaseMs ?? 100;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.maxBuffered = options.maxBufferedRecords ?? 100_000;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (this.fsync === 'interval') {
      this.fsyncTimer = setInterval(() => this.current?.sync(), options.fsyncIntervalMs ?? 100);
      this.fsyncTimer.unref();
    }
  }

  /**
   * Durable (in the spool) when it returns; throws LedgerSpoolError when the spool cannot be
   * written, so the caller knows this record is not safe. One write per record: the gateway uses
   * append(), which groups the records of one event-loop turn into one write.
   */
  write(record: LedgerRecord): void {
    if (this.closed) throw new Error('ledger writer is closed');
    this.commitGroup();
    this.appendToSpool(JSON.stringify(record) + '\n', [record]);
  }

  /**
   * Hot path, group commit: the record joins the lines of this event-loop turn, which go to the
   * spool in one write when the turn ends (setImmediate, after the I/O callbacks that produced
   * them). The returned promise (one per group, shared) settles when that write is done: the
   * caller finishes its response only then, so kill -9 still loses nothing a client has seen.
   * Rejects with LedgerSpoolError when the spool cannot be written.
   */
  append(record: LedgerRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error('ledger writer is closed'));
    const line = JSON.stringify(record) + '\n';
    let group = this.group;
    if (!group) {
      let settle!: (err: unknown) => void;
      const done = new Promise<void>((resolve, reject) => {
        settle = (err) => (err === undefined ? resolve() : reject(err));
      });
      group = this.group = { lines: '', records: [], done, settle };
      setImmediate(this.groupCommitter);
    }
    group.lines += line;
    group.records.push(record);
    return group.done;
  }

  private readonly groupCommitter = (): void => this.commitGroup();

  /** Writes the pending group now (end of turn, or before anything that must see it: flush, close, a direct write). */
  private commitGroup(): void {
    const group = this.group;
    if (!group) return;
    this.group = null;
    try {
      this.appendToSpool(group.lines, group.records);
    } catch (err) {
      group.settle(err);
      return;
    }
    group.settle(undefined);
  }

  private appendToSpool(lines: string, records: LedgerRecord[]): void {
    try {
      if (!this.current) {
        this.current = new SpoolSegment(this.dir, this.options.spoolWrite);
        this.owned.add(this.current.path);
        this.flushTimer = setTimeout(() => this.sealAndDrain(), this.flushIntervalMs);
        this.flushTimer.unref();
      }
      this.current.appendLines(lines, records.length);
      if (this.fsync === 'always') this.current.sync();
    } catch (err) {
      this.spoolFailed(err);
      throw err instanceof LedgerSpoolError ? err : new LedgerSpoolError(`ledger spool write failed: ${(err as Error).message}`);
    }
    if (this.spoolDown) this.spoolRecovered();
    for (const r of records) this.currentRecords.push(r);
    this.counters.written += records.length;
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
    let corrupt = 0;
    for (const file of found) {
      const contents = await readSegment(file);
      this.counters.corruptLines += contents.corrupt;
      corrupt += contents.corrupt;
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
    return { segments: found.length, records, inserted: this.insertedTotal - before, pending, corrupt };
  }

  /**
   * Whether a record written now would be durable. Cheap while healthy; while not, probes the
   * disk with a small write at most once per probeIntervalMs, so the gateway recovers by itself
   * once space is freed.
   */
  writable(): boolean {
    if (!this.spoolDown) return true;
    const now = Date.now();
    if (now - this.lastProbe < (this.options.probeIntervalMs ?? 1000)) return false;
    this.lastProbe = now;
    const probe = path.join(this.dir, `.probe-${process.pid}`);
    try {
      const fd = fs.openSync(probe, 'w', 0o600);
      try {
        // About one record's worth: a disk with less room than that cannot take the next one either.
        const buf = Buffer.alloc(4096, 0x20);
        let off = 0;
        const write = this.options.spoolWrite ?? ((f: number, b: Uint8Array, o: number, l: number) => fs.writeSync(f, b, o, l));
        while (off < buf.length) off += write(fd, buf, off, buf.length - off);
      } finally {
        fs.closeSync(fd);
        fs.rmSync(probe, { force: true });
      }
    } catch (err) {
      this.spoolDown.error = (err as Error).message;
      return false;
    }
    this.spoolRecovered();
    return true;
  }

  private spoolFailed(err: unknown): void {
    const message = (err as Error).message;
    // A segment with a tail that could not be cut off takes no more lines: the next record starts a new file.
    if (this.current && (this.current.torn || this.current.count === 0)) this.seal();
    this.lastProbe = Date.now();
    if (!this.spoolDown) {
      this.spoolDown = { since: new Date().toISOString(), error: message };
      this.options.onSpoolHealth?.({ writable: false, error: message });
    }
  }

  private spoolRecovered(): void {
    this.spoolDown = null;
    this.options.onSpoolHealth?.({ writable: true, error: null });
  }

  /** Seals the open segment and waits for one attempt to commit everything queued. */
  async flush(): Promise<void> {
    this.commitGroup();
    this.seal();
    await this.drainNow();
  }

  stats(): LedgerWriterStats {
    const queued = this.queue.reduce((n, q) => n + q.count, 0);
    return {
      spoolDepth: queued + (this.current?.count ?? 0) + (this.group?.records.length ?? 0),
      written: this.counters.written,
      flushed: this.counters.flushed,
      failures: this.counters.failures,
      lastError: this.counters.lastError,
      queuedSegments: this.queue.length,
      corruptLines: this.counters.corruptLines,
      quarantined: this.counters.quarantined,
      spoolWritable: this.spoolDown === null,
      spoolUnwritableSince: this.spoolDown?.since ?? null,
      spoolError: this.spoolDown?.error ?? null,
      storeUnavailableSince: this.storeDownSince,
    };
  }

  /**
   * Shutdown: seals, makes one last attempt to commit, and stops. Whatever the store refused
   * stays in the spool for the next start's recover(); close() does not wait out an outage.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.commitGroup();
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
    if (seg.count === 0) {
      // Nothing was appended (its first write failed): the empty file is not a segment to commit.
      fs.rmSync(seg.path, { force: true });
      this.owned.delete(seg.path);
      this.currentRecords = [];
      return;
    }
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
        this.headFailures++;
        this.counters.lastError = err instanceof Error ? err.message : String(err);
        if (isStoreUnavailable(err)) this.storeDownSince ??= new Date().toISOString();
        this.options.onError?.(err);
        this.scheduleRetry();
        return;
      }
      this.queue.shift();
      this.owned.delete(seg.path.replace(/\.corrupt$/, ''));
      this.retryDelay = 0;
      this.headFailures = 0;
      this.storeDownSince = null;
    }
  }

  private async commit(seg: QueuedSegment): Promise<void> {
    // A clean segment goes to the store as a file; a .corrupt one (salvaged records) as records.
    const whole = seg.path.endsWith('.corrupt') ? null : this.options.store.insertSpoolSegment?.(seg.path);
    if (whole) {
      try {
        const done = await whole;
        this.insertedTotal += done.inserted;
        retireSegment(seg.path, 0);
        this.counters.flushed += done.records;
        return;
      } catch (err) {
        if (isStoreUnavailable(err)) throw err;
        // Refused or unreadable as a whole: the careful path below splits out what the store will not take.
      }
    }
    let records = seg.records;
    if (!records) records = (await readSegment(seg.path)).records;
    const quarantinedBefore = this.counters.quarantined;
    for (let i = 0; i < records.length; i += this.batchSize) await this.commitBatch(records.slice(i, i + this.batchSize));
    // Only now, with every record committed, may the segment go (a .corrupt one is kept).
    if (!seg.path.endsWith('.corrupt')) retireSegment(seg.path, 0);
    this.counters.flushed += records.length - (this.counters.quarantined - quarantinedBefore);
  }

  /**
   * One store batch. An unreachable store is thrown back (retry later, nothing lost). Any other
   * refusal, if it is about a record's content or keeps recurring, splits the batch to find the
   * records the store will never take: they are quarantined and the rest committed.
   */
  private async commitBatch(batch: LedgerRecord[]): Promise<void> {
    try {
      this.insertedTotal += (await this.options.store.insertRecords(batch)).inserted;
      return;
    } catch (err) {
      if (isStoreUnavailable(err)) throw err;
      if (!isRecordDataError(err) && this.headFailures < (this.options.splitAfterFailures ?? 3)) throw err;
      const found = { committed: 0, refused: [] as { record: LedgerRecord; err: unknown }[] };
      await this.split(batch, err, found);
      // Nothing went in and the errors say nothing about the records: the store is broken, not the data.
      if (found.committed === 0 && !found.refused.every((r) => isRecordDataError(r.err))) throw err;
      this.quarantine(found.refused.map((r) => ({ record: r.record, reason: r.err instanceof Error ? r.err.message : String(r.err) })));
    }
  }

  private async split(records: LedgerRecord[], err: unknown, found: { committed: number; refused: { record: LedgerRecord; err: unknown }[] }): Promise<void> {
    if (records.length === 1) {
      found.refused.push({ record: records[0]!, err });
      return;
    }
    const mid = records.length >> 1;
    const halves = [records.slice(0, mid), records.slice(mid)];
    const failed: { half: LedgerRecord[]; err: unknown }[] = [];
    for (const half of halves) {
      try {
        this.insertedTotal += (await this.options.store.insertRecords(half)).inserted;
        found.committed += half.length;
      } catch (e) {
        if (isStoreUnavailable(e)) throw e;
        failed.push({ half, err: e });
      }
    }
    // Both halves refused, for reasons that are not about the data: a store-wide failure, not poison.
    // Stop here (2 attempts) rather than trying every record alone; the batch is retried later.
    if (failed.length === 2 && !failed.some((f) => isRecordDataError(f.err))) throw err;
    for (const f of failed) await this.split(f.half, f.err, found);
  }

  private quarantine(items: QuarantinedRecord[]): void {
    if (items.length === 0) return;
    const file = writeDeadLetters(this.options.dataDir, items);
    this.counters.quarantined += items.length;
    this.options.onQuarantine?.({ records: items.length, file, reason: items[0]!.reason.slice(0, 200) });
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
