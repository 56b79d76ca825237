import type { Scope } from '../attribution/scope.js';

export type { Scope };

/** Canonical text form (sorted keys): the de-duplication key of an alert and a map key. */
export function scopeId(scope: Scope): string {
  const keys = Object.keys(scope).sort();
  return keys.length === 0 ? '*' : keys.map((k) => `${k}=${scope[k] ?? ''}`).join('&');
}

export function parseScopeId(id: string): Scope {
  if (id === '*' || id === '') return {};
  const out: Scope = {};
  for (const part of id.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** True when every field of `outer` is also fixed, to the same value, in `inner` (`{}` contains all). */
export function scopeContains(outer: Scope, inner: Scope): boolean {
  return Object.entries(outer).every(([k, v]) => inner[k] === v);
}

/** Human label: `all spend`, `team search`, `team search · model gpt-4o`. */
export function scopeLabel(scope: Scope): string {
  const e = Object.entries(scope);
  return e.length === 0 ? 'all spend' : e.map(([k, v]) => `${k} ${v}`).join(' · ');
}

/**
 * The dashboard's explorer view of this scope around an instant (the dashboard helper owns the
 * page; this is only its address): `/#/explorer?from=…&to=…&team=search&granularity=minute`.
 */
export function explorerLink(scope: Scope, fromMs: number, toMs: number): string {
  const q = new URLSearchParams({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), granularity: 'minute' });
  for (const [k, v] of Object.entries(scope)) q.set(k, v);
  return `/#/explorer?${q.toString()}`;
}

/** True when some record could be in both scopes (no field fixed to different values). */
export function scopesOverlap(a: Scope, b: Scope): boolean {
  return Object.entries(a).every(([k, v]) => b[k] === undefined || b[k] === v);
}

/** True when a record's fields (`dimension → value`, null for absent) fall inside the scope. */
export function recordInScope(scope: Scope, value: (dimension: string) => string | null): boolean {
  return Object.entries(scope).every(([k, v]) => value(k) === v);
}
