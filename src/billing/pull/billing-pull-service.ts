/**
 * The runtime's billing pulls: the admin API targets configured in the environment, the log of recent
 * pulls (`GET /api/billing/pulls`), on-demand pulls (`POST /api/billing/pull`) and, in `serve`, a daily
 * pull of the last two days — first a few seconds after start, so a restart catches up — that keeps
 * the bill beside the ledger without anyone exporting a file. Off unless an admin key is configured.
 */
import type { Store } from '../../store/store.js';
import type { AdminApiTarget, PullProvider } from './admin-cost-client.js';
import { BillingPullLog, pullBilling, type BillingPullResult } from './billing-pull.js';

const DAY = 86_400_000;
const FIRST_PULL_MS = 10_000;
/** How far back the first scheduled pull after a start reaches to fill a gap left by downtime. */
const MAX_CATCH_UP_DAYS = 31;
const SOURCE = { openai: 'openai-costs', anthropic: 'anthropic-cost-report' } as const;

/**
 * The days a scheduled pull asks for: yesterday and today, reaching back to the day before the last
 * committed pull of the source ended (its last day may have been partial) — at most 31 days.
 */
export function scheduledRange(now: number, lastPulledEnd?: number): { from: string; to: string } {
  const today = Math.floor(now / DAY) * DAY;
  const from = lastPulledEnd === undefined ? today - DAY : Math.max(today - MAX_CATCH_UP_DAYS * DAY, Math.min(today - DAY, Math.floor(lastPulledEnd / DAY) * DAY - DAY));
  return { from: new Date(from).toISOString(), to: new Date(today + DAY).toISOString() };
}

export class BillingPullService {
  readonly log = new BillingPullLog();
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    readonly targets: readonly AdminApiTarget[],
    /** Every pull's outcome, scheduled or asked for (the runtime logs it and counts it in /metrics). */
    private readonly onResult: (r: BillingPullResult) => void = () => undefined,
  ) {}

  configured(): PullProvider[] {
    return this.targets.map((t) => t.provider);
  }

  /** Pulls one provider's [from, to); undefined when no admin key is configured for it. Pulls run one at a time. */
  pull(provider: PullProvider, range: { from: string; to: string }): Promise<BillingPullResult> | undefined {
    const target = this.targets.find((t) => t.provider === provider);
    if (!target) return undefined;
    const run = this.running.then(() => pullBilling(this.store, target, range));
    this.running = run.catch(() => undefined);
    return run.then((r) => {
      this.log.add(r);
      this.onResult(r);
      return r;
    });
  }

  /**
   * Every provider daily: yesterday and today (late usage and corrections land on recent days). The
   * first run after a start reaches back to where the last committed pull of that source ended (at
   * most 31 days), so downtime leaves no hole in the bill.
   */
  schedule(): void {
    if (this.targets.length === 0) return;
    const run = (catchUp: boolean): void => {
      void (async () => {
        const today = Date.now();
        const ends = catchUp ? await this.lastPulled() : new Map<string, number>();
        for (const t of this.targets) {
          await this.pull(t.provider, scheduledRange(today, ends.get(SOURCE[t.provider])));
        }
      })().catch(() => undefined);
    };
    const first = setTimeout(() => run(true), FIRST_PULL_MS);
    const daily = setInterval(() => run(false), DAY);
    first.unref();
    daily.unref();
    this.timers = [first, daily];
  }

  /** Where each source's committed imports end (epoch ms). */
  private async lastPulled(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const i of await this.store.billed.imports()) {
      if (i.state !== 'committed' || !i.period_end) continue;
      const end = Date.parse(i.period_end);
      if (end > (out.get(i.source) ?? 0)) out.set(i.source, end);
    }
    return out;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await this.running;
  }
}
