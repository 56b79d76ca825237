/**
 * Retention of raw ledger records: records that started more than `days` days ago are deleted
 * (`costrail retention apply`, and daily by `serve` when `--retention-days` / `retention_days`
 * is set). Rollup tables, where a store keeps them (PostgreSQL), are not touched, so long-range
 * spend stays available at their grain.
 *
 * Prompt and response bodies are never stored by Costrail today (the gateway keeps usage, cost
 * and attribution only), so there is nothing else to expire.
 */
import type { Store } from '../store/store.js';

const DAY = 86_400_000;

export interface RetentionResult {
  days: number;
  /** Records that started before this instant are (or would be) deleted. */
  cutoff: string;
  dry_run: boolean;
  deleted: number;
}

export function retentionCutoff(days: number, now = Date.now()): string {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`retention days must be a positive integer, not ${days}`);
  return new Date(now - days * DAY).toISOString();
}

export async function applyRetention(store: Store, opts: { days: number; dryRun?: boolean; now?: number }): Promise<RetentionResult> {
  const cutoff = retentionCutoff(opts.days, opts.now);
  const deleted = opts.dryRun ? (await store.getSpend({ to: cutoff, granularity: 'none' })).total.requests : await store.deleteRecordsBefore(cutoff);
  return { days: opts.days, cutoff, dry_run: Boolean(opts.dryRun), deleted };
}

/**
 * Applies retention now and then once a day, for a long-running server. The timer never keeps
 * the process alive; failures are reported and retried the next day.
 */
export function scheduleRetention(store: Store, days: number, onResult: (r: RetentionResult | Error) => void): { stop(): void } {
  retentionCutoff(days); // validate up front
  const run = (): void => {
    applyRetention(store, { days }).then(onResult, (e: unknown) => onResult(e instanceof Error ? e : new Error(String(e))));
  };
  const first = setTimeout(run, 5_000);
  const daily = setInterval(run, DAY);
  first.unref();
  daily.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(daily);
    },
  };
}
