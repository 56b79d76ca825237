/**
 * Where alerts go: channels, each with its routing (the scopes and severities it wants). Given in
 * the serve config under `alerts.channels` or added with POST /api/alert-channels; validated here.
 */
import { z } from 'zod';
import { SEVERITIES } from '../alert-types.js';
import { UnitEconomicsAlertsSchema } from '../../economics/economics-alerts.js';

const ScopeSchema = z.record(z.string(), z.string());

const Routing = {
  /** A name for logs and the API. */
  name: z.string().min(1).max(100).optional(),
  /** Only events inside this scope (`{ team: "search" }` gets alerts on the team and on its features, keys…). */
  scope: ScopeSchema.optional(),
  /** Lowest severity delivered; default `warning`. */
  min_severity: z.enum(SEVERITIES).optional(),
  /** Only these event kinds (alert kinds and `budget_threshold`); all when absent. */
  kinds: z.array(z.string()).optional(),
};

export const WebhookChannelSchema = z.object({
  type: z.literal('webhook'),
  url: z.string().url(),
  /** HMAC-SHA256 key for the `x-costrail-signature` header. */
  secret: z.string().min(8).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  ...Routing,
}).strict();

export const SlackChannelSchema = z.object({
  type: z.literal('slack'),
  /** An incoming-webhook URL, or with `token` the chat.postMessage endpoint (https://slack.com/api/chat.postMessage). */
  url: z.string().url(),
  /** A bot token: messages go through chat.postMessage, so an incident's updates reply in its thread. */
  token: z.string().min(8).optional(),
  /** The channel chat.postMessage posts to (required with `token`). */
  channel: z.string().min(1).max(200).optional(),
  ...Routing,
}).strict();

export const EmailChannelSchema = z.object({
  type: z.literal('email'),
  smtp: z.object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    secure: z.boolean().optional(),
    user: z.string().optional(),
    password: z.string().optional(),
    /** Skip certificate checks (a local relay with a self-signed certificate). */
    insecure_tls: z.boolean().optional(),
  }).strict(),
  from: z.string().min(3),
  to: z.array(z.string().min(3)).min(1),
  ...Routing,
}).strict();

export const ChannelConfigSchema = z.discriminatedUnion('type', [WebhookChannelSchema, SlackChannelSchema, EmailChannelSchema]).superRefine((c, ctx) => {
  if (c.type === 'slack' && c.token && !c.channel) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'a Slack channel with a token needs "channel"', path: ['channel'] });
});
export type ChannelConfig = z.infer<typeof ChannelConfigSchema>;
export type WebhookChannelConfig = z.infer<typeof WebhookChannelSchema>;
export type SlackChannelConfig = z.infer<typeof SlackChannelSchema>;
export type EmailChannelConfig = z.infer<typeof EmailChannelSchema>;

/** `alerts:` in the serve config. */
export const AlertsConfigSchema = z.object({
  channels: z.array(ChannelConfigSchema).default([]),
  /** Scope dimensions watched besides the defaults (e.g. `tag:env`, `project`). */
  dimensions: z.array(z.string()).optional(),
  /** Turn the every-minute evaluator off (the API and backtest still work). */
  evaluate: z.boolean().default(true),
  /** Cost-per-outcome drift and margin threshold detectors (src/economics/economics-alerts.ts). */
  unit_economics: UnitEconomicsAlertsSchema.optional(),
}).strict();
export type AlertsConfig = z.infer<typeof AlertsConfigSchema>;

/** A channel as the API shows it: secrets and passwords replaced. */
export function redactChannel<T extends ChannelConfig>(c: T): T {
  if (c.type === 'webhook') return { ...c, ...(c.secret ? { secret: '***' } : {}), url: c.url } as T;
  if (c.type === 'slack') return { ...c, url: c.url.replace(/\/services\/.*/, '/services/***'), ...(c.token ? { token: '***' } : {}) } as T;
  return { ...c, smtp: { ...c.smtp, ...(c.smtp.password ? { password: '***' } : {}) } } as T;
}
