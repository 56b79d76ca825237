/**
 * Routes events to channels by scope, severity and kind, and delivers them off the caller's path
 * (each channel retries on its own). `notify(event)` is the one entry: alert lifecycle events from
 * the evaluator and budget threshold events from the budgets module both come through here.
 */
import { SEVERITIES } from '../alert-types.js';
import { scopeContains } from '../scope.js';
import type { ChannelConfig } from './channel-config.js';
import { sendEmail } from './email-channel.js';
import { DEFAULT_RETRY, type DeliveryResult, type RetryPolicy } from './http-delivery.js';
import { renderEvent, type NotifyEvent, type RenderedMessage } from './notify-event.js';
import { sendSlack } from './slack-channel.js';
import { sendWebhook } from './webhook-channel.js';

export interface NotifierOptions {
  /** Current channels (config file + API), read on every event so changes apply at once. */
  channels: () => Promise<readonly ChannelConfig[]> | readonly ChannelConfig[];
  retry?: RetryPolicy;
  /** Prefix for explorer links (the server's public URL), e.g. `http://127.0.0.1:4100`. */
  baseUrl?: string;
  onResult?: (channel: ChannelConfig, m: RenderedMessage, r: DeliveryResult) => void;
}

export function channelWants(c: ChannelConfig, m: RenderedMessage): boolean {
  if (SEVERITIES.indexOf(m.severity) < SEVERITIES.indexOf(c.min_severity ?? 'warning')) return false;
  if (c.kinds && !c.kinds.includes(m.kind)) return false;
  return !c.scope || scopeContains(c.scope, m.scope);
}

export function deliver(c: ChannelConfig, m: RenderedMessage, retry: RetryPolicy): Promise<DeliveryResult> {
  switch (c.type) {
    case 'webhook':
      return sendWebhook(c, m, retry);
    case 'slack':
      return sendSlack(c, m, retry);
    case 'email':
      return sendEmail(c, m, retry);
  }
}

export class Notifier {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly o: NotifierOptions) {}

  /** Delivers to every channel that wants the event; resolves when all deliveries finished. */
  async notify(event: NotifyEvent): Promise<{ channel: string; result: DeliveryResult }[]> {
    const m = renderEvent(event, this.o.baseUrl ?? '');
    const channels = (await this.o.channels()).filter((c) => channelWants(c, m));
    const run = Promise.all(
      channels.map(async (c) => {
        const result = await deliver(c, m, this.o.retry ?? DEFAULT_RETRY).catch((e: Error) => ({ ok: false, attempts: 1, status: null, error: e.message }));
        this.o.onResult?.(c, m, result);
        return { channel: c.name ?? c.type, result };
      }),
    );
    this.pending.add(run);
    try {
      return await run;
    } finally {
      this.pending.delete(run);
    }
  }

  /** Fire-and-forget form for hot-ish paths (the evaluator, budget checks). */
  post(event: NotifyEvent): void {
    void this.notify(event).catch(() => undefined);
  }

  /** Waits for deliveries in flight (shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
