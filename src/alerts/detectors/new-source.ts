/**
 * New spend sources: a model, provider or key spending in a scope that has never used it before.
 * Only scopes with enough history qualify (in a new scope every source is new and says nothing).
 */
import type { Severity, Signal } from '../alert-types.js';
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
  /** First-hour spend that makes the news a warning (below it: info). */
  floorUsdPerHour: number;
  /** A new source matters in money only above both: an absolute floor ($ in its first hour)… */
  minUsd: number;
  /** …and this share of its parent scope's typical hourly spend. */
  minShareOfSpend: number;
}

export const DEFAULT_NEW_SOURCE: NewSourceParams = { minScopeAgeMs: 7 * 86_400_000, floorUsdPerHour: 20, minUsd: 1, minShareOfSpend: 0.05 };

const usd = (v: number): string => `$${v < 1 ? v.toFixed(4) : v.toFixed(2)}`;

/**
 * Sightings whose first minute lies in [fromMs, toMs): what a tick covering that span reports.
 * Only sources that matter in money count (see `NewSourceParams`), and they are summarised per
 * kind of pair (parent dimension × source): one sighting keeps its own scope, several become one
 * alert ("3 new customer × key_id pairs, $41.20 in all") — never one alert each.
 * `parentHourly(scope)` is the parent scope's typical hourly spend (0 when unknown).
 */
export function newSourceSignals(sightings: readonly SourceSighting[], fromMs: number, toMs: number, p: NewSourceParams, parentHourly: (scope: Scope) => number = () => 0): Signal[] {
  const groups = new Map<string, SourceSighting[]>();
  for (const s of sightings) {
    if (s.first_seen < fromMs || s.first_seen >= toMs) continue;
    if (s.first_seen - s.scope_first_seen < p.minScopeAgeMs) continue;
    if (s.first_hour_cost < Math.max(p.minUsd, p.minShareOfSpend * parentHourly(s.scope))) continue;
    const key = `${Object.keys(s.scope).sort().join('+') || 'all spend'}|${s.source}`;
    const list = groups.get(key) ?? [];
    list.push(s);
    groups.set(key, list);
  }
  const out: Signal[] = [];
  for (const [key, list] of groups) {
    const total = list.reduce((a, s) => a + s.first_hour_cost, 0);
    const severity: Severity = total >= p.floorUsdPerHour ? 'warning' : 'info';
    const base = { kind: 'new_source' as const, severity, observed: Math.round(total * 1e6) / 1e6, expected: 0, expected_low: 0, expected_high: 0, unit: 'usd' as const, window_minutes: 60 };
    if (list.length === 1) {
      const s = list[0] as SourceSighting;
      out.push({
        ...base,
        scope: { ...s.scope, [s.source]: s.value },
        summary: `New spend source: ${s.source} ${s.value} started spending in ${scopeLabel(s.scope)}, which had never used it (${usd(s.first_hour_cost)} in its first hour).`,
        detail: { source: s.source, value: s.value, parent_scope: scopeLabel(s.scope), pairs: 1 },
      });
      continue;
    }
    const [parentDims, source] = key.split('|') as [string, string];
    const top = [...list].sort((a, b) => b.first_hour_cost - a.first_hour_cost).slice(0, 3).map((s) => `${scopeLabel({ ...s.scope, [s.source]: s.value })} ${usd(s.first_hour_cost)}`);
    out.push({
      ...base,
      scope: {},
      summary: `${list.length} new ${parentDims.replace(/\+/g, ' × ')} × ${source} pairs, ${usd(total)} in all (largest: ${top.join('; ')}).`,
      detail: { source, parent_dimensions: parentDims, pairs: list.length },
    });
  }
  return out;
}
