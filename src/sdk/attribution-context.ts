/**
 * Attribution for calls made in-process: `withAttribution({ team, feature, ... }, fn)` holds it in
 * an AsyncLocalStorage context, so every call made inside `fn` (and inside nested agent steps,
 * timers and promises it starts) carries it. Nested contexts add to or override their parent's keys.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Attribution } from '../ledger/ledger-record.js';

export type AttributionInput = Partial<Record<Exclude<keyof Attribution, 'priority'>, string>> & { priority?: Attribution['priority']; trace?: string };

const storage = new AsyncLocalStorage<AttributionInput>();

export function withAttribution<T>(attribution: AttributionInput, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...attribution }, fn);
}

/** The attribution in force here (empty outside any withAttribution). */
export function currentAttribution(): AttributionInput {
  return storage.getStore() ?? {};
}
