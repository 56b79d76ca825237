/**
 * Slack: `text` (the notification line) plus Block Kit sections. An incoming webhook takes one
 * message per incident; with a bot `token` the message goes through chat.postMessage, whose answer
 * carries the message `ts`, and the incident's updates reply in that thread (`thread_ts`).
 */
import { scopeLabel } from '../scope.js';
import type { SlackChannelConfig } from './channel-config.js';
import { postWithRetry, type DeliveryResult, type RetryPolicy } from './http-delivery.js';
import type { RenderedMessage } from './notify-event.js';

const ICON = { info: ':information_source:', warning: ':warning:', critical: ':rotating_light:' } as const;

/** Slack's mrkdwn needs &, < and > escaped. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackPayload(m: RenderedMessage, channel?: string): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: m.title.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: `${ICON[m.severity]} ${esc(m.text)}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `*Scope:* ${esc(scopeLabel(m.scope))} · *Kind:* ${m.kind} · *Severity:* ${m.severity}${m.incident_id ? ` · *Incident:* ${esc(m.incident_id)}` : ''}` }] },
  ];
  if (m.link && /^https?:/.test(m.link)) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${m.link}|Open in Costrail explorer>` } });
  return { ...(channel ? { channel } : {}), ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}), text: `${ICON[m.severity]} ${m.title}`, blocks };
}

/** True when this channel can reply in a thread (a bot token; incoming webhooks cannot learn the `ts`). */
export function slackThreads(c: SlackChannelConfig): boolean {
  return c.token !== undefined;
}

export async function sendSlack(c: SlackChannelConfig, m: RenderedMessage, retry: RetryPolicy): Promise<DeliveryResult> {
  const r = await postWithRetry(c.url, JSON.stringify(slackPayload(m, c.token ? c.channel : undefined)), c.token ? { authorization: `Bearer ${c.token}` } : {}, retry);
  if (!r.ok || !c.token) return r;
  // chat.postMessage answers 200 with {"ok":false,"error":…} when it refuses the message.
  let answer: { ok?: boolean; ts?: string; error?: string } = {};
  try {
    answer = JSON.parse(r.body ?? '{}') as typeof answer;
  } catch {
    return { ...r, ok: false, error: 'Slack answered with something other than JSON' };
  }
  if (answer.ok !== true) return { ...r, ok: false, error: `Slack refused the message: ${answer.error ?? 'unknown error'}` };
  return { ...r, thread_ts: m.thread_ts ?? answer.ts };
}
