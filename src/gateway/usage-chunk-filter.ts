/**
 * Removes the usage-only chunk (`"choices":[]` with a usage object) from an OpenAI-style chat
 * stream, for clients that did not ask for it: the gateway asked on their behalf to meter the
 * call, and the client must see exactly the stream it would have seen without Costrail.
 * Works on whole SSE events (blank-line separated); other bytes pass through untouched.
 *
 * Linear in the bytes that pass: each byte is searched once (a separator split across chunks is
 * found through the last three bytes kept from the previous chunk) and an event is joined at most
 * once. An event longer than MAX_HELD cannot be the small usage chunk, so it stops being held and
 * streams through as it arrives (a multi-MB single line once cost quadratic time, re-joined and
 * re-searched on every chunk).
 */
import { keyFollowedBy, resetHits } from '../providers/lazy-sse-meter.js';

const MAX_HELD = 64 * 1024;
const EMPTY = Buffer.alloc(0);

export class UsageChunkFilter {
  /** Bytes of the current, unfinished event (held while it may still be the usage-only chunk). */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** The current event grew past MAX_HELD: its bytes go straight through. */
  private passing = false;
  /** The current event's last bytes (at most 3), for a separator split across chunks. */
  private tail: Buffer = EMPTY;

  push(chunk: Buffer): Buffer {
    // The common chunk: whole events, none with a usage object. It passes as it is (no copy).
    if (this.held.length === 0 && !this.passing && this.tail.length === 0 && endsAtSeparator(chunk) && !hasUsageObject(chunk)) return chunk;
    const out: Buffer[] = [];
    const lead = this.tail.length;
    const probe = lead > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    let start = 0; // where the current event's bytes begin in `chunk`
    let from = 0; // where to search next in `probe`
    for (;;) {
      const sep = findSeparator(probe, from);
      if (sep === -1) break;
      const end = sep + (probe[sep] === 13 ? 4 : 2) - lead; // end of the event in `chunk`
      this.finishEvent(chunk.subarray(start, end), out);
      start = end;
      from = end + lead;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      const before = start === 0 ? this.tail : EMPTY;
      this.tail = rest.length >= 3 ? rest.subarray(rest.length - 3) : Buffer.concat([before, rest]).subarray(-3);
      if (this.passing) out.push(rest);
      else this.hold(rest, out);
    } else if (start > 0) this.tail = EMPTY;
    return out.length === 1 ? (out[0] as Buffer) : out.length === 0 ? EMPTY : Buffer.concat(out);
  }

  end(): Buffer {
    const rest = this.passing ? EMPTY : this.held.length === 1 ? (this.held[0] as Buffer) : Buffer.concat(this.held);
    this.reset();
    return isUsageOnly(rest) ? EMPTY : rest;
  }

  private hold(piece: Buffer, out: Buffer[]): void {
    this.held.push(piece);
    this.heldBytes += piece.length;
    if (this.heldBytes > MAX_HELD) {
      for (const b of this.held) out.push(b);
      this.held = [];
      this.heldBytes = 0;
      this.passing = true;
    }
  }

  private finishEvent(last: Buffer, out: Buffer[]): void {
    if (this.passing) out.push(last);
    else {
      const event = this.held.length === 0 ? last : Buffer.concat([...this.held, last]);
      if (!isUsageOnly(event)) out.push(event);
    }
    this.reset();
  }

  private reset(): void {
    this.held = [];
    this.heldBytes = 0;
    this.passing = false;
    this.tail = EMPTY;
  }
}

/** The chunk ends with an event's blank line. */
function endsAtSeparator(b: Buffer): boolean {
  const n = b.length;
  return (n >= 2 && b[n - 1] === 10 && b[n - 2] === 10) || (n >= 4 && b[n - 1] === 10 && b[n - 2] === 13 && b[n - 3] === 10 && b[n - 4] === 13);
}

const USAGE_KEY = Buffer.from('"usage"');

/** Some `"usage"` key in the bytes is followed by an object (not `null`): the only events the filter may drop. */
function hasUsageObject(b: Buffer): boolean {
  resetHits();
  return keyFollowedBy(b, 0, b.length, USAGE_KEY, (buf, i) => buf[i] === 123 /* { */);
}

/** Index of the first "\n\n" or "\r\n\r\n" at or after `from`, or -1. */
function findSeparator(buf: Buffer, from: number): number {
  const lf = buf.indexOf('\n\n', from);
  const crlf = buf.indexOf('\r\n\r\n', from);
  if (lf === -1) return crlf;
  if (crlf === -1) return lf;
  return Math.min(lf, crlf);
}

/**
 * Most chunks carry `"usage":null` (OpenAI sends it on every chunk once usage is requested), so
 * the cheap byte searches below must rule them out before any decoding: a usage-only chunk has an
 * empty `choices` array and a usage object.
 */
const USAGE_OBJECT = /"usage"\s*:\s*\{/;
const EMPTY_CHOICES = /"choices"\s*:\s*\[\s*\]/;

function isUsageOnly(event: Buffer): boolean {
  if (!hasUsageObject(event) || event.indexOf('"choices"') === -1) return false;
  // latin1 maps bytes 1:1 and costs no UTF-8 validation; the JSON keys searched for are ASCII.
  const bytes = event.toString('latin1');
  if (!USAGE_OBJECT.test(bytes) || !EMPTY_CHOICES.test(bytes)) return false;
  const data = event.toString('utf8').split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('');
  if (!data.startsWith('{')) return false;
  try {
    const obj = JSON.parse(data) as { choices?: unknown; usage?: unknown };
    return Array.isArray(obj.choices) && obj.choices.length === 0 && obj.usage !== null && typeof obj.usage === 'object';
  } catch {
    return false;
  }
}
