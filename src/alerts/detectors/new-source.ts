/**
 * New spend sources: a model, provider or key spending in a scope that has never used it before.
 * Only scopes with enough history qualify (in a new scope every source is new and says nothing).
 */
import type { Signal } from '../alert-types.js';
import { scopeLabel, type Scope } from '../scope.js';

/** One (scope, source) pair and when each was first seen, as the loader found them. */
export interface SourceSighting {
  scope: Scope;
  /** `model`, `provider` or `key_id`. */
  source: string;
  value: string;
  /** Epoch ms of the first minute with spend from this source in this scope. */
  first_seen: number;
  /** Epoch ms the scope itself first had spend. */
  scope_first_seen: number;
  /** Spend ($) of the pair in its first hour, for severity. */
  first_hour_cost: number;
}

export interface NewSourceParams {
  /** History the scope needs before a new source there is news. */
  minScopeAgeMs: number;
  floorUsdPerHour: number;
}

export const DEFAULT_NEW_SOURCE: NewSourceParams = { minScopeAgeMs: 7 * 86_400_000, floorUsdPerHour: 20 };

/** Sightings whose first minute lies in [fromMs, toMs): what a tick covering that span reports. */
export function newSourceSignals(sightings: readonly SourceSighting[], fromMs: number, toMs: number, p: NewSourceParams): Signal[] {
  const out: Signal[] = [];
  for (const s of sightings) {
    if (s.first_seen < fromMs || s.first_seen >= toMs) continue;
    if (s.first_seen - s.scope_first_seen < p.minScopeAgeMs) continue;
    out.push({
      scope: { ...s.scope, [s.source]: s.value },
      kind: 'new_source',
      severity: s.first_hour_cost >= p.floorUsdPerHour ? 'warning' : 'info',
      observed: Math.round(s.first_hour_cost * 1e6) / 1e6,
      expected: 0,
      expected_low: 0,
      expected_high: 0,
      unit: 'usd',
      window_minutes: 60,
      summary: `New spend source: ${s.source} ${s.value} started spending in ${scopeLabel(s.scope)}, which had never used it.`,
      detail: { source: s.source, value: s.value, parent_scope: scopeLabel(s.scope) },
    });
  }
  return out;
}
