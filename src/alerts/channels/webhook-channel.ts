/**
 * Generic webhook: the event as JSON, signed so the receiver can trust it.
 * `x-costrail-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the channel secret>`
 * and `x-costrail-timestamp: <unix seconds>` (sign the timestamp too, so a captured request cannot
 * be replayed later under a fresh one).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookChannelConfig } from './channel-config.js';
import { postWithRetry, type DeliveryResult, type RetryPolicy } from './http-delivery.js';
import type { RenderedMessage } from './notify-event.js';

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): checks a signature header in constant time. */
export function verifyWebhook(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const got = Buffer.from(signature);
  return expected.length === got.length && timingSafeEqual(expected, got);
}

export function sendWebhook(c: WebhookChannelConfig, m: RenderedMessage, retry: RetryPolicy, now = Date.now()): Promise<DeliveryResult> {
  const body = JSON.stringify({ ...m.payload, title: m.title, text: m.text, severity: m.severity, kind: m.kind, scope: m.scope, link: m.link });
  const ts = String(Math.floor(now / 1000));
  const headers: Record<string, string> = { 'user-agent': 'costrail-alerts', 'x-costrail-event': m.event, 'x-costrail-timestamp': ts, ...(c.headers ?? {}) };
  // Receivers key their own incident on this: every message of one incident carries the same id.
  if (m.incident_id) headers['x-costrail-incident'] = m.incident_id;
  if (c.secret) headers['x-costrail-signature'] = signWebhook(c.secret, ts, body);
  return postWithRetry(c.url, body, headers, retry);
}
