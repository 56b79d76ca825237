/**
 * Lazy metering of an SSE stream: the bytes pass, and only the events that can carry usage are
 * decoded. Events are split on blank lines with byte searches; a provider's plan says, from the
 * bytes alone, which events the usage reading needs (the candidates). Only those reach an inner
 * "fast" meter of the provider's own kind; every chunk is also kept, as the Buffers that passed
 * (bounded by MAX_LOG_BYTES), so that whenever the fast reading is not the whole answer (no
 * usage, refused usage, a stream error, an unterminated tail, or someone asks for the generated
 * text to estimate from) the whole stream is replayed through a fresh meter of the same kind:
 * such outcomes are exactly those of the eager meter. A stream beyond the bound, or with CR line
 * endings (where blank-line byte splitting is not enough), is metered eagerly from then on.
 */
import type { StreamMeter, StreamOutcome } from './spec.js';

/** Bytes of stream kept for a replay; beyond it the meter turns eager (memory stays bounded). */
export const MAX_LOG_BYTES = 4 * 1024 * 1024;

export interface LazyPlan<M extends StreamMeter = StreamMeter> {
  /** Whether the event in bytes [start, end) of `buf` may matter to the usage reading. */
  candidate(buf: Buffer, start: number, end: number): boolean;
  /**
   * Until this holds of the fast meter, every event is fed to it (e.g. until it knows the model,
   * as the eager meter parses every event until then). Default: only candidates are fed.
   */
  settles?(fast: M): boolean;
  /**
   * Feed the last non-candidate data event too, at the end (a meter that reads a field from its
   * last deferred chunk, whatever came after it; the plan must make that order-independent).
   */
  keepLastPlain?: boolean;
}

const LF = 10;
const CR = 13;

export class LazySseMeter<M extends StreamMeter> implements StreamMeter {
  private readonly fast: M;
  /** Set once the meter is eager (or has replayed): it then holds the answer. */
  private full: StreamMeter | undefined;
  private log: Buffer[] = [];
  private logBytes = 0;
  /** Pieces of the current unfinished event. */
  private carry: Buffer[] = [];
  private settled: boolean;
  private lastPlain: Buffer | undefined;
  private outcome: StreamOutcome | undefined;

  constructor(
    private readonly create: () => M,
    private readonly plan: LazyPlan<M>,
  ) {
    this.fast = create();
    this.settled = plan.settles === undefined;
  }

  push(chunk: Uint8Array): void {
    if (this.outcome) return;
    if (this.full) {
      this.full.push(chunk);
      return;
    }
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.log.push(buf);
    this.logBytes += buf.length;
    if (this.logBytes > MAX_LOG_BYTES || buf.indexOf(CR) !== -1) {
      this.goEager();
      return;
    }
    this.split(buf);
  }

  end(): StreamOutcome {
    if (this.outcome) return this.outcome;
    if (this.full) return (this.outcome = this.full.end());
    // An unterminated last event: the eager decoder's own end-of-stream rules decide it.
    if (this.carry.some((b) => b.some((c) => c !== LF && c !== 32))) return (this.outcome = this.replay().end());
    if (this.lastPlain) this.fast.push(this.lastPlain);
    const fast = this.fast.end();
    if (!fast.extraction || fast.usage_problem !== undefined || fast.upstream_error !== undefined) return (this.outcome = this.replay().end());
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the lazy getter replays this meter's log
    const meter = this;
    const out: StreamOutcome = {
      extraction: fast.extraction,
      // Read only to estimate, which a call with usage never does: replay the stream then.
      get output_text(): string {
        return meter.replay().end().output_text;
      },
    };
    if (fast.model !== undefined) out.model = fast.model;
    if (fast.finish_reason !== undefined) out.finish_reason = fast.finish_reason;
    if (fast.response_id !== undefined) out.response_id = fast.response_id;
    return (this.outcome = out);
  }

  /** Diagnostics (unreadable events), as the eager meter counts them: replays the stream. */
  get ignoredEvents(): number | undefined {
    const m = this.replay();
    if (this.outcome) m.end();
    return (m as { ignoredEvents?: number }).ignoredEvents;
  }

  /** A fresh meter fed the whole stream (once). */
  private replay(): StreamMeter {
    if (!this.full) {
      const m = this.create();
      for (const b of this.log) m.push(b);
      this.full = m;
      this.log = [];
    }
    return this.full;
  }

  private goEager(): void {
    this.replay();
    this.carry = [];
    this.lastPlain = undefined;
  }

  /** Finds the events completed in `buf` (blank-line ends) and feeds the ones the plan wants. */
  private split(buf: Buffer): void {
    resetHits();
    let start = 0;
    // A blank line split across chunks: the previous piece ended in LF and this one starts with LF.
    if (this.carry.length > 0 && buf[0] === LF) {
      const prev = this.carry[this.carry.length - 1]!;
      if (prev[prev.length - 1] === LF) {
        this.finish(Buffer.concat([...this.carry, buf.subarray(0, 1)]));
        this.carry = [];
        start = 1;
      }
    }
    for (;;) {
      const sep = buf.indexOf('\n\n', start);
      if (sep === -1) break;
      const end = sep + 2;
      if (this.carry.length > 0) {
        this.carry.push(buf.subarray(start, end));
        this.finish(Buffer.concat(this.carry));
        this.carry = [];
      } else this.event(buf, start, end);
      start = end;
    }
    if (start < buf.length) this.carry.push(buf.subarray(start));
  }

  private finish(event: Buffer): void {
    resetHits();
    this.event(event, 0, event.length);
  }

  private event(buf: Buffer, start: number, end: number): void {
    if (!this.settled || this.plan.candidate(buf, start, end)) {
      this.fast.push(buf.subarray(start, end));
      if (!this.settled && this.plan.settles!(this.fast)) this.settled = true;
      return;
    }
    if (this.plan.keepLastPlain && hasDataLine(buf, start, end) && !isDone(buf, start, end)) this.lastPlain = Buffer.from(buf.subarray(start, end));
  }
}

/** Whether bytes [start, end) hold a `data:` line (comment-only and field-only blocks dispatch nothing). */
function hasDataLine(buf: Buffer, start: number, end: number): boolean {
  for (let at = buf.indexOf('data:', start); at !== -1 && at < end; at = buf.indexOf('data:', at + 1)) {
    if (at === start || buf[at - 1] === LF) return true;
  }
  return false;
}

const DONE = ['data: [DONE]\n\n', 'data:[DONE]\n\n'].map((s) => Buffer.from(s));

function isDone(buf: Buffer, start: number, end: number): boolean {
  return DONE.some((d) => d.length === end - start && buf.compare(d, 0, d.length, start, end) === 0);
}

/**
 * Whether the JSON key `"<key>"` in bytes [start, end) is followed (after optional blanks and a
 * colon) by a byte the test accepts. JSON strings escape their quotes, so a key found this way is
 * a real key, not text inside a value. `test` sees the index of the value's first byte.
 */
export function keyFollowedBy(buf: Buffer, start: number, end: number, key: Buffer, test: (buf: Buffer, at: number) => boolean): boolean {
  for (let at = firstHit(buf, key, start); at !== -1 && at < end; at = firstHit(buf, key, at + key.length)) {
    let i = at + key.length;
    while (i < end && isBlank(buf[i]!)) i++;
    if (buf[i] !== 58 /* : */) continue;
    i++;
    while (i < end && isBlank(buf[i]!)) i++;
    if (i < end && test(buf, i)) return true;
  }
  return false;
}

/** Whether bytes [start, end) contain `key` anywhere. */
export function contains(buf: Buffer, start: number, end: number, key: Buffer): boolean {
  const at = firstHit(buf, key, start);
  return at !== -1 && at + key.length <= end;
}

/**
 * The first occurrence of `key` at or after `from`, remembered per key: the events of one chunk are
 * checked in order, so each key is searched through a chunk once, not once per event (a chunk of
 * many events would otherwise cost quadratic time). Forgotten at every new chunk (resetHits).
 */
const hits = new Map<Buffer, { buf: Buffer | undefined; from: number; at: number }>();

function firstHit(buf: Buffer, key: Buffer, from: number): number {
  let h = hits.get(key);
  if (!h) hits.set(key, (h = { buf: undefined, from: 0, at: -1 }));
  if (h.buf === buf && h.from <= from && (h.at === -1 || h.at >= from)) return h.at;
  h.buf = buf;
  h.from = from;
  h.at = buf.indexOf(key, from);
  return h.at;
}

/** Called for each new chunk: a Buffer object is never trusted to hold the same bytes twice. */
export function resetHits(): void {
  for (const h of hits.values()) h.buf = undefined;
}

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === LF || c === CR;
