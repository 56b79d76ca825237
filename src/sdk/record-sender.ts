/**
 * Sends SDK ledger records to a Costrail server in batches (`POST /api/import/ledger`, which prices
 * them with the server's price book and is idempotent by id), off the caller's path: `enqueue`
 * only pushes onto a bounded in-memory queue.
 *
 * When the server is unreachable a batch goes to the local spool (record-spool.ts) instead of
 * back into memory, and is replayed, oldest first, once the server answers again (retried with
 * back-off, and by any later sender on the same spool directory: nothing is lost across a
 * restart). A full in-memory queue spills its oldest batch to the spool; only without a spool, or
 * past the spool's byte bound, are records dropped, and every dropped record is counted.
 */
import os from 'node:os';
import path from 'node:path';
import { environment } from '../config/environment.js';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import { RecordSpool } from './record-spool.js';

export interface RecordSenderOptions {
  /** Costrail server; default COSTRAIL_URL. */
  url?: string;
  /** Admin or API token; default COSTRAIL_TOKEN, else COSTRAIL_ADMIN_TOKEN. */
  token?: string;
  maxQueue?: number;
  batchSize?: number;
  flushIntervalMs?: number;
  /** Local spool directory; default COSTRAIL_SDK_SPOOL_DIR, else `<tmpdir>/costrail-sdk-spool`; false: no spool. */
  spoolDir?: string | false;
  /** Bound of the spool on disk; default 64 MiB (the oldest batches go first). */
  maxSpoolBytes?: number;
  /** Longest wait between retries while the server is unreachable; default 30 s. */
  maxRetryMs?: number;
}

export interface RecordSenderStats {
  /** Records in memory. */
  queued: number;
  sent: number;
  /** Records lost to a bound (memory without spool, or the spool's byte bound). */
  dropped: number;
  failedBatches: number;
  /** Records written to the spool so far. */
  spooled: number;
}

/** Where records go; tests and embedders may pass their own. */
export interface RecordSink {
  enqueue(record: LedgerRecord): void;
}

const DEFAULT_SPOOL_BYTES = 64 * 1024 * 1024;

export class RecordSender implements RecordSink {
  private queue: LedgerRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly stats_ = { sent: 0, dropped: 0, failedBatches: 0, spooled: 0 };
  private readonly url: string | undefined;
  private readonly token: string | undefined;
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private readonly maxRetryMs: number;
  private readonly spool: RecordSpool | undefined;
  private retryMs: number;
  private closed = false;

  constructor(opts: RecordSenderOptions = {}) {
    const env = environment();
    this.url = (opts.url ?? env['COSTRAIL_URL'])?.replace(/\/+$/, '');
    this.token = opts.token ?? env['COSTRAIL_TOKEN'] ?? env['COSTRAIL_ADMIN_TOKEN'];
    this.maxQueue = opts.maxQueue ?? 10_000;
    this.batchSize = opts.batchSize ?? 200;
    this.intervalMs = opts.flushIntervalMs ?? 1_000;
    this.maxRetryMs = opts.maxRetryMs ?? 30_000;
    this.retryMs = this.intervalMs;
    const dir = opts.spoolDir === undefined ? (env['COSTRAIL_SDK_SPOOL_DIR'] ?? path.join(os.tmpdir(), 'costrail-sdk-spool')) : opts.spoolDir;
    this.spool = dir === false || dir === '' ? undefined : new RecordSpool(dir, opts.maxSpoolBytes ?? DEFAULT_SPOOL_BYTES);
    // Batches a previous process left behind go out on the first flush; schedule one.
    if (this.spool && this.url && this.spool.files().length > 0) this.schedule(this.intervalMs);
  }

  enqueue(record: LedgerRecord): void {
    if (this.queue.length >= this.maxQueue) {
      // Memory is full (the server has been away a while): the oldest batch moves to disk.
      if (this.spool) this.spill(this.queue.splice(0, Math.min(this.batchSize, this.queue.length)));
      else {
        this.queue.shift();
        this.stats_.dropped++;
      }
    }
    this.queue.push(record);
    if (this.queue.length >= this.batchSize && this.retryMs === this.intervalMs) void this.flush();
    else this.schedule(this.intervalMs);
  }

  stats(): RecordSenderStats {
    return { ...this.stats_, queued: this.queue.length };
  }

  /** Records waiting in the spool on disk (every process's that shares the directory). */
  spooledPending(): number {
    return this.spool?.pending() ?? 0;
  }

  /**
   * Sends what the spool holds, then everything queued; resolves when done. A batch the server
   * does not take goes to the spool (or, without one, back to the queue's front) and a retry is
   * scheduled with back-off.
   */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight) await this.inFlight;
    if (!this.url) return;
    this.inFlight = this.drain().finally(() => (this.inFlight = undefined));
    await this.inFlight;
  }

  /** Sends what it can, then spools whatever is left in memory: call before the process exits. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.spillAll();
  }

  /** Synchronous last resort (a process `exit` handler): the in-memory queue goes to the spool. */
  spillAll(): void {
    while (this.queue.length > 0) this.spill(this.queue.splice(0, this.batchSize));
  }

  private async drain(): Promise<void> {
    if (this.spool) {
      for (const file of this.spool.files()) {
        const batch = this.spool.read(file);
        if (!batch) continue;
        if (!(await this.post(batch.body, batch.records))) return this.failed();
        this.spool.remove(file);
      }
    }
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      if (!(await this.post(batch.map((r) => JSON.stringify(r)).join('\n'), batch.length))) {
        if (this.spool) this.spill(batch);
        else this.queue.unshift(...batch.slice(0, Math.max(0, this.maxQueue - this.queue.length)));
        return this.failed();
      }
    }
    this.retryMs = this.intervalMs;
  }

  private failed(): void {
    this.stats_.failedBatches++;
    this.schedule(this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, this.maxRetryMs);
  }

  private schedule(ms: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
    this.timer.unref();
  }

  /** To the spool, or dropped and counted when there is none or it cannot be written. */
  private spill(batch: LedgerRecord[]): void {
    if (batch.length === 0) return;
    if (!this.spool) {
      this.stats_.dropped += batch.length;
      return;
    }
    try {
      this.stats_.dropped += this.spool.write(batch);
      this.stats_.spooled += batch.length;
    } catch {
      this.stats_.dropped += batch.length;
    }
  }

  private async post(body: string, records: number): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/api/import/ledger?skip_invalid=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body,
      });
      await res.arrayBuffer();
      if (!res.ok) return false;
      this.stats_.sent += records;
      return true;
    } catch {
      return false;
    }
  }
}
