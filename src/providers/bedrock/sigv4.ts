/**
 * AWS Signature Version 4 (header form) over node:crypto, for Bedrock calls signed with the
 * credentials Costrail holds. Checked against the published aws-sig-v4-test-suite vectors
 * (test/providers/sigv4.test.ts); the simulated Bedrock verifies with `verifySigV4`.
 *
 * `path` is the request path as it goes on the wire (already percent-encoded). Every service but
 * S3 encodes each segment once more for the canonical URI, so a Bedrock model id's `:` (sent as
 * `%3A`) is signed as `%253A`, as the AWS SDKs do.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SigV4Scope {
  region: string;
  service: string;
}

export interface SignableRequest {
  method: string;
  /** `host[:port]` exactly as the Host header will carry it. */
  host: string;
  /** Wire path, already percent-encoded, without the query. */
  path: string;
  /** Raw query string without `?` (may be empty). */
  query: string;
  /** Extra headers to sign (names any case); host and x-amz-date are added. */
  headers: Record<string, string>;
  body: Uint8Array | string;
}

export interface SignedParts {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  /** Headers to send: authorization, x-amz-date, and x-amz-security-token with a session. */
  headers: Record<string, string>;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** RFC 3986 encoding: every byte but unreserved characters, uppercase hex. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Uint8Array | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** `20150830T123600Z` */
export function amzDate(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function canonicalPath(path: string): string {
  if (path === '' || path === '/') return '/';
  return path
    .split('/')
    .map((seg) => uriEncode(seg))
    .join('/');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Pairs decoded then re-encoded, sorted by name then value (byte order, not locale). */
function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const k = eq < 0 ? p : p.slice(0, eq);
      const v = eq < 0 ? '' : p.slice(eq + 1);
      return [uriEncode(safeDecode(k)), uriEncode(safeDecode(v))] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function canonicalHeaders(headers: Record<string, string>): { text: string; signed: string } {
  const names = Object.keys(headers).sort();
  const text = names.map((n) => `${n}:${(headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  return { text, signed: names.join(';') };
}

function signingKey(secret: string, date: string, scope: SigV4Scope): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, scope.region);
  const kService = hmac(kRegion, scope.service);
  return hmac(kService, 'aws4_request');
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}

/** Signs at `at`; the headers it returns go on the request as they are. */
export function signSigV4(req: SignableRequest, creds: AwsCredentials, scope: SigV4Scope, at: Date = new Date()): SignedParts {
  const stamp = amzDate(at);
  const date = stamp.slice(0, 8);
  const headers = lowerKeys(req.headers);
  headers['host'] = req.host;
  headers['x-amz-date'] = stamp;
  if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken;
  const ch = canonicalHeaders(headers);
  const canonicalRequest = [req.method.toUpperCase(), canonicalPath(req.path), canonicalQuery(req.query), ch.text, ch.signed, sha256Hex(req.body)].join('\n');
  const credentialScope = `${date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [ALGORITHM, stamp, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(creds.secretAccessKey, date, scope)).update(stringToSign, 'utf8').digest('hex');
  const out: Record<string, string> = {
    authorization: `${ALGORITHM} Credential=${creds.accessKeyId}/${credentialScope}, SignedHeaders=${ch.signed}, Signature=${signature}`,
    'x-amz-date': stamp,
  };
  if (creds.sessionToken) out['x-amz-security-token'] = creds.sessionToken;
  return { canonicalRequest, stringToSign, signature, headers: out };
}

export interface ReceivedRequest {
  method: string;
  /** Path with query, as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array | string;
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** Recomputes a received request's signature (the verifying side: simulated Bedrock). Returns why it fails, or null. */
export function verifySigV4(req: ReceivedRequest, creds: AwsCredentials, scope: SigV4Scope): string | null {
  const auth = req.headers['authorization'];
  const m = typeof auth === 'string' ? AUTH.exec(auth) : null;
  if (!m) return 'missing or malformed SigV4 Authorization header';
  const [, akid, date, region, service, signedList, signature] = m;
  if (akid !== creds.accessKeyId) return `unknown access key id ${akid}`;
  if (region !== scope.region || service !== scope.service) return `credential scope ${region}/${service} is not ${scope.region}/${scope.service}`;
  const stamp = req.headers['x-amz-date'];
  if (typeof stamp !== 'string' || stamp.slice(0, 8) !== date) return 'x-amz-date missing or not the credential date';
  const signed: Record<string, string> = {};
  for (const name of (signedList ?? '').split(';')) {
    const v = req.headers[name];
    if (v === undefined) return `signed header ${name} is missing`;
    signed[name] = Array.isArray(v) ? v.join(',') : v;
  }
  if (creds.sessionToken && signed['x-amz-security-token'] !== creds.sessionToken) return 'session token missing or not signed';
  const q = req.url.indexOf('?');
  const parts = signSigV4(
    { method: req.method, host: signed['host'] ?? '', path: q < 0 ? req.url : req.url.slice(0, q), query: q < 0 ? '' : req.url.slice(q + 1), headers: signed, body: req.body },
    { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    scope,
    new Date(Date.UTC(+stamp.slice(0, 4), +stamp.slice(4, 6) - 1, +stamp.slice(6, 8), +stamp.slice(9, 11), +stamp.slice(11, 13), +stamp.slice(13, 15))),
  );
  const a = Buffer.from(parts.signature, 'hex');
  const b = Buffer.from(signature ?? '', 'hex');
  return a.length === b.length && timingSafeEqual(a, b) ? null : 'signature does not match';
}
