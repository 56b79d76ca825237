/**
 * Error and retry storms: many failed calls from one key (or scope) in five minutes, or many calls
 * from one trace (an agent or retry loop: normal traces make a handful of calls).
 */
import type { Signal } from '../alert-types.js';
import { scopeLabel, type Scope } from '../scope.js';

export interface StormParams {
  windowMinutes: number;
  /** Errors in the window before a storm is considered, and the multiple of the usual error count. */
  minErrors: number;
  errorMultiple: number;
  /** Share of calls in the window that failed. */
  minErrorShare: number;
  /** Calls from one trace in the window. */
  traceRequests: number;
}

export const DEFAULT_STORM: StormParams = { windowMinutes: 5, minErrors: 25, errorMultiple: 10, minErrorShare: 0.5, traceRequests: 40 };

export function errorStormSignal(scope: Scope, errors: number, requests: number, usualErrors: number, p: StormParams): Signal | null {
  const limit = Math.max(p.minErrors, p.errorMultiple * usualErrors);
  if (errors < limit || requests === 0 || errors / requests < p.minErrorShare) return null;
  return {
    scope,
    kind: 'error_storm',
    severity: errors >= 4 * limit ? 'critical' : 'warning',
    observed: errors,
    expected: Math.round(usualErrors * 100) / 100,
    expected_low: 0,
    expected_high: limit,
    unit: 'errors',
    window_minutes: p.windowMinutes,
    summary: `${errors} of ${requests} calls on ${scopeLabel(scope)} failed in the last ${p.windowMinutes} min (usually ${usualErrors.toFixed(1)}).`,
  };
}

export function retryStormSignal(traceId: string, requests: number, cost: number, p: StormParams): Signal | null {
  if (requests < p.traceRequests) return null;
  return {
    scope: { trace_id: traceId },
    kind: 'retry_storm',
    severity: requests >= 4 * p.traceRequests ? 'critical' : 'warning',
    observed: requests,
    expected: 0,
    expected_low: 0,
    expected_high: p.traceRequests,
    unit: 'requests',
    window_minutes: p.windowMinutes,
    summary: `Trace ${traceId} made ${requests} calls ($${cost.toFixed(2)}) in the last ${p.windowMinutes} min: a retry or agent loop.`,
    detail: { cost_usd: Math.round(cost * 1e6) / 1e6 },
  };
}
