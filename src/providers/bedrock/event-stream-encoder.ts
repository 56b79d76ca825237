/**
 * Encoder for the AWS event-stream framing: the inverse of EventStreamDecoder, for the simulated
 * provider and for tests that need Bedrock streams no fixture records.
 */
import { crc32 } from 'node:zlib';

export type EncodableHeader =
  | { name: string; type: 'bool'; value: boolean }
  | { name: string; type: 'byte' | 'short' | 'int'; value: number }
  | { name: string; type: 'long'; value: bigint }
  | { name: string; type: 'bytes'; value: Uint8Array }
  | { name: string; type: 'string'; value: string }
  | { name: string; type: 'timestamp'; value: Date }
  | { name: string; type: 'uuid'; value: string };

const utf8 = new TextEncoder();

function encodeHeader(h: EncodableHeader): Uint8Array {
  const name = utf8.encode(h.name);
  if (name.length > 255) throw new RangeError(`header name too long: ${h.name}`);
  let value: Uint8Array;
  let type: number;
  switch (h.type) {
    case 'bool':
      type = h.value ? 0 : 1;
      value = new Uint8Array(0);
      break;
    case 'byte':
      type = 2;
      value = new Uint8Array(1);
      new DataView(value.buffer).setInt8(0, h.value);
      break;
    case 'short':
      type = 3;
      value = new Uint8Array(2);
      new DataView(value.buffer).setInt16(0, h.value);
      break;
    case 'int':
      type = 4;
      value = new Uint8Array(4);
      new DataView(value.buffer).setInt32(0, h.value);
      break;
    case 'long':
    case 'timestamp':
      type = h.type === 'long' ? 5 : 8;
      value = new Uint8Array(8);
      new DataView(value.buffer).setBigInt64(0, h.type === 'long' ? h.value : BigInt(h.value.getTime()));
      break;
    case 'bytes':
    case 'string': {
      type = h.type === 'bytes' ? 6 : 7;
      const bytes = h.type === 'bytes' ? h.value : utf8.encode(h.value);
      if (bytes.length > 0xffff) throw new RangeError(`header value too long: ${h.name}`);
      value = new Uint8Array(2 + bytes.length);
      new DataView(value.buffer).setUint16(0, bytes.length);
      value.set(bytes, 2);
      break;
    }
    case 'uuid': {
      type = 9;
      const hex = h.value.replace(/-/g, '');
      if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a uuid: ${h.value}`);
      value = Uint8Array.from(hex.match(/../g) ?? [], (x) => parseInt(x, 16));
      break;
    }
  }
  const out = new Uint8Array(1 + name.length + 1 + value.length);
  out[0] = name.length;
  out.set(name, 1);
  out[1 + name.length] = type;
  out.set(value, 2 + name.length);
  return out;
}

/** Frames one message: prelude, headers, payload and both CRCs. */
export function encodeEventStreamMessage(headers: EncodableHeader[], payload: Uint8Array): Uint8Array {
  const encoded = headers.map(encodeHeader);
  const headersLen = encoded.reduce((n, h) => n + h.length, 0);
  const total = 12 + headersLen + payload.length + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headersLen);
  view.setUint32(8, crc32(out.subarray(0, 8)));
  let p = 12;
  for (const h of encoded) {
    out.set(h, p);
    p += h.length;
  }
  out.set(payload, p);
  view.setUint32(total - 4, crc32(out.subarray(0, total - 4)));
  return out;
}

/** A Bedrock-style event: `:event-type`, `:content-type: application/json`, `:message-type: event`. */
export function encodeJsonEvent(eventType: string, payload: unknown): Uint8Array {
  return encodeEventStreamMessage(
    [
      { name: ':event-type', type: 'string', value: eventType },
      { name: ':content-type', type: 'string', value: 'application/json' },
      { name: ':message-type', type: 'string', value: 'event' },
    ],
    utf8.encode(JSON.stringify(payload)),
  );
}

/** A Bedrock exception frame (`:message-type: exception`), as sent when a stream fails midway. */
export function encodeException(exceptionType: string, message: string): Uint8Array {
  return encodeEventStreamMessage(
    [
      { name: ':exception-type', type: 'string', value: exceptionType },
      { name: ':content-type', type: 'string', value: 'application/json' },
      { name: ':message-type', type: 'string', value: 'exception' },
    ],
    utf8.encode(JSON.stringify({ message })),
  );
}
