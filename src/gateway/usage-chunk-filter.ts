/**
 * Removes the usage-only chunk (`"choices":[]` with a usage object) from an OpenAI-style chat
 * stream, for clients that did not ask for it: the gateway asked on their behalf to meter the
 * call, and the client must see exactly the stream it would have seen without Costrail.
 * Works on whole SSE events (blank-line separated); other bytes pass through untouched.
 */
export class UsageChunkFilter {
  private pending: Buffer | undefined;

  push(chunk: Buffer): Buffer {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    let start = 0;
    for (;;) {
      const end = findSeparator(buf, start);
      if (end === -1) break;
      const sepLen = buf[end] === 13 ? 4 : 2;
      const event = buf.subarray(start, end + sepLen);
      if (!isUsageOnly(event)) out.push(event);
      start = end + sepLen;
    }
    this.pending = start < buf.length ? Buffer.from(buf.subarray(start)) : undefined;
    return out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }

  end(): Buffer {
    const rest = this.pending ?? Buffer.alloc(0);
    this.pending = undefined;
    return isUsageOnly(rest) ? Buffer.alloc(0) : rest;
  }
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
  if (event.indexOf('"usage"') === -1 || event.indexOf('"choices"') === -1) return false;
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
