/** Shared helpers for the simulator tests: raw byte capture and Costrail's parsers over it. */
import { parserFor } from '../../src/providers/registry.js';
import type { ApiKind, StreamOutcome, UsageExtraction } from '../../src/providers/spec.js';
import type { ProviderId } from '../../src/providers/registry.js';

export interface Raw {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  text: string;
  /** True when the connection broke before the body ended. */
  truncated: boolean;
}

/** POSTs JSON and keeps every byte received, even when the server hangs up mid-body. */
export async function postRaw(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const parts: Uint8Array[] = [];
  let truncated = false;
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parts.push(chunk);
  } catch {
    truncated = true;
  }
  const bytes = Buffer.concat(parts);
  return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8'), truncated };
}

export function parseBody(provider: ProviderId, api: ApiKind, raw: Raw): UsageExtraction | null {
  return parserFor(provider).fromBody(JSON.parse(raw.text), { api });
}

/** Feeds the stream in small slices, the way it arrives through the gateway. */
export function meterStream(provider: ProviderId, api: ApiKind, raw: Raw): StreamOutcome {
  const meter = parserFor(provider).createStreamMeter({ api });
  for (let i = 0; i < raw.bytes.length; i += 97) meter.push(raw.bytes.subarray(i, i + 97));
  return meter.end();
}

/** Data payloads of an SSE body (without the `[DONE]` sentinel), parsed. */
export function sseData(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)) as unknown);
}
