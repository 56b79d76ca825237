/**
 * Cost-per-request and tokens-per-request drift over the last hour against the median of the past
 * week's hourly values: a prompt that grew, a model swapped for a pricier one. Fires only when the
 * drift costs real money (the excess it implies clears the dollar floor) on enough requests.
 */
import type { Signal } from '../alert-types.js';
import { round6 } from '../robust-stats.js';
import { scopeLabel, type Scope } from '../scope.js';

export interface DriftParams {
  ratio: number;
  minRequests: number;
  floorUsdPerHour: number;
}

export const DEFAULT_DRIFT: DriftParams = { ratio: 2, minRequests: 20, floorUsdPerHour: 5 };

export interface DriftInput {
  scope: Scope;
  /** The scope's own money floor ($/h, see velocity); the drift's excess must clear it too. */
  floorUsdPerHour?: number | undefined;
  /** Last 60 minutes. */
  cost: number;
  requests: number;
  tokens: number;
  /** Median per-request values over the past week's hours (NaN when unknown). */
  baseCostPerRequest: number;
  baseTokensPerRequest: number;
}

export function driftSignals(i: DriftInput, p: DriftParams): Signal[] {
  const out: Signal[] = [];
  const floor = Math.max(p.floorUsdPerHour, i.floorUsdPerHour ?? 0);
  if (i.requests < p.minRequests) return out;
  const cpr = i.cost / i.requests;
  if (i.baseCostPerRequest > 0 && cpr >= p.ratio * i.baseCostPerRequest) {
    const excess = (cpr - i.baseCostPerRequest) * i.requests;
    if (excess >= floor) {
      out.push({
        scope: i.scope,
        kind: 'cost_per_request_drift',
        severity: excess >= 10 * floor ? 'critical' : 'warning',
        observed: round6(cpr),
        expected: round6(i.baseCostPerRequest),
        expected_low: round6(i.baseCostPerRequest / p.ratio),
        expected_high: round6(i.baseCostPerRequest * p.ratio),
        unit: 'usd_per_request',
        window_minutes: 60,
        summary: `Each call on ${scopeLabel(i.scope)} now costs $${cpr.toFixed(4)}, ${(cpr / i.baseCostPerRequest).toFixed(1)}× the usual $${i.baseCostPerRequest.toFixed(4)} ($${excess.toFixed(2)} extra in the last hour).`,
        detail: { excess_usd_per_hour: round6(excess), requests: i.requests },
      });
    }
  }
  const tpr = i.tokens / i.requests;
  if (i.baseTokensPerRequest > 0 && tpr >= p.ratio * i.baseTokensPerRequest) {
    const excess = i.cost * (1 - i.baseTokensPerRequest / tpr);
    if (excess >= floor) {
      out.push({
        scope: i.scope,
        kind: 'tokens_per_request_drift',
        severity: 'warning',
        observed: round6(tpr),
        expected: round6(i.baseTokensPerRequest),
        expected_low: round6(i.baseTokensPerRequest / p.ratio),
        expected_high: round6(i.baseTokensPerRequest * p.ratio),
        unit: 'tokens_per_request',
        window_minutes: 60,
        summary: `Calls on ${scopeLabel(i.scope)} now use ${Math.round(tpr)} tokens each, ${(tpr / i.baseTokensPerRequest).toFixed(1)}× the usual ${Math.round(i.baseTokensPerRequest)}.`,
        detail: { excess_usd_per_hour: round6(excess), requests: i.requests },
      });
    }
  }
  return out;
}
