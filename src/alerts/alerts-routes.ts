/** /api/alerts, /api/annotations, /api/alert-channels, /api/anomalies (backtest), /api/forecast. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { Principal } from '../http/principal.js';
import type { Store } from '../store/store.js';
import { validTimeZone } from '../policy/policy-schemas.js';
import { isSpendDimension } from '../attribution/spend-dimension.js';
import { alertServiceFor } from './alert-service.js';
import { ALERT_KINDS, type Alert } from './alert-types.js';
import { annotationFromInput, DEFAULT_EXPECTED_MULTIPLIER } from './annotation.js';
import { backtestAlertJson, runBacktest } from './backtest.js';
import { ChannelConfigSchema, redactChannel } from './channels/channel-config.js';
import type { ForecastPeriod } from './forecast.js';
import { loadBacktestInput } from './ledger-backtest-source.js';
import { economicsBacktest } from '../economics/economics-backtest.js';
import { scopeContains, type Scope } from './scope.js';
import { DEFAULT_SCOPE_DIMENSIONS } from './series-builder.js';
import { topContributors } from './top-contributors.js';
import { AlertListSchema, AlertSchema, IncidentDetailSchema, IncidentListSchema } from './alerts-api-schemas.js';
import { IncidentTracker, type Incident } from './incident-tracker.js';
import { incidentJson } from './incident-json.js';

/** What these routes need from the process (the server's RuntimeContext satisfies it). */
export interface AlertRoutesDeps {
  store: Store;
}

const ScopeSchema = z.record(z.string(), z.string()).refine((s) => Object.keys(s).every(isSpendDimension), 'scope keys must be spend dimensions (team, feature, model, key_id, tag:NAME, …)');

const AnnotationBody = z.object({
  scope: ScopeSchema.default({}),
  from: z.string().datetime({ offset: true }),
  to: z.string().datetime({ offset: true }),
  note: z.string().max(500).default(''),
  expected_multiplier: z.number().min(1).max(1000).optional(),
}).strict().refine((a) => Date.parse(a.to) > Date.parse(a.from), { message: 'to must be after from', path: ['to'] });

const RESERVED = new Set(['from', 'to', 'status', 'kind', 'limit', 'period', 'dimensions', 'contributors', 'tz', 'at']);

/** Scope fields given as query parameters (`?team=search&model=gpt-4o`). */
export function scopeFromQuery(q: URLSearchParams): Scope {
  const scope: Scope = {};
  for (const [k, v] of q) {
    if (RESERVED.has(k)) continue;
    if (!isSpendDimension(k)) throw ApiError.badRequest(`unknown scope field "${k}": use an attribution field, provider, model, key_id or tag:NAME`);
    scope[k] = v;
  }
  return scope;
}

function instant(q: URLSearchParams, name: string, required: boolean): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') {
    if (required) throw ApiError.badRequest(`${name} is required (ISO 8601, e.g. 2026-11-01T00:00:00Z)`);
    return undefined;
  }
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw ApiError.badRequest(`${name} is not an ISO 8601 instant: "${v}"`);
  return ms;
}

function visible(p: Principal, a: Alert): boolean {
  return scopeContains(p.scope, a.scope);
}

export function alertJson(a: Alert): Record<string, unknown> {
  const iso = (v: number | null) => (v === null ? null : new Date(v).toISOString());
  return { ...a, detected_at: iso(a.detected_at), last_seen_at: iso(a.last_seen_at), acknowledged_at: iso(a.acknowledged_at), resolved_at: iso(a.resolved_at) };
}

export function registerAlertRoutes(api: ApiRouter, ctx: AlertRoutesDeps): void {
  const svc = () => alertServiceFor(ctx.store);

  api.add({
    method: 'GET',
    path: '/api/alerts',
    summary: 'Alert history, newest first (filters: status, kind, from, to, limit)',
    tag: 'Alerts',
    access: 'read',
    queryParams: { status: 'open | acknowledged | resolved', kind: ALERT_KINDS.join(' | '), from: 'ISO instant', to: 'ISO instant', limit: '1..1000 (default 200)' },
    response: AlertListSchema,
    handler: async (req) => {
      const status = req.query.get('status');
      if (status && !['open', 'acknowledged', 'resolved'].includes(status)) throw ApiError.badRequest('status must be open, acknowledged or resolved');
      const kind = req.query.get('kind');
      if (kind && !(ALERT_KINDS as readonly string[]).includes(kind)) throw ApiError.badRequest(`kind must be one of ${ALERT_KINDS.join(', ')}`);
      const limit = req.query.get('limit');
      const alerts = await svc().repo.list({
        ...(status ? { status: status as Alert['status'] } : {}),
        ...(kind ? { kind } : {}),
        fromMs: instant(req.query, 'from', false),
        toMs: instant(req.query, 'to', false),
        ...(limit ? { limit: Number(limit) } : {}),
      });
      return { body: { alerts: alerts.filter((a) => visible(req.principal, a)).map(alertJson) } };
    },
  });

  for (const action of ['ack', 'resolve'] as const) {
    api.add({
      method: 'POST',
      path: `/api/alerts/{id}/${action}`,
      summary: action === 'ack' ? 'Acknowledge an alert (it stays open until the condition clears)' : 'Resolve an alert by hand',
      tag: 'Alerts',
      response: AlertSchema,
      handler: async (req) => {
        const id = req.params['id'] ?? '';
        const a = action === 'ack' ? await svc().acknowledge(id) : await svc().resolve(id);
        if (!a) throw ApiError.notFound(`no alert ${id}`);
        return { body: alertJson(a) };
      },
    });
  }

  // A scoped token sees an incident when one of its member alerts lies inside its scope.
  const incidentVisible = (p: Principal, i: Incident) => i.scopes.some((x) => scopeContains(p.scope, x));
  api.add({
    method: 'GET',
    path: '/api/incidents',
    summary: 'Incidents, newest first: the alerts that share one cause, with root scope, contributors and $/h impact',
    tag: 'Alerts',
    access: 'read',
    queryParams: { status: 'open | acknowledged | resolved', from: 'ISO instant', to: 'ISO instant', limit: '1..1000 (default 200)' },
    response: IncidentListSchema,
    handler: async (req) => {
      const status = req.query.get('status');
      if (status && !['open', 'acknowledged', 'resolved'].includes(status)) throw ApiError.badRequest('status must be open, acknowledged or resolved');
      const limit = req.query.get('limit');
      if (limit !== null && !/^\d{1,4}$/.test(limit)) throw ApiError.badRequest('limit must be an integer from 1 to 1000');
      const list = await svc().repo.listIncidents({
        ...(status ? { status: status as Incident['status'] } : {}),
        fromMs: instant(req.query, 'from', false),
        toMs: instant(req.query, 'to', false),
        ...(limit ? { limit: Number(limit) } : {}),
      });
      return { body: { incidents: list.filter((i) => incidentVisible(req.principal, i)).map(incidentJson) } };
    },
  });
  api.add({
    method: 'GET',
    path: '/api/incidents/{id}',
    summary: 'One incident with its member alerts',
    tag: 'Alerts',
    access: 'read',
    response: IncidentDetailSchema,
    handler: async (req) => {
      const id = req.params['id'] ?? '';
      const found = await svc().incident(id);
      if (!found || !incidentVisible(req.principal, found.incident)) throw ApiError.notFound(`no incident ${id}`);
      return { body: { ...incidentJson(found.incident), alerts: found.alerts.map(alertJson) } };
    },
  });

  const IncidentActionBody = {
    ack: z.object({}).strict(),
    snooze: z.object({ minutes: z.number().int().min(1).max(7 * 24 * 60), note: z.string().max(500).optional() }).strict(),
    notes: z.object({ text: z.string().min(1).max(2000) }).strict(),
    'new-normal': z.object({ days: z.number().min(0.25).max(14).optional(), note: z.string().max(500).optional() }).strict(),
  } as const;
  const actionSummary = {
    ack: 'Acknowledge an incident and its open alerts',
    snooze: 'Snooze an incident\'s notifications for some minutes ({minutes, note?})',
    notes: 'Add a note to an incident ({text})',
    'new-normal': 'Acknowledge an incident as the new normal (a launch): annotates its root scope at the observed level ({days?, note?})',
  } as const;
  for (const action of ['ack', 'snooze', 'notes', 'new-normal'] as const) {
    api.add({
      method: 'POST',
      path: `/api/incidents/{id}/${action}`,
      summary: actionSummary[action],
      tag: 'Alerts',
      // One route per action, each with its own strict body; the handler reads the union of their fields.
      body: IncidentActionBody[action] as unknown as z.ZodType<{ minutes?: number; note?: string; text?: string; days?: number }>,
      response: IncidentDetailSchema,
      handler: async (req) => {
        const id = req.params['id'] ?? '';
        const existing = await svc().incident(id);
        if (!existing || !incidentVisible(req.principal, existing.incident)) throw ApiError.notFound(`no incident ${id}`);
        const b = req.body;
        const done = await svc().incidentAction(
          id,
          action === 'ack' ? { type: 'ack' } : action === 'snooze' ? { type: 'snooze', minutes: b.minutes ?? 60, ...(b.note ? { text: b.note } : {}) } : action === 'notes' ? { type: 'note', text: b.text ?? '' } : { type: 'new_normal', ...(b.days !== undefined ? { days: b.days } : {}), ...(b.note ? { text: b.note } : {}) },
        );
        if (!done) throw ApiError.notFound(`no incident ${id}`);
        return { body: { ...incidentJson(done.incident), alerts: done.alerts.map(alertJson) } };
      },
    });
  }

  api.add({
    method: 'POST',
    path: '/api/annotations',
    summary: 'Annotate a known event (launch, load test): widens the scope\'s baseline over [from, to)',
    tag: 'Alerts',
    body: AnnotationBody,
    handler: async (req) => {
      const a = annotationFromInput(randomUUID(), { ...req.body, expected_multiplier: req.body.expected_multiplier ?? DEFAULT_EXPECTED_MULTIPLIER });
      await svc().repo.addAnnotation(a);
      return { status: 201, body: { ...a, from: req.body.from, to: req.body.to } };
    },
  });
  api.add({
    method: 'GET',
    path: '/api/annotations',
    summary: 'Known-event annotations',
    tag: 'Alerts',
    access: 'read',
    // A scoped token sees only annotations inside its scope (another team's launch plans are not its business).
    handler: async (req) => ({ body: { annotations: (await svc().repo.annotations()).filter((a) => scopeContains(req.principal.scope, a.scope)).map((a) => ({ ...a, from: new Date(a.from).toISOString(), to: new Date(a.to).toISOString() })) } }),
  });
  api.add({
    method: 'DELETE',
    path: '/api/annotations/{id}',
    summary: 'Delete an annotation',
    tag: 'Alerts',
    handler: async (req) => {
      if (!(await svc().repo.deleteAnnotation(req.params['id'] ?? ''))) throw ApiError.notFound(`no annotation ${req.params['id']}`);
      return { status: 204 };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/alert-channels',
    summary: 'Alert channels (config file and API), secrets redacted',
    tag: 'Alerts',
    handler: async () => ({ body: { channels: (await svc().channels()).map(redactChannel) } }),
  });
  api.add({
    method: 'POST',
    path: '/api/alert-channels',
    summary: 'Add a channel: webhook (HMAC-signed), slack (incoming webhook) or email (SMTP), with scope/severity routing',
    tag: 'Alerts',
    body: ChannelConfigSchema,
    handler: async (req) => {
      const c = { ...req.body, id: randomUUID() };
      await svc().repo.addChannel(c);
      return { status: 201, body: redactChannel(c) };
    },
  });
  api.add({
    method: 'DELETE',
    path: '/api/alert-channels/{id}',
    summary: 'Remove a channel added through the API',
    tag: 'Alerts',
    handler: async (req) => {
      if (!(await svc().repo.deleteChannel(req.params['id'] ?? ''))) throw ApiError.notFound(`no channel ${req.params['id']}`);
      return { status: 204 };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/anomalies',
    summary: 'Backtest: the alerts the detectors would have raised over [from, to), using only calls before each instant (outcome-cost drift and margin alerts replayed hourly when outcomes or revenue exist)',
    tag: 'Alerts',
    queryParams: { from: 'ISO instant (required)', to: 'ISO instant (required)', dimensions: 'comma-separated scope dimensions (default provider,model,team,feature,customer,key_id)', contributors: 'true to add top contributors per alert' },
    handler: async (req) => {
      const fromMs = instant(req.query, 'from', true) as number;
      const toMs = instant(req.query, 'to', true) as number;
      if (toMs <= fromMs) throw ApiError.badRequest('to must be after from');
      if (toMs - fromMs > 93 * 86_400_000) throw ApiError.badRequest('a backtest covers at most 93 days; split the range');
      const dims = req.query.get('dimensions')?.split(',').filter(Boolean) ?? [...DEFAULT_SCOPE_DIMENSIONS];
      const bad = dims.find((d) => !isSpendDimension(d));
      if (bad) throw ApiError.badRequest(`unknown dimension "${bad}"`);
      const annotations = await svc().repo.annotations();
      const input = await loadBacktestInput(ctx.store, { fromMs, toMs, dimensions: dims, annotations });
      let n = 0;
      const grouping = new IncidentTracker(undefined, () => `bt-incident-${++n}`);
      const incidents: Incident[] = [];
      // Outcome-cost drift and margin alerts, replayed hourly like the live loop when their input exists.
      const economics = await economicsBacktest(ctx.store, fromMs, toMs, svc().unitEconomicsConfig);
      const alerts = await runBacktest(input, {
        fromMs,
        toMs,
        ...(economics.signals ? { slowSignals: economics.signals, slowEveryMs: economics.everyMs } : {}),
        onEvents: (events, t) => {
          for (const e of grouping.apply(events, t)) if (e.type === 'opened') incidents.push(e.incident);
        },
      });
      if (req.query.get('contributors') === 'true') {
        for (const a of alerts) a.contributors = await topContributors(ctx.store, a.scope, a.detected_at - Math.max(60, a.window_minutes) * 60_000, a.detected_at);
      }
      return { body: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), scopes: input.scopes.length, alerts: alerts.map(backtestAlertJson), incidents: incidents.map(incidentJson), economics: economics.replay } };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/forecast',
    summary: 'Period-end spend projection with a 90% interval for a scope (scope fields as query parameters)',
    tag: 'Alerts',
    access: 'read',
    queryParams: { period: 'day | week | month (default month)', tz: 'IANA zone of the period calendar (default UTC)', at: 'ISO instant to project from (default now)', team: 'any scope field, e.g. team=search' },
    handler: async (req) => {
      const period = (req.query.get('period') ?? 'month') as ForecastPeriod;
      if (!['day', 'week', 'month'].includes(period)) throw ApiError.badRequest('period must be day, week or month');
      const tz = req.query.get('tz') || 'UTC';
      if (!validTimeZone(tz)) throw ApiError.badRequest(`tz: not an IANA time zone: "${tz}"`);
      const at = instant(req.query, 'at', false) ?? Date.now();
      const scope = { ...scopeFromQuery(req.query), ...req.principal.scope };
      return { body: await svc().forecast(scope, period, at, tz) };
    },
  });
}
