/**
 * Body capture: what the gateway keeps of a call's request and answer when the operator turned
 * capture on for its key or feature (capture-config.ts), so that `costrail eval replay` can send
 * the same requests to a candidate model and compare. The gateway only decides (`wants`, two set
 * lookups and a sampling test) and hands over objects it already holds (`take`); serialising,
 * redacting, sealing and writing happen later, in batches, off the request path. The queue is
 * bounded: when the store is slow, captures are dropped and counted, never the call delayed.
 */
import type { LedgerRecord } from '../ledger/ledger-record.js';
import type { SecretBox } from '../keys/master-key.js';
import type { CaptureConfig } from './capture-config.js';
import type { CaptureRepository, CapturedCallRow } from './capture-repository.js';
import { Redactor } from './redaction.js';
import { REPLAYABLE_APIS, responseOutputText } from './output-text.js';

/** What the gateway hands over for a call it was told to capture. */
export interface CaptureOffer {
  record: LedgerRecord;
  /** The request as the gateway parsed it (after any budget downgrade: what the provider saw). */
  request: Record<string, unknown> | undefined;
  /** The path the client called (origin-form, with query). */
  path: string;
  /** A non-streamed answer's bytes, or a stream's text as its meter read it. */
  responseBody?: Buffer;
  responseText?: string;
}

/** The gateway's side of capture. */
export interface BodyCapturePort {
  wants(keyId: string | null, feature: string | null, requestId: string): boolean;
  take(offer: CaptureOffer): void;
}

export interface CaptureStats {
  captured: number;
  dropped_queue_full: number;
  skipped_oversize: number;
  write_failures: number;
}

/** Tag the replay puts on its own calls: they are never captured again. */
export const EVAL_TAG = 'eval';

const QUEUE_LIMIT = 1_000;
const FLUSH_AT = 100;
const FLUSH_MS = 1_000;

/** AAD of a sealed body: the request id and which body, so a sealed value cannot be moved to another row. */
export function sealAad(requestId: string, part: 'request' | 'output'): string {
  return `capture:${requestId}:${part}`;
}

export class BodyCapture implements BodyCapturePort {
  private readonly keys: ReadonlySet<string>;
  private readonly features: ReadonlySet<string>;
  private readonly everyCall: boolean;
  private readonly redactor: Redactor;
  private queue: CaptureOffer[] = [];
  private flushing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly counts: CaptureStats = { captured: 0, dropped_queue_full: 0, skipped_oversize: 0, write_failures: 0 };

  constructor(
    private readonly config: CaptureConfig,
    private readonly box: SecretBox,
    private readonly repo: CaptureRepository,
    private readonly onWriteError: (err: Error) => void = () => {},
  ) {
    this.keys = new Set(config.keys);
    this.features = new Set(config.features);
    this.everyCall = this.keys.size === 0 && this.features.size === 0;
    this.redactor = new Redactor(config.redact);
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  wants(keyId: string | null, feature: string | null, requestId: string): boolean {
    if (!this.config.enabled) return false;
    if (!this.everyCall && !(keyId !== null && this.keys.has(keyId)) && !(feature !== null && this.features.has(feature))) return false;
    if (this.config.sample_rate >= 1) return true;
    // Request ids are random UUIDs: their first 32 bits are a uniform draw, and the choice is repeatable.
    return Number.parseInt(requestId.slice(0, 8), 16) / 0x1_0000_0000 < this.config.sample_rate;
  }

  take(offer: CaptureOffer): void {
    // Only answered calls can be replayed and compared; the replay's own calls are not captured again.
    if (offer.record.status !== 'ok' || offer.request === undefined || !REPLAYABLE_APIS.has(offer.record.api ?? '') || offer.record.tags[EVAL_TAG] !== undefined) return;
    if (this.queue.length >= QUEUE_LIMIT) {
      this.counts.dropped_queue_full += 1;
      return;
    }
    this.queue.push(offer);
    if (this.queue.length >= FLUSH_AT) void this.flush();
  }

  stats(): CaptureStats {
    return { ...this.counts };
  }

  /** Writes everything queued so far, including what arrives while an earlier write is in flight. */
  async flush(): Promise<void> {
    while (this.flushing || this.queue.length > 0) {
      if (this.flushing) {
        await this.flushing;
        continue;
      }
      const batch = this.queue;
      this.queue = [];
      this.flushing = this.write(batch).finally(() => {
        this.flushing = undefined;
      });
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private rowOf(o: CaptureOffer): CapturedCallRow | undefined {
    const requestText = JSON.stringify(o.request);
    const output = o.responseText ?? (o.responseBody ? outputOfBody(o.record.api ?? '', o.responseBody) : '');
    if (Buffer.byteLength(requestText) > this.config.max_body_bytes || Buffer.byteLength(output) > this.config.max_body_bytes) {
      this.counts.skipped_oversize += 1;
      return undefined;
    }
    const req = this.redactor.redact(o.request);
    const out = this.redactor.redact(output);
    const r = o.record;
    return {
      request_id: r.id,
      captured_at: r.started_at,
      provider: r.provider,
      api: r.api ?? 'other',
      model: r.model ?? r.model_requested,
      feature: r.attribution.feature ?? null,
      team: r.attribution.team ?? null,
      key_id: r.key_id,
      // The query is dropped: it can hold a key (Gemini's `?key=`), and replay builds its own.
      path: o.path.split('?')[0] ?? o.path,
      request_sealed: this.box.seal(JSON.stringify(req.value), sealAad(r.id, 'request')),
      output_sealed: this.box.seal(out.value, sealAad(r.id, 'output')),
      redactions: req.redactions + out.redactions,
      cost: r.cost?.total ?? null,
    };
  }

  private async write(batch: readonly CaptureOffer[]): Promise<void> {
    const rows: CapturedCallRow[] = [];
    for (const o of batch) {
      const row = this.rowOf(o);
      if (row) rows.push(row);
    }
    try {
      await this.repo.insertCaptures(rows);
      this.counts.captured += rows.length;
    } catch (e) {
      // Best effort by design: a capture is evidence for a later evaluation, never part of the call.
      this.counts.write_failures += rows.length;
      this.onWriteError(e instanceof Error ? e : new Error(String(e)));
    }
  }
}

function outputOfBody(api: string, body: Buffer): string {
  try {
    return responseOutputText(api, JSON.parse(body.toString('utf8')));
  } catch {
    return '';
  }
}
