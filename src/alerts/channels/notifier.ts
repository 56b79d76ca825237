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
import { sendSlack, slackThreads } from './slack-channel.js';
import type { Alert } from '../alert-types.js';
import type { Incident } from '../incident-tracker.js';
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
  const scope = c.scope;
  return !scope || (m.scopes ?? [m.scope]).some((x) => scopeContains(scope, x));
}

/** A stable name for a channel in an incident's thread map (API channels have ids; config ones don't). */
export function channelKey(c: ChannelConfig): string {
  const id = (c as { id?: string }).id;
  return id ?? `${c.type}:${c.name ?? ''}:${c.type === 'email' ? c.to.join(',') : c.url}`;
}

/** True when the channel can send an update that lands beside the opening message, not as a new one. */
export function channelFollowsUp(c: ChannelConfig): boolean {
  return c.type === 'webhook' || (c.type === 'slack' && slackThreads(c));
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
  private readonly chains = new Map<string, Promise<void>>();

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

  /**
   * One incident, one notification per channel: the first event a channel wants opens its thread
   * (recorded in `incident.notifications`); escalation and resolution reply in that thread where
   * the channel can thread (webhook by incident id, Slack with a bot token) and are dropped where
   * it cannot; members joining are never news on their own. Deliveries for one incident run in
   * order, so an update never overtakes its opening message. Resolves when delivered;
   * `onChange` is called after the thread map changed (the service saves the incident).
   */
  notifyIncident(type: 'opened' | 'joined' | 'escalated' | 'resolved', incident: Incident, alerts: readonly Alert[], now: number, onChange?: (i: Incident) => void): Promise<void> {
    const prev = this.chains.get(incident.id) ?? Promise.resolve();
    const next = prev.then(() => this.deliverIncident(type, incident, alerts, now, onChange)).catch(() => undefined);
    this.chains.set(incident.id, next);
    this.pending.add(next);
    void next.finally(() => {
      this.pending.delete(next);
      if (this.chains.get(incident.id) === next) this.chains.delete(incident.id);
    });
    return next;
  }

  private async deliverIncident(type: 'opened' | 'joined' | 'escalated' | 'resolved', incident: Incident, alerts: readonly Alert[], now: number, onChange?: (i: Incident) => void): Promise<void> {
    if (incident.snoozed_until !== null && now < incident.snoozed_until && type !== 'resolved') return;
    const probe = renderEvent({ type: 'incident.opened', incident, alerts }, this.o.baseUrl ?? '');
    const channels = (await this.o.channels()).filter((c) => channelWants(c, probe));
    let changed = false;
    await Promise.all(
      channels.map(async (c) => {
        const key = channelKey(c);
        const thread = incident.notifications[key];
        let event: 'incident.opened' | 'incident.updated' | 'incident.resolved';
        if (!thread) {
          if (type === 'resolved') return; // never announced here: nothing to close
          event = 'incident.opened';
          incident.notifications[key] = { sent_at: now, thread_ts: null, updates: 0 };
        } else {
          if (type === 'joined' || !channelFollowsUp(c) || (c.type === 'slack' && !thread.thread_ts)) return;
          event = type === 'resolved' ? 'incident.resolved' : 'incident.updated';
          thread.updates++;
        }
        changed = true;
        const m = renderEvent({ type: event, incident, alerts, thread_ts: thread?.thread_ts ?? null }, this.o.baseUrl ?? '');
        const result = await deliver(c, m, this.o.retry ?? DEFAULT_RETRY).catch((e: Error): DeliveryResult => ({ ok: false, attempts: 1, status: null, error: e.message }));
        this.o.onResult?.(c, m, result);
        const t = incident.notifications[key];
        if (event === 'incident.opened' && t && result.thread_ts) t.thread_ts = result.thread_ts;
      }),
    );
    if (changed) onChange?.(incident);
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
