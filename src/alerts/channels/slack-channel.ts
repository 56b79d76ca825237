/** Slack incoming webhook: `text` (the notification line) plus Block Kit sections. */
import { scopeLabel } from '../scope.js';
import type { SlackChannelConfig } from './channel-config.js';
import { postWithRetry, type DeliveryResult, type RetryPolicy } from './http-delivery.js';
import type { RenderedMessage } from './notify-event.js';

const ICON = { info: ':information_source:', warning: ':warning:', critical: ':rotating_light:' } as const;

/** Slack's mrkdwn needs &, < and > escaped. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackPayload(m: RenderedMessage): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: m.title.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: `${ICON[m.severity]} ${esc(m.text)}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `*Scope:* ${esc(scopeLabel(m.scope))} · *Kind:* ${m.kind} · *Severity:* ${m.severity}` }] },
  ];
  if (m.link && /^https?:/.test(m.link)) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${m.link}|Open in Costrail explorer>` } });
  return { text: `${ICON[m.severity]} ${m.title}`, blocks };
}

export function sendSlack(c: SlackChannelConfig, m: RenderedMessage, retry: RetryPolicy): Promise<DeliveryResult> {
  return postWithRetry(c.url, JSON.stringify(slackPayload(m)), {}, retry);
}
