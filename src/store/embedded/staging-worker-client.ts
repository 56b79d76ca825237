/**
 * The store's side of the staging worker: one worker thread, started on first use, asked to
 * stage one spool segment at a time (requests are answered in order). unref'd: an idle worker
 * never keeps the process alive; after IDLE_MS without work it is stopped (its heap is memory an
 * idle gateway need not hold) and started again on the next segment.
 */
import { Worker } from 'node:worker_threads';
import type { StagedSegment } from './duckdb-staging.js';
import type { StageReply, StageRequest } from './staging-worker.js';

/** The worker could not stage the segment (unreadable line, I/O): commit it record by record instead. */
export class SegmentStagingError extends Error {
  override readonly name = 'SegmentStagingError';
}

const IDLE_MS = 30_000;

export class StagingWorkerClient {
  private worker: Worker | undefined;
  private idle: NodeJS.Timeout | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (s: StagedSegment) => void; reject: (e: Error) => void }>();

  /** Writes the segment's staging lines to `scratch`. */
  stage(segment: string, scratch: string): Promise<StagedSegment> {
    const worker = this.started();
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage({ id, segment, scratch } satisfies StageRequest);
    });
  }

  async close(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
    this.failAll(new SegmentStagingError('staging worker closed'));
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./staging-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (reply: StageReply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) {
        worker.unref();
        this.idle = setTimeout(() => {
          if (this.worker !== worker || this.waiting.size > 0) return;
          this.worker = undefined;
          void worker.terminate();
        }, IDLE_MS);
        this.idle.unref();
      }
      if (reply.ok) w.resolve({ count: reply.count, lo: reply.lo, hi: reply.hi });
      else w.reject(new SegmentStagingError(reply.error));
    });
    // Only the current worker's end fails what is waiting (a stopped idle one has nothing pending).
    worker.on('error', (err) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(new SegmentStagingError(`staging worker failed: ${err.message}`));
    });
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(new SegmentStagingError('staging worker exited'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
