/**
 * Incremental decoder for the AWS event-stream binary framing (application/vnd.amazon.eventstream),
 * used by Bedrock ConverseStream and InvokeModelWithResponseStream.
 *
 * Message layout (big-endian):
 *   prelude  = total_length u32 | headers_length u32 | prelude_crc u32 (CRC-32 of the first 8 bytes)
 *   headers  = repeated: name_length u8 | name | value_type u8 | value
 *   payload  = total_length - headers_length - 16 bytes
 *   message_crc u32 (CRC-32 of everything before it)
 * A checksum mismatch means the byte stream cannot be trusted (lengths may be garbage), so the
 * decoder refuses all further input after the first error.
 */
import { ProviderPayloadError } from '../spec.js';
import { crc32 } from 'node:zlib';

export type EventStreamHeaderValue = boolean | number | bigint | string | Uint8Array | Date;

export interface EventStreamMessage {
  headers: Map<string, EventStreamHeaderValue>;
  payload: Uint8Array;
}

const PRELUDE_BYTES = 12;
const MIN_MESSAGE_BYTES = 16;
/** AWS limits: 16 MiB payload and 128 KiB of headers per message. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 128 * 1024 + MIN_MESSAGE_BYTES;

const utf8 = new TextDecoder('utf-8');

export class EventStreamDecoder {
  private buf = new Uint8Array(0);
  private head = 0;
  private tail = 0;
  private failure: ProviderPayloadError | undefined;

  /** Bytes received but not yet part of a complete message. */
  get pendingBytes(): number {
    return this.tail - this.head;
  }

  /** The framing error that stopped decoding, if any. */
  get error(): ProviderPayloadError | undefined {
    return this.failure;
  }

  /**
   * Decodes a chunk and returns the messages it completed. Bad framing throws ProviderPayloadError;
   * when good messages precede the bad one in the same chunk they are returned first and the error
   * is thrown by the next push() or end(), so no valid message is lost.
   */
  push(chunk: Uint8Array): EventStreamMessage[] {
    if (this.failure) throw this.failure;
    this.append(chunk);
    const out: EventStreamMessage[] = [];
    try {
      for (;;) {
        const msg = this.next();
        if (!msg) break;
        out.push(msg);
      }
    } catch (err) {
      if (!(err instanceof ProviderPayloadError)) throw err;
      this.failure = err;
      this.buf = new Uint8Array(0);
      this.head = this.tail = 0;
      if (out.length === 0) throw err;
      return out;
    }
    if (this.head === this.tail) this.head = this.tail = 0;
    return out;
  }

  /** Call at end of body: throws on earlier bad framing, or when the body stopped inside a message. */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.pendingBytes > 0) {
      throw new ProviderPayloadError(`event stream ended inside a message (${this.pendingBytes} bytes left)`);
    }
  }

  private append(chunk: Uint8Array): void {
    const need = this.tail - this.head + chunk.length;
    if (this.tail + chunk.length > this.buf.length) {
      if (need <= this.buf.length) {
        this.buf.copyWithin(0, this.head, this.tail);
      } else {
        const grown = new Uint8Array(Math.max(need, this.buf.length * 2, 1024));
        grown.set(this.buf.subarray(this.head, this.tail));
        this.buf = grown;
      }
      this.tail -= this.head;
      this.head = 0;
    }
    this.buf.set(chunk, this.tail);
    this.tail += chunk.length;
  }

  private next(): EventStreamMessage | undefined {
    const avail = this.tail - this.head;
    if (avail < PRELUDE_BYTES) return undefined;
    const b = this.buf;
    const s = this.head;
    const view = new DataView(b.buffer, b.byteOffset + s, avail);
    const total = view.getUint32(0);
    const headersLen = view.getUint32(4);
    if (crc32(b.subarray(s, s + 8)) !== view.getUint32(8)) throw new ProviderPayloadError('event stream prelude CRC mismatch');
    if (total < MIN_MESSAGE_BYTES || total > MAX_MESSAGE_BYTES) {
      throw new ProviderPayloadError(`event stream message length out of range: ${total}`);
    }
    if (headersLen > total - MIN_MESSAGE_BYTES) {
      throw new ProviderPayloadError(`event stream headers length ${headersLen} exceeds message length ${total}`);
    }
    if (avail < total) return undefined;
    if (crc32(b.subarray(s, s + total - 4)) !== view.getUint32(total - 4)) {
      throw new ProviderPayloadError('event stream message CRC mismatch');
    }
    const headers = parseHeaders(b, s + PRELUDE_BYTES, s + PRELUDE_BYTES + headersLen);
    const payload = b.slice(s + PRELUDE_BYTES + headersLen, s + total - 4);
    this.head = s + total;
    return { headers, payload };
  }
}

function parseHeaders(b: Uint8Array, from: number, to: number): Map<string, EventStreamHeaderValue> {
  const view = new DataView(b.buffer, b.byteOffset);
  const headers = new Map<string, EventStreamHeaderValue>();
  let p = from;
  const need = (n: number): void => {
    if (p + n > to) throw new ProviderPayloadError('event stream header runs past the header block');
  };
  while (p < to) {
    need(1);
    const nameLen = b[p] as number;
    p += 1;
    need(nameLen + 1);
    const name = utf8.decode(b.subarray(p, p + nameLen));
    p += nameLen;
    const type = b[p] as number;
    p += 1;
    let value: EventStreamHeaderValue;
    switch (type) {
      case 0:
        value = true;
        break;
      case 1:
        value = false;
        break;
      case 2:
        need(1);
        value = view.getInt8(p);
        p += 1;
        break;
      case 3:
        need(2);
        value = view.getInt16(p);
        p += 2;
        break;
      case 4:
        need(4);
        value = view.getInt32(p);
        p += 4;
        break;
      case 5:
        need(8);
        value = view.getBigInt64(p);
        p += 8;
        break;
      case 6:
      case 7: {
        need(2);
        const len = view.getUint16(p);
        p += 2;
        need(len);
        const bytes = b.subarray(p, p + len);
        value = type === 6 ? bytes.slice() : utf8.decode(bytes);
        p += len;
        break;
      }
      case 8:
        need(8);
        value = new Date(Number(view.getBigInt64(p)));
        p += 8;
        break;
      case 9:
        need(16);
        value = formatUuid(b.subarray(p, p + 16));
        p += 16;
        break;
      default:
        throw new ProviderPayloadError(`event stream header "${name}" has unknown value type ${type}`);
    }
    headers.set(name, value);
  }
  return headers;
}

function formatUuid(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Decodes a whole event-stream body at once (CLI and tests). */
export function decodeEventStream(body: Uint8Array): EventStreamMessage[] {
  const d = new EventStreamDecoder();
  const out = d.push(body);
  d.end();
  return out;
}

/** A string-valued header, or undefined. */
export function headerString(msg: EventStreamMessage, name: string): string | undefined {
  const v = msg.headers.get(name);
  return typeof v === 'string' ? v : undefined;
}
