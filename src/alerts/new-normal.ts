/**
 * "This is the new normal": an operator acknowledging an incident as a legitimate step change (a
 * launch) turns it into an annotation on the incident's root scope, so the detectors expect the
 * new level from then on. Its hours stay in the baselines (see NEW_NORMAL_NOTE): within `days`
 * the level factor (the median ratio to the seasonal profile over the last day) has caught up.
 */
import type { Alert } from './alert-types.js';
import { NEW_NORMAL_NOTE, type Annotation } from './annotation.js';
import type { Incident } from './incident-tracker.js';
import { clamp } from './robust-stats.js';

export const NEW_NORMAL_DAYS = 1;

/** The annotation a "new normal" acknowledgement posts: the root scope, from the incident's start, at the observed level. */
export function newNormalAnnotation(id: string, incident: Incident, alerts: readonly Alert[], now: number, days = NEW_NORMAL_DAYS): Annotation {
  const root = alerts.find((a) => a.kind === 'spend_velocity' && JSON.stringify(a.scope) === JSON.stringify(incident.root_scope)) ?? alerts.find((a) => a.kind === 'spend_velocity');
  // The level the scope now runs at, with room above it: the peak over the expectation, ×1.25.
  const ratio = root && root.expected > 0 ? (root.peak_observed / root.expected) * 1.25 : 3;
  return {
    id,
    scope: root?.scope ?? incident.root_scope,
    from: incident.opened_at - 60 * 60_000,
    to: now + days * 86_400_000,
    note: `${NEW_NORMAL_NOTE} incident ${incident.id}`,
    expected_multiplier: Math.round(clamp(ratio, 1.5, 20) * 100) / 100,
  };
}
