/**
 * Sends SDK ledger records to a Costrail server in batches (`POST /api/import/ledger`, which prices
 * them with the server's price book and is idempotent by id), off the caller's path: `enqueue`
 * only pushes onto a bounded in-memory queue. When the queue is full the oldest record is dropped
 * and counted, so a down server can never grow the process's memory without bound.
 */
import { environment } from '../config/environment.js';
import type { LedgerRecord } from '../ledger/ledger-record.js';

export interface RecordSenderOptions {
  /** Costrail server; default COSTRAIL_URL. */
  url?: string;
  /** Admin or API token; default COSTRAIL_TOKEN, else COSTRAIL_ADMIN_TOKEN. */
  token?: string;
  maxQueue?: number;
  batchSize?: number;
  flushIntervalMs?: number;
}

export interface RecordSenderStats {
  queued: number;
  sent: number;
  dropped: number;
  failedBatches: number;
}

/** Where records go; tests and embedders may pass their own. */
export interface RecordSink {
  enqueue(record: LedgerRecord): void;
}

export class RecordSender implements RecordSink {
  private queue: LedgerRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly stats_: RecordSenderStats = { queued: 0, sent: 0, dropped: 0, failedBatches: 0 };
  private readonly url: string | undefined;
  private readonly token: string | undefined;
  private readonly maxQueue: number;
  private readonly batchSize: number;
  private readonly intervalMs: number;

  constructor(opts: RecordSenderOptions = {}) {
    const env = environment();
    this.url = (opts.url ?? env['COSTRAIL_URL'])?.replace(/\/+$/, '');
    this.token = opts.token ?? env['COSTRAIL_TOKEN'] ?? env['COSTRAIL_ADMIN_TOKEN'];
    this.maxQueue = opts.maxQueue ?? 10_000;
    this.batchSize = opts.batchSize ?? 200;
    this.intervalMs = opts.flushIntervalMs ?? 1_000;
  }

  enqueue(record: LedgerRecord): void {
    if (this.queue.length >= this.maxQueue) {
      this.queue.shift();
      this.stats_.dropped++;
    }
    this.queue.push(record);
    this.stats_.queued++;
    if (this.queue.length >= this.batchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  stats(): RecordSenderStats {
    return { ...this.stats_, queued: this.queue.length };
  }

  /** Sends everything queued; resolves when done (records of a failed batch go back to the queue's front). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.inFlight) await this.inFlight;
    if (this.queue.length === 0 || !this.url) return;
    const batch = this.queue.splice(0, this.batchSize);
    let ok = false;
    this.inFlight = this.send(batch)
      .then((sent) => void (ok = sent))
      .finally(() => (this.inFlight = undefined));
    await this.inFlight;
    // Drain while the server takes batches; after a failure, wait for the next flush.
    if (ok && this.queue.length > 0) await this.flush();
  }

  private async send(batch: LedgerRecord[]): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/api/import/ledger?skip_invalid=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: batch.map((r) => JSON.stringify(r)).join('\n'),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.stats_.sent += batch.length;
      return true;
    } catch {
      this.stats_.failedBatches++;
      // Back to the front, within the bound: the next flush retries them.
      this.queue.unshift(...batch.slice(0, Math.max(0, this.maxQueue - this.queue.length)));
      return false;
    }
  }
}
