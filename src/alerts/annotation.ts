/** Known events (a launch, a load test) that widen the baseline of a scope for a time window. */
import { scopeContains, scopesOverlap, type Scope } from './scope.js';

export interface Annotation {
  id: string;
  scope: Scope;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  note: string;
  /** How much more spend than usual to expect; 3 when not given. */
  expected_multiplier: number;
}

export const DEFAULT_EXPECTED_MULTIPLIER = 3;

/**
 * Notes of "this is the new normal" annotations start with this: unlike an event annotation, its
 * hours stay in the baselines (the new level *is* the baseline from now on); the multiplier only
 * bridges the day the level factor needs to catch up.
 */
export const NEW_NORMAL_NOTE = 'new normal:';

/**
 * The widening factor at `ms` for `scope` inside an annotated scope (a launch annotated for a team
 * covers its features): the largest multiplier active then. 1 when none.
 */
export function annotationMultiplier(annotations: readonly Annotation[], scope: Scope, ms: number): number {
  let m = 1;
  for (const a of annotations) {
    if (ms < a.from || ms >= a.to) continue;
    if (scopeContains(a.scope, scope)) m = Math.max(m, a.expected_multiplier);
  }
  return m;
}

/**
 * Annotations active at `ms` whose scope overlaps `scope` without containing it (the annotated
 * feature's launch also lands in its provider, model, team and the global scope): their extra
 * spend is added to this scope's expectation rather than multiplying all of it.
 */
export function overlappingAnnotations(annotations: readonly Annotation[], scope: Scope, ms: number): Annotation[] {
  return annotations.filter((a) => ms >= a.from && ms < a.to && !scopeContains(a.scope, scope) && scopesOverlap(a.scope, scope));
}

/** True when any part of the hour [hourMs, hourMs+1h) is annotated for the scope (kept out of baselines). */
export function hourAnnotated(annotations: readonly Annotation[], scope: Scope, hourMs: number): boolean {
  const end = hourMs + 3_600_000;
  return annotations.some((a) => a.from < end && a.to > hourMs && scopesOverlap(a.scope, scope) && !a.note.startsWith(NEW_NORMAL_NOTE));
}

/** An annotation from its API/JSON form (ISO instants). */
export function annotationFromInput(id: string, a: { scope: Scope; from: string; to: string; note?: string; expected_multiplier?: number }): Annotation {
  return { id, scope: a.scope, from: Date.parse(a.from), to: Date.parse(a.to), note: a.note ?? '', expected_multiplier: a.expected_multiplier ?? DEFAULT_EXPECTED_MULTIPLIER };
}
