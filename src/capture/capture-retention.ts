/**
 * Captured bodies are kept `capture.retention_days` (default 7), whatever the ledger's own
 * retention: they hold prompt text. Deleted 5 s after start, then hourly (a capture outlives its
 * limit by an hour at most).
 */
import type { CaptureRepository } from './capture-repository.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export function scheduleCaptureRetention(repo: CaptureRepository, days: number, onResult: (r: { deleted: number } | Error) => void, now: () => number = Date.now): { stop(): void } {
  const run = (): void => {
    repo.deleteCapturesBefore(new Date(now() - days * DAY).toISOString()).then(
      (deleted) => onResult({ deleted }),
      (e: unknown) => onResult(e instanceof Error ? e : new Error(String(e))),
    );
  };
  const first = setTimeout(run, 5_000);
  const hourly = setInterval(run, HOUR);
  first.unref();
  hourly.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(hourly);
    },
  };
}
