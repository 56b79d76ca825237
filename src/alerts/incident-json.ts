/** The public JSON shape of an incident (API, `costrail anomalies --json`): instants as ISO text. */
import type { Incident } from './incident-tracker.js';

const iso = (v: number | null): string | null => (v === null ? null : new Date(v).toISOString());

export function incidentJson(i: Incident): Record<string, unknown> {
  const { notifications: _threads, ...rest } = i;
  return { ...rest, opened_at: iso(i.opened_at), last_seen_at: iso(i.last_seen_at), resolved_at: iso(i.resolved_at), snoozed_until: iso(i.snoozed_until), notes: i.notes.map((n) => ({ ...n, at: iso(n.at) })) };
}
