/**
 * Incremental splitter for a streamed top-level JSON array.
 *
 * `streamGenerateContent` without `alt=sse` answers with one JSON array, `[{...}\r\n,{...}\r\n]`,
 * written element by element as the model generates. To meter it on the fly we cut out each
 * top-level element as soon as its closing brace arrives, without re-scanning earlier bytes and
 * without parsing the whole array. Only string/escape state and bracket depth are tracked: the
 * element's text is handed to JSON.parse by the caller, which judges whether it is valid.
 *
 * Leniency (this runs on the gateway hot path and must never throw): a bare top-level value
 * (an error object sent without the array) is emitted as an element; stray closers between
 * elements are counted in `skipped`; commas are treated as whitespace.
 */

export interface JsonArraySplitterOptions {
  /**
   * Longest element kept, in UTF-16 code units. Longer elements are dropped and counted in
   * `skipped`, so a runaway or hostile stream cannot grow memory without bound. Inline image
   * output makes single elements several MB, hence the generous default.
   */
  maxElementLength?: number;
}

const DEFAULT_MAX_ELEMENT_LENGTH = 64 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff;
}

/** Ends a scalar (number, true, false, null) written at the top level of the array. */
function endsScalar(c: number): boolean {
  return (
    isWhitespace(c) ||
    c === COMMA ||
    c === CLOSE_BRACKET ||
    c === CLOSE_BRACE ||
    c === OPEN_BRACE ||
    c === OPEN_BRACKET ||
    c === QUOTE
  );
}

type ElementKind = 'container' | 'string' | 'scalar';

// Jumps over string contents in one native search instead of a per-character loop: long base64
// payloads (inline images, thought signatures) are most of the bytes in a Gemini stream.
const STRING_SPECIAL = /["\\]/g;

export class JsonArraySplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly maxElementLength: number;
  private arrayOpen = false;
  private kind: ElementKind | null = null;
  private depth = 0;
  private inString = false;
  private escape = false;
  private parts: string[] = [];
  private partsLength = 0;
  private oversize = false;
  private ended = false;
  /** Stray characters and oversize elements that were dropped. */
  skipped = 0;
  /** True when the stream ended inside an element (the element was dropped). */
  truncated = false;

  constructor(options: JsonArraySplitterOptions = {}) {
    this.maxElementLength = options.maxElementLength ?? DEFAULT_MAX_ELEMENT_LENGTH;
  }

  /** Decodes a byte chunk (UTF-8 sequences may be split anywhere) and returns completed elements. */
  push(chunk: Uint8Array): string[] {
    if (this.ended) return [];
    return this.pushText(this.decoder.decode(chunk, { stream: true }));
  }

  /** Feeds already-decoded text; returns the elements it completed, as raw JSON text. */
  pushText(text: string): string[] {
    const out: string[] = [];
    if (this.ended || text.length === 0) return out;
    let start = this.kind === null ? -1 : 0;
    let i = 0;
    const n = text.length;
    while (i < n) {
      if (this.kind === null) {
        const c = text.charCodeAt(i);
        if (isWhitespace(c) || c === COMMA) {
          i++;
          continue;
        }
        if (c === OPEN_BRACKET && !this.arrayOpen) {
          this.arrayOpen = true;
        } else if (c === CLOSE_BRACKET && this.arrayOpen) {
          this.arrayOpen = false;
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          this.begin('container');
          this.depth = 1;
          start = i;
        } else if (c === QUOTE) {
          this.begin('string');
          this.inString = true;
          start = i;
        } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          this.skipped++;
        } else {
          this.begin('scalar');
          start = i;
        }
        i++;
        continue;
      }
      if (this.inString) {
        if (this.escape) {
          this.escape = false;
          i++;
          continue;
        }
        STRING_SPECIAL.lastIndex = i;
        const m = STRING_SPECIAL.exec(text);
        if (m === null) {
          i = n;
          break;
        }
        i = m.index;
        if (text.charCodeAt(i) === BACKSLASH) {
          this.escape = true;
          i++;
          continue;
        }
        this.inString = false;
        i++;
        if (this.kind === 'string') {
          this.finish(text, start, i, out);
          start = -1;
        }
        continue;
      }
      const c = text.charCodeAt(i);
      if (this.kind === 'scalar') {
        if (endsScalar(c)) {
          // The delimiter belongs to the outer level: finish, then look at it again.
          this.finish(text, start, i, out);
          start = -1;
        } else {
          i++;
        }
        continue;
      }
      if (c === QUOTE) {
        this.inString = true;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 0) {
          this.finish(text, start, i + 1, out);
          start = -1;
        }
      }
      i++;
    }
    if (this.kind !== null && start !== -1) this.keep(text.slice(start));
    return out;
  }

  /** Flushes the decoder; a scalar still open is complete, any other open element is truncated. */
  end(): string[] {
    if (this.ended) return [];
    const out = this.pushText(this.decoder.decode());
    this.ended = true;
    if (this.kind === 'scalar') {
      this.finish('', 0, 0, out);
    } else if (this.kind !== null) {
      this.truncated = true;
      this.reset();
    }
    return out;
  }

  private begin(kind: ElementKind): void {
    this.kind = kind;
    this.depth = 0;
    this.inString = false;
    this.escape = false;
  }

  private keep(piece: string): void {
    if (this.oversize) return;
    this.partsLength += piece.length;
    if (this.partsLength > this.maxElementLength) {
      this.oversize = true;
      this.parts = [];
      return;
    }
    this.parts.push(piece);
  }

  private finish(text: string, start: number, endExclusive: number, out: string[]): void {
    this.keep(text.slice(start, endExclusive));
    if (this.oversize) {
      this.skipped++;
    } else {
      out.push(this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join(''));
    }
    this.reset();
  }

  private reset(): void {
    this.kind = null;
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.parts = [];
    this.partsLength = 0;
    this.oversize = false;
  }
}

/** Splits a whole streamed array at once (CLI and tests). */
export function splitJsonArray(body: Uint8Array | string): string[] {
  const s = new JsonArraySplitter();
  const first = typeof body === 'string' ? s.pushText(body) : s.push(body);
  return [...first, ...s.end()];
}
