/**
 * One process's alerting: the every-minute evaluator (unref'd timer, off the request path), the
 * lifecycle with its history in the store, channels and the `notify` entry budgets use too.
 */
import type { Store } from '../store/store.js';
import { AlertTracker, type LifecycleEvent } from './alert-tracker.js';
import { IncidentTracker, type Incident, type IncidentEvent } from './incident-tracker.js';
import { randomUUID } from 'node:crypto';
import type { Annotation } from './annotation.js';
import { newNormalAnnotation } from './new-normal.js';
import type { Alert, Signal } from './alert-types.js';
import { AlertRepository } from './alert-repository.js';
import type { BudgetView } from './budget-view.js';
import type { AlertsConfig, ChannelConfig } from './channels/channel-config.js';
import type { NotifyEvent } from './channels/notify-event.js';
import { Notifier } from './channels/notifier.js';
import type { RetryPolicy } from './channels/http-delivery.js';
import { DEFAULT_DETECTION, DetectionEngine } from './detection-engine.js';
import { forecastPeriod, periodBounds, type ForecastPeriod } from './forecast.js';
import { LiveSeriesSource } from './live-series-source.js';
import { scopeLabel, type Scope } from './scope.js';
import { BucketSeries, HOUR_MS, MINUTE_MS } from './scope-series.js';
import { DEFAULT_SCOPE_DIMENSIONS } from './series-builder.js';
import { topContributors } from './top-contributors.js';
import { unitEconomicsSignals } from '../economics/economics-alerts.js';

export interface AlertServiceOptions {
  config?: AlertsConfig;
  budgets?: BudgetView;
  baseUrl?: string;
  retry?: RetryPolicy;
  log?: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

export class AlertService {
  readonly repo: AlertRepository;
  readonly notifier: Notifier;
  private readonly tracker = new AlertTracker();
  readonly incidents = new IncidentTracker();
  private readonly engine = new DetectionEngine(DEFAULT_DETECTION);
  private readonly source: LiveSeriesSource;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private restored = false;
  private forecastSignals: Signal[] = [];
  private forecastHour = -1;
  private economicsSignals: Signal[] = [];

  constructor(
    private readonly store: Store,
    private readonly o: AlertServiceOptions = {},
  ) {
    this.repo = new AlertRepository(store);
    this.notifier = new Notifier({
      channels: () => this.channels(),
      baseUrl: o.baseUrl,
      ...(o.retry ? { retry: o.retry } : {}),
      onResult: (c, m, r) => {
        if (!r.ok) this.log('warn', 'alert delivery failed', { channel: c.name ?? c.type, event: m.event, status: r.status, attempts: r.attempts, error: r.error });
      },
    });
    this.source = new LiveSeriesSource(store, {
      dimensions: [...DEFAULT_SCOPE_DIMENSIONS, ...(o.config?.dimensions ?? [])],
      topK: 50,
      traceWatchRequests: 20,
      newSourceScopes: ['', 'team', 'feature', 'customer', 'key_id'],
      newSourceDimensions: ['provider', 'model', 'key_id'],
    });
  }

  /** `alerts.unit_economics` of the serve config (the backtest replays these detectors with it). */
  get unitEconomicsConfig(): AlertsConfig['unit_economics'] {
    return this.o.config?.unit_economics;
  }

  setBudgetView(view: BudgetView): void {
    this.o.budgets = view;
  }

  /** Channels from the config file plus those added through the API. */
  async channels(): Promise<ChannelConfig[]> {
    return [...(this.o.config?.channels ?? []), ...(await this.repo.channels())];
  }

  /** Sends an event (alert lifecycle or a budget threshold) to every channel that wants it. */
  notify(event: NotifyEvent): Promise<unknown> {
    return this.notifier.notify(event);
  }

  start(): void {
    if (this.timer || this.o.config?.evaluate === false) return;
    const schedule = () => {
      const wait = MINUTE_MS - (Date.now() % MINUTE_MS) + 500;
      this.timer = setTimeout(() => {
        void this.tick().catch((e: Error) => this.log('warn', 'alert evaluation failed', { err: e.message }));
        schedule();
      }, wait);
      this.timer.unref();
    };
    schedule();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await this.notifier.drain();
  }

  /** One evaluation at `now`; overlapping ticks are skipped (a slow store never piles them up). */
  tick(now = Date.now()): Promise<void> {
    if (this.running) return this.running;
    this.running = this.evaluate(Math.floor(now / MINUTE_MS) * MINUTE_MS).finally(() => (this.running = null));
    return this.running;
  }

  private async evaluate(t: number): Promise<void> {
    if (!this.restored) {
      const active = await this.repo.active();
      this.tracker.restore(active);
      this.incidents.restore(await this.repo.activeIncidents(), active);
      this.restored = true;
    }
    const annotations = await this.repo.annotations();
    const input = await this.source.load(t, annotations);
    const signals = this.engine.evaluate(input, t);
    if (Math.floor(t / HOUR_MS) !== this.forecastHour) {
      this.forecastHour = Math.floor(t / HOUR_MS);
      this.forecastSignals = await this.forecastBreaches(t);
      // Outcomes and revenue change slowly and cost a join over days of ledger: hourly too.
      this.economicsSignals = await unitEconomicsSignals(this.store, t, this.o.config?.unit_economics, (msg, err) => this.log('warn', msg, { err }));
    }
    await this.record(this.tracker.apply([...signals, ...this.forecastSignals, ...this.economicsSignals], t), t);
  }

  /**
   * Persists what changed and notifies per incident, not per alert: the alerts of one cause
   * share one incident, and each channel hears about it once (updates go to the same thread).
   */
  private async record(events: readonly LifecycleEvent[], t: number): Promise<void> {
    for (const e of events) {
      if (e.type === 'opened') {
        const w = Math.max(60, e.alert.window_minutes);
        e.alert.contributors = await topContributors(this.store, e.alert.scope, e.alert.detected_at - w * MINUTE_MS, e.alert.detected_at).catch(() => []);
      }
    }
    const incidentEvents = this.incidents.apply(events, t);
    for (const e of events) await this.repo.save(e.alert);
    await this.announce(incidentEvents, t);
  }

  private async announce(events: readonly IncidentEvent[], t: number): Promise<void> {
    const seen = new Set<Incident>();
    for (const e of events) {
      await this.repo.saveIncident(e.incident);
      const alerts = e.type === 'resolved' ? await this.repo.incidentAlerts(e.incident) : this.incidents.membersOf(e.incident.id);
      if (e.type === 'joined' && seen.has(e.incident)) continue;
      seen.add(e.incident);
      void this.notifier.notifyIncident(e.type, e.incident, alerts, t, (i) => void this.repo.saveIncident(i).catch(() => undefined));
    }
  }
  async acknowledge(id: string, now = Date.now()): Promise<Alert | null> {
    const a = this.tracker.acknowledge(id, now) ?? (await this.repo.get(id));
    if (!a) return null;
    if (a.status === 'open') Object.assign(a, { status: 'acknowledged', acknowledged_at: now });
    await this.repo.save(a);
    return a;
  }

  async resolve(id: string, now = Date.now()): Promise<Alert | null> {
    const a = this.tracker.resolve(id, now) ?? (await this.repo.get(id));
    if (!a) return null;
    if (a.status !== 'resolved') Object.assign(a, { status: 'resolved', resolved_at: now, resolved_by: 'manual' });
    await this.repo.save(a);
    await this.announce(this.incidents.apply([{ type: 'resolved', alert: a }], now), now);
    return a;
  }

  /**
   * Operator actions on an incident: `ack` (it and its open alerts), `snooze` (no notifications
   * until then; resolution still closes the thread), `note`, and `new_normal` — an acknowledged
   * launch: an annotation on the root scope at the observed level (see new-normal.ts), so the
   * baseline takes the step as its new level instead of alerting again.
   */
  async incidentAction(id: string, action: { type: 'ack' } | { type: 'snooze'; minutes: number; text?: string } | { type: 'note'; text: string } | { type: 'new_normal'; days?: number; text?: string }, now = Date.now()): Promise<{ incident: Incident; alerts: Alert[]; annotation?: Annotation } | null> {
    const found = await this.incident(id);
    if (!found) return null;
    const { incident: inc, alerts } = found;
    let annotation: Annotation | undefined;
    if (action.type === 'ack' || action.type === 'new_normal') {
      if (inc.status === 'open') inc.status = 'acknowledged';
      for (const a of alerts) if (a.status === 'open') await this.acknowledge(a.id, now);
    }
    if (action.type === 'snooze') {
      inc.snoozed_until = now + action.minutes * MINUTE_MS;
      inc.notes.push({ at: now, text: action.text ?? `snoozed for ${action.minutes} min`, action: 'snooze' });
    } else if (action.type === 'note') inc.notes.push({ at: now, text: action.text, action: 'note' });
    else if (action.type === 'new_normal') {
      annotation = newNormalAnnotation(randomUUID(), inc, alerts, now, action.days);
      await this.repo.addAnnotation(annotation);
      inc.notes.push({ at: now, text: action.text ?? `the new normal: expect ${annotation.expected_multiplier}× on ${scopeLabel(annotation.scope)} while the baseline learns it`, action: 'new_normal' });
    } else inc.notes.push({ at: now, text: 'acknowledged', action: 'note' });
    await this.repo.saveIncident(inc);
    return { incident: inc, alerts, ...(annotation ? { annotation } : {}) };
  }

  /** An incident with its member alerts: the live one when active, else the stored one. */
  async incident(id: string): Promise<{ incident: Incident; alerts: Alert[] } | null> {
    const live = this.incidents.get(id);
    if (live) return { incident: live, alerts: this.incidents.membersOf(id) };
    const stored = await this.repo.getIncident(id);
    return stored ? { incident: stored, alerts: await this.repo.incidentAlerts(stored) } : null;
  }

  /**
   * Period-end projection for a scope from its hourly spend, on the calendar of `tz` (the
   * dashboard asks in the viewer's zone, budgets in their own). Spent so far is the ledger's
   * exact sum over [period start, now), so it equals the month to date the dashboard shows.
   */
  async forecast(scope: Scope, period: ForecastPeriod, now = Date.now(), tz = 'UTC', fiscalMonthStartDay = 1) {
    const { start } = periodBounds(period, now, tz, fiscalMonthStartDay);
    const from = Math.min(start, now - 29 * 86_400_000);
    const hours = new BucketSeries(Math.floor(from / HOUR_MS) * HOUR_MS, HOUR_MS, Math.ceil((now - from) / HOUR_MS) + 2);
    const nowIso = new Date(now).toISOString();
    const [res, sofar] = await Promise.all([
      this.store.getSpend({ from: new Date(hours.start).toISOString(), to: nowIso, granularity: 'hour', filters: scope }),
      this.store.getSpend({ from: new Date(start).toISOString(), to: nowIso, granularity: 'none', filters: scope }),
    ]);
    for (const r of res.rows) if (r.period) hours.add(Date.parse(r.period), { cost: Number(r.cost), requests: r.requests });
    return { scope, ...forecastPeriod(hours, now, period, { tz, fiscalMonthStartDay, spent: Number(sofar.total.cost) }), spent_exact: sofar.total.cost };
  }

  private async forecastBreaches(t: number): Promise<Signal[]> {
    const budgets = (await this.o.budgets?.list()) ?? [];
    const out: Signal[] = [];
    for (const b of budgets) {
      if (!b.limit_usd || (b.period !== 'day' && b.period !== 'week' && b.period !== 'month')) continue;
      const limit = Number(b.limit_usd);
      const f = await this.forecast(b.scope, b.period, t, b.timezone ?? 'UTC', b.fiscal_month_start_day ?? 1);
      if (f.projected <= limit) continue;
      out.push({
        scope: b.scope,
        kind: 'forecast_breach',
        severity: f.low > limit ? 'critical' : 'warning',
        observed: f.projected,
        expected: limit,
        expected_low: f.low,
        expected_high: f.high,
        unit: 'usd',
        window_minutes: 60,
        summary: `Budget "${b.name}" (${scopeLabel(b.scope)}) is projected to reach $${f.projected.toFixed(2)} by ${f.period_end} (90% interval $${f.low.toFixed(2)}–$${f.high.toFixed(2)}), over its $${limit.toFixed(2)} limit.`,
        detail: { budget_id: b.id, spent: f.spent },
      });
    }
    return out;
  }

  private log(level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>): void {
    if (this.o.log) this.o.log(level, msg, fields);
    else console.error(JSON.stringify({ level, msg, ...fields }));
  }
}

const services = new WeakMap<Store, AlertService>();

/** The process's alert service for a store (created on first use; the runtime starts its timer). */
export function alertServiceFor(store: Store, o?: AlertServiceOptions): AlertService {
  let s = services.get(store);
  if (!s) services.set(store, (s = new AlertService(store, o)));
  return s;
}
