/**
 * Runs every detector for every scope at one evaluation instant, reading only buckets before that
 * instant. Keeps per-scope state between instants (baselines cached per hour, the past week's
 * burstiness), so sliding it minute by minute over a month is cheap: the backtest and the live
 * evaluator drive the same engine.
 */
import type { Signal } from './alert-types.js';
import { annotationMultiplier, hourAnnotated, overlappingAnnotations, type Annotation } from './annotation.js';
import { DEFAULT_DRIFT, driftSignals, type DriftParams } from './detectors/drift.js';
import { DEFAULT_NEW_SOURCE, newSourceSignals, type NewSourceParams, type SourceSighting } from './detectors/new-source.js';
import { DEFAULT_STORM, errorStormSignal, retryStormSignal, type StormParams } from './detectors/storms.js';
import { DEFAULT_VELOCITY, velocitySignal, windowThreshold, type ScopeMoney, type VelocityParams, type WindowCheck } from './detectors/velocity.js';
import { median, quantile } from './robust-stats.js';
import { scopeId } from './scope.js';
import { floorTo, HOUR_MS, MINUTE_MS, type BucketSeries, type ScopeSeries } from './scope-series.js';
import { hourBaseline, type HourBaseline } from './seasonal-baseline.js';

export interface DetectionParams {
  velocity: VelocityParams;
  drift: DriftParams;
  storm: StormParams;
  newSource: NewSourceParams;
  /** Past weeks for the hour-of-week medians. */
  weeks: number;
  /** Hours of recent history for the level factor. */
  levelHours: number;
  /** Hours of burstiness history (a week). */
  burstHours: number;
  /** Hours of the short-term level that lets a busy day raise the expectation (0: off). */
  shortLevelHours: number;
}

export const DEFAULT_DETECTION: DetectionParams = {
  velocity: DEFAULT_VELOCITY,
  drift: DEFAULT_DRIFT,
  storm: DEFAULT_STORM,
  newSource: DEFAULT_NEW_SOURCE,
  weeks: 4,
  levelHours: 24,
  burstHours: 168,
  shortLevelHours: 3,
};

export interface DetectionInput {
  scopes: readonly ScopeSeries[];
  /** Per-minute series of traces worth watching (those with many calls), keyed by trace id. */
  traces?: ReadonlyMap<string, BucketSeries>;
  sightings?: readonly SourceSighting[];
  annotations: readonly Annotation[];
}

interface ScopeState {
  baselines: Map<number, HourBaseline | null>;
  /** Per window length: the largest excess per quiet past hour, oldest first. */
  burst: Map<number, number[]>;
  /** Per window length: the 99th percentile of `burst`, kept until the list changes (once an hour). */
  burstP99: Map<number, number>;
  burstDoneHour: number;
  /** Per quiet past hour with calls: its largest call (the largest per-call cost of a minute), oldest first. */
  calls: number[];
  callP90: number | null;
  callMax: number;
  alertHours: Set<number>;
  perRequest: { hour: number; cpr: number; tpr: number; usualErrorsPerHour: number; typicalHourly: number } | null;
}

export class DetectionEngine {
  private readonly states = new Map<string, ScopeState>();
  private byId: Map<string, ScopeSeries> = new Map();
  private lastScopes: readonly ScopeSeries[] | null = null;

  constructor(readonly params: DetectionParams = DEFAULT_DETECTION) {}

  /** Every firing signal at instant `t` (epoch ms, minute-aligned); `stepMs` is the time since the previous tick. */
  evaluate(input: DetectionInput, t: number, stepMs = MINUTE_MS): Signal[] {
    const out: Signal[] = [];
    if (this.lastScopes !== input.scopes) {
      this.lastScopes = input.scopes;
      this.byId = new Map(input.scopes.map((s) => [scopeId(s.scope), s]));
    }
    for (const s of input.scopes) out.push(...this.evaluateScope(s, input.annotations, t));
    const p = this.params.storm;
    for (const [traceId, m] of input.traces ?? []) {
      const end = m.indexOf(t);
      const win = (minutes: number) => ({ minutes, requests: m.sum('requests', end - minutes, end), errors: m.sum('errors', end - minutes, end), cost: m.sum('cost', end - minutes, end) });
      const sig = retryStormSignal(traceId, win(p.windowMinutes), win(60), p);
      if (sig) out.push(sig);
      // A trace whose calls mostly fail is an error storm of its own (per trace, beside per key).
      const err = errorStormSignal({ trace_id: traceId }, p.errorWindowsMinutes.map(win), 0, p);
      if (err) out.push(err);
    }
    if (input.sightings) out.push(...newSourceSignals(input.sightings, t - stepMs, t, this.params.newSource, (scope) => this.states.get(scopeId(scope))?.perRequest?.typicalHourly ?? 0));
    return out;
  }

  private state(id: string): ScopeState {
    let st = this.states.get(id);
    if (!st) {
      st = { baselines: new Map(), burst: new Map(), burstP99: new Map(), burstDoneHour: -Infinity, calls: [], callP90: null, callMax: 0, alertHours: new Set(), perRequest: null };
      this.states.set(id, st);
    }
    return st;
  }

  private baseline(s: ScopeSeries, st: ScopeState, hourMs: number, annotations: readonly Annotation[]): HourBaseline | null {
    if (st.baselines.has(hourMs)) return st.baselines.get(hourMs) ?? null;
    const b = hourBaseline(s.hours, s.hours.indexOf(hourMs), {
      weeks: this.params.weeks,
      levelHours: this.params.levelHours,
      smoothing: this.params.velocity.floorUsdPerHour / 4,
      shortLevelHours: this.params.shortLevelHours,
      excluded: (h) => st.alertHours.has(h) || hourAnnotated(annotations, s.scope, h),
    });
    if (st.baselines.size > 400) st.baselines.delete(st.baselines.keys().next().value as number);
    st.baselines.set(hourMs, b);
    return b;
  }

  /** Expected spend over [from, to) (minute-aligned, at most two hours), annotations applied. */
  private expectedOver(s: ScopeSeries, st: ScopeState, from: number, to: number, ann: readonly Annotation[]): number | null {
    let total = 0;
    for (let h = floorTo(from, HOUR_MS); h < to; h += HOUR_MS) {
      const b = this.baseline(s, st, h, ann);
      if (!b) return null;
      const a = Math.max(from, h);
      const e = Math.min(to, h + HOUR_MS);
      let extra = 0;
      let mult = annotationMultiplier(ann, s.scope, a);
      for (const an of overlappingAnnotations(ann, s.scope, a)) {
        // The annotated scope's own extra spend lands here too; without its series, widen all of it.
        const inner = this.byId.get(scopeId(an.scope));
        const ib = inner ? this.baseline(inner, this.state(scopeId(an.scope)), h, ann) : null;
        if (ib) extra += ib.expected * (an.expected_multiplier - 1);
        else mult = Math.max(mult, an.expected_multiplier);
      }
      total += ((b.expected * mult + extra) * (e - a)) / HOUR_MS;
    }
    return total;
  }

  /** Records, for each complete quiet hour not yet seen, the largest excess each window reached. */
  private updateBurst(s: ScopeSeries, st: ScopeState, currentHour: number, ann: readonly Annotation[]): void {
    const first = Math.max(st.burstDoneHour + HOUR_MS, currentHour - this.params.burstHours * HOUR_MS, s.minutes.start + HOUR_MS);
    for (let h = first; h < currentHour; h += HOUR_MS) {
      st.burstDoneHour = h;
      if (st.alertHours.has(h) || hourAnnotated(ann, s.scope, h)) continue;
      // The hour's largest call, as closely as minute buckets tell it: in a low-volume scope most
      // minutes hold one call, so this is the per-call cost distribution's upper tail.
      let largest = 0;
      const hi = s.minutes.indexOf(h);
      for (let i = hi; i < hi + 60; i++) {
        const r = s.minutes.at('requests', i);
        if (r >= 1) largest = Math.max(largest, s.minutes.at('cost', i) / r);
      }
      if (largest > 0) {
        st.calls.push(largest);
        if (st.calls.length > this.params.burstHours) st.calls.shift();
        st.callP90 = null;
      }
      for (const w of this.params.velocity.windows) {
        let max = 0;
        for (let e = h + MINUTE_MS; e <= h + HOUR_MS; e += MINUTE_MS) {
          const exp = this.expectedOver(s, st, e - w * MINUTE_MS, e, ann);
          if (exp === null) continue;
          const i = s.minutes.indexOf(e);
          max = Math.max(max, s.minutes.sum('cost', i - w, i) - exp);
        }
        let list = st.burst.get(w);
        if (!list) st.burst.set(w, (list = []));
        list.push(max);
        if (list.length > this.params.burstHours) list.shift();
        st.burstP99.delete(w);
      }
    }
  }

  /**
   * Sorting the burst history every minute of every scope was two thirds of a backtest's time
   * (profiled: `quantile` 68% of a 7-day run); the list only changes once an hour.
   */
  private burstP99(st: ScopeState, w: number, bursts: readonly number[]): number {
    let q = st.burstP99.get(w);
    if (q === undefined) {
      q = quantile(bursts, 0.99);
      st.burstP99.set(w, q);
    }
    return q;
  }

  /** The scope's money floor and usual large call (see detectors/velocity.ts). */
  private money(s: ScopeSeries, st: ScopeState, typicalHourly: number, mult: number): ScopeMoney {
    const v = this.params.velocity;
    const override = v.floorByScope[scopeId(s.scope)];
    const floor = override ?? Math.max(v.floorUsdPerHour, v.floorShareOfSpend * (Number.isFinite(typicalHourly) ? typicalHourly : 0));
    if (st.callP90 === null) {
      st.callP90 = st.calls.length >= 24 ? quantile(st.calls, 0.9) : 0;
      st.callMax = st.calls.length >= 24 ? Math.max(...st.calls) : 0;
    }
    return { floorUsdPerHour: floor * mult, largeCall: st.callP90 * mult, largestCall: st.callMax * mult };
  }

  private evaluateScope(s: ScopeSeries, ann: readonly Annotation[], t: number): Signal[] {
    const st = this.state(scopeId(s.scope));
    const out: Signal[] = [];
    const hour = floorTo(t - MINUTE_MS, HOUR_MS);
    const m = s.minutes;
    const end = m.indexOf(t);
    this.updateBurst(s, st, hour, ann);

    const base = this.baseline(s, st, hour, ann);
    const pr = this.perRequest(s, st, hour);
    if (base) {
      const mult = annotationMultiplier(ann, s.scope, t - MINUTE_MS);
      const money = this.money(s, st, pr.typicalHourly, mult);
      const checks: WindowCheck[] = [];
      for (const w of this.params.velocity.windows) {
        const expected = this.expectedOver(s, st, t - w * MINUTE_MS, t, ann);
        if (expected === null) continue;
        const bursts = st.burst.get(w) ?? [];
        const burst = bursts.length >= 24 ? this.burstP99(st, w, bursts) * mult : 0;
        const sigmaHour = base.sigma * (base.cold ? 2 : 1) * mult;
        checks.push({ window: w, observed: m.sum('cost', end - w, end), expected, sigma: (sigmaHour * w) / 60, threshold: windowThreshold(w, expected, sigmaHour, burst, this.params.velocity, money) });
      }
      const v = velocitySignal(s.scope, checks, this.params.velocity, money);
      if (v) {
        out.push(v);
        st.alertHours.add(hour);
        st.alertHours.add(hour + HOUR_MS);
      }
    }

    const requests60 = m.sum('requests', end - 60, end);
    if (annotationMultiplier(ann, s.scope, t - MINUTE_MS) === 1) {
      out.push(...driftSignals({ floorUsdPerHour: base ? this.money(s, st, pr.typicalHourly, 1).floorUsdPerHour : undefined, scope: s.scope, cost: m.sum('cost', end - 60, end), requests: requests60, tokens: m.sum('tokens', end - 60, end), baseCostPerRequest: pr.cpr, baseTokensPerRequest: pr.tpr }, this.params.drift));
    }
    const sp = this.params.storm;
    const storm = errorStormSignal(s.scope, sp.errorWindowsMinutes.map((w) => ({ minutes: w, requests: m.sum('requests', end - w, end), errors: m.sum('errors', end - w, end), cost: m.sum('cost', end - w, end) })), pr.usualErrorsPerHour, sp);
    if (storm) out.push(storm);
    return out;
  }

  /**
   * The usual per-request cost and tokens at this hour: the larger of the past week's median and
   * the median of the same hour on the past seven days (the mix of calls differs by hour: a
   * nightly batch of long prompts is not drift), and the usual errors per storm window.
   */
  private perRequest(s: ScopeSeries, st: ScopeState, hour: number): { cpr: number; tpr: number; usualErrorsPerHour: number; typicalHourly: number } {
    if (st.perRequest?.hour === hour) return st.perRequest;
    const h = s.hours;
    const hi = h.indexOf(hour);
    const week = { cpr: [] as number[], tpr: [] as number[] };
    const same = { cpr: [] as number[], tpr: [] as number[] };
    const errs: number[] = [];
    const spend: number[] = [];
    for (let i = Math.max(0, hi - 168); i < hi; i++) {
      const r = h.at('requests', i);
      spend.push(h.at('cost', i));
      if (i >= hi - 24) errs.push(h.at('errors', i));
      if (r < 5) continue;
      const into = (hi - i) % 24 === 0 ? [week, same] : [week];
      for (const x of into) {
        x.cpr.push(h.at('cost', i) / r);
        x.tpr.push(h.at('tokens', i) / r);
      }
    }
    const usual = (w: number[], d: number[]) => (w.length >= 24 ? Math.max(median(w), d.length >= 3 ? median(d) : 0) : NaN);
    const pr = {
      hour,
      cpr: usual(week.cpr, same.cpr),
      tpr: usual(week.tpr, same.tpr),
      usualErrorsPerHour: errs.length ? median(errs) : 0,
      typicalHourly: spend.length ? median(spend) : 0,
    };
    st.perRequest = pr;
    return pr;
  }
}
