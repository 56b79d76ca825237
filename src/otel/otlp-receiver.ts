/**
 * The OTLP/HTTP trace receiver, `POST /v1/traces`, as the OpenTelemetry collector's `otlphttp`
 * exporter and the SDKs' OTLP/HTTP exporters send: protobuf (`application/x-protobuf`) or JSON
 * (`application/json`), optionally gzip-compressed; authenticated by an API token (the admin
 * token, or a scoped token whose scope is stamped on the records it sends).
 *
 * Answers follow the OTLP/HTTP specification: 200 with an ExportTraceServiceResponse in the
 * request's encoding, carrying `partial_success` (rejected span count + message) when some spans
 * were refused; 400 with a google.rpc.Status when the payload is not a request at all (the
 * exporter must not retry it); 401 without a valid token; 415 for another content type; 413 for
 * bodies over the limit. Non-GenAI spans are skipped (counted as accepted: they are valid).
 */
import { gunzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiAuthenticator } from '../http/principal.js';
import type { PriceBookSource } from '../pricing/current-price-book.js';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import { decodeTraceRequest, encodeTraceResponse } from './otlp-protobuf.js';
import { OtlpPayloadError, readTraceRequest } from './otlp-trace-request.js';
import { spanGroupsToRecords } from './span-ledger-record.js';
import type { AttributeNameMap } from './span-attribution.js';
import type { GatewayCallIndex } from './gateway-call-index.js';

export const OTLP_TRACES_PATH = '/v1/traces';
/** Compressed or not, a body above this is refused (the collector's default batch is far smaller). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

export interface OtlpReceiverOptions {
  auth: ApiAuthenticator;
  prices: PriceBookSource;
  names: AttributeNameMap;
  /** Recent gateway calls of this process, so a span of a call the gateway recorded adds no record. */
  gatewayCalls?: GatewayCallIndex;
  /** Where records go: the same durable sink as the gateway's. */
  append(record: LedgerRecord): Promise<void> | void;
}

type Encoding = 'json' | 'protobuf';

export class OtlpReceiver {
  constructor(private readonly opts: OtlpReceiverOptions) {}

  handles(url: string): boolean {
    return url === OTLP_TRACES_PATH || url.startsWith(`${OTLP_TRACES_PATH}?`);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const encoding: Encoding = type === 'application/x-protobuf' || type === 'application/protobuf' ? 'protobuf' : 'json';
    if (req.method !== 'POST') return this.status(res, 405, 'only POST is accepted on /v1/traces', { allow: 'POST' });
    const token = /^Bearer\s+(.+)$/i.exec((req.headers.authorization ?? '').trim())?.[1];
    const principal = this.opts.auth.authenticate(token);
    if (!principal) return this.status(res, 401, 'missing or invalid token: send Authorization: Bearer <admin token or API token>', { 'www-authenticate': 'Bearer' });
    if (type !== 'application/json' && encoding !== 'protobuf') return this.status(res, 415, `unsupported content type "${type}": send application/x-protobuf or application/json`);
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (e) {
      return this.status(res, 413, (e as Error).message);
    }
    const contentEncoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (contentEncoding === 'gzip') {
      try {
        body = gunzipSync(body, { maxOutputLength: MAX_INFLATED_BYTES });
      } catch (e) {
        return this.status(res, 400, `the gzip body cannot be inflated: ${(e as Error).message}`);
      }
    } else if (contentEncoding !== 'identity') return this.status(res, 415, `unsupported content encoding "${contentEncoding}": send gzip or none`);

    let groups;
    try {
      const decoded = encoding === 'protobuf' ? decodeTraceRequest(body) : (JSON.parse(body.toString('utf8')) as unknown);
      groups = readTraceRequest(decoded);
    } catch (e) {
      const why = e instanceof OtlpPayloadError ? e.message : `not a valid ${encoding === 'protobuf' ? 'protobuf' : 'JSON'} ExportTraceServiceRequest: ${(e as Error).message}`;
      return this.status(res, 400, why);
    }
    const converted = spanGroupsToRecords(groups, { book: this.opts.prices.current(), names: this.opts.names, scope: principal.kind === 'scoped' ? principal.scope : undefined, gatewayCalls: this.opts.gatewayCalls });
    try {
      await Promise.all(converted.records.map((r) => this.opts.append(r)));
    } catch (e) {
      // Nothing is acknowledged that the ledger did not take: the exporter retries on 503.
      return this.status(res, 503, `the ledger cannot take records now: ${(e as Error).message}`, { 'retry-after': '5' });
    }
    const message = converted.rejected > 0 ? `${converted.rejected} span(s) rejected: ${converted.errors.join('; ')}` : '';
    if (encoding === 'protobuf') {
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end(Buffer.from(encodeTraceResponse(converted.rejected, message)));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(converted.rejected > 0 ? { partialSuccess: { rejectedSpans: String(converted.rejected), errorMessage: message } } : {}));
  }

  /** An error answer: a google.rpc.Status as JSON (the exporters only log it, whatever their encoding). */
  private status(res: ServerResponse, code: number, message: string, headers: Record<string, string> = {}): void {
    // gRPC status codes: INVALID_ARGUMENT 3, UNAUTHENTICATED 16, UNAVAILABLE 14, RESOURCE_EXHAUSTED 8, UNIMPLEMENTED 12.
    const rpc = code === 401 ? 16 : code === 503 ? 14 : code === 413 ? 8 : code === 405 || code === 415 ? 12 : 3;
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ code: rpc, message }));
  }
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) {
      req.resume();
      throw new Error(`the body exceeds ${max} bytes: send smaller batches`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
