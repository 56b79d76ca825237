/**
 * Error and retry storms, from status codes and call counts, per scope (keys among them) and per
 * trace: many failed calls in 5 or 15 minutes, or one trace making far more calls than a normal
 * one (an agent or retry loop). A storm of slow retries — 400 calls over 90 minutes, most answered
 * 429 or 500 — never reaches a five-minute count, so traces are also judged over the last hour.
 * The money is the paid cost of the window's calls (the retries that got through re-send the
 * whole context; failed attempts a provider bills are in it too).
 */
import type { Signal } from '../alert-types.js';
import { round6 } from '../robust-stats.js';
import { scopeLabel, type Scope } from '../scope.js';

export interface StormParams {
  windowMinutes: number;
  /** A longer window for error storms (slow, steady failure loops). */
  errorWindowsMinutes: readonly number[];
  /** Errors in the window before a storm is considered, and the multiple of the usual error count. */
  minErrors: number;
  errorMultiple: number;
  /** Share of calls in the window that failed. */
  minErrorShare: number;
  /** Calls from one trace in the short window. */
  traceRequests: number;
  /** Calls from one trace in the last hour. */
  traceRequestsPerHour: number;
  /** Paid cost per hour of a storm's calls that makes it critical. */
  criticalUsdPerHour: number;
}

export const DEFAULT_STORM: StormParams = { windowMinutes: 5, errorWindowsMinutes: [5, 15], minErrors: 25, errorMultiple: 10, minErrorShare: 0.5, traceRequests: 40, traceRequestsPerHour: 100, criticalUsdPerHour: 100 };

/** One window's counts for a scope or trace. */
export interface StormWindow {
  minutes: number;
  requests: number;
  errors: number;
  cost: number;
}

/** `usualErrorsPerHour`: the scope's usual errors (median hour); scaled to each window. */
export function errorStormSignal(scope: Scope, windows: readonly StormWindow[], usualErrorsPerHour: number, p: StormParams): Signal | null {
  for (const w of windows) {
    const usual = (usualErrorsPerHour * w.minutes) / 60;
    const limit = Math.max(p.minErrors, p.errorMultiple * usual);
    if (w.errors < limit || w.requests === 0 || w.errors / w.requests < p.minErrorShare) continue;
    const paidPerHour = (w.cost * 60) / w.minutes;
    return {
      scope,
      kind: 'error_storm',
      severity: w.errors >= 4 * limit || paidPerHour >= p.criticalUsdPerHour ? 'critical' : 'warning',
      observed: w.errors,
      expected: Math.round(usual * 100) / 100,
      expected_low: 0,
      expected_high: limit,
      unit: 'errors',
      window_minutes: w.minutes,
      summary: `${w.errors} of ${w.requests} calls on ${scopeLabel(scope)} failed in the last ${w.minutes} min (usually ${usual.toFixed(1)}); the window's calls cost $${w.cost.toFixed(2)}.`,
      detail: { requests: w.requests, cost_usd: round6(w.cost), excess_usd_per_hour: round6(paidPerHour) },
    };
  }
  return null;
}

/** A trace making too many calls: `short` is the last `windowMinutes`, `hour` the last 60 minutes. */
export function retryStormSignal(traceId: string, short: StormWindow, hour: StormWindow, p: StormParams): Signal | null {
  const w = short.requests >= p.traceRequests ? short : hour.requests >= p.traceRequestsPerHour ? hour : null;
  if (!w) return null;
  const limit = w === short ? p.traceRequests : p.traceRequestsPerHour;
  const paidPerHour = (w.cost * 60) / w.minutes;
  const failed = w.errors > 0 ? `, ${w.errors} of them failed` : '';
  return {
    scope: { trace_id: traceId },
    kind: 'retry_storm',
    severity: w.requests >= 4 * limit || paidPerHour >= p.criticalUsdPerHour ? 'critical' : 'warning',
    observed: w.requests,
    expected: 0,
    expected_low: 0,
    expected_high: limit,
    unit: 'requests',
    window_minutes: w.minutes,
    summary: `Trace ${traceId} made ${w.requests} calls ($${w.cost.toFixed(2)} paid${failed}) in the last ${w.minutes} min: a retry or agent loop.`,
    detail: { cost_usd: round6(w.cost), errors: w.errors, excess_usd_per_hour: round6(paidPerHour) },
  };
}
