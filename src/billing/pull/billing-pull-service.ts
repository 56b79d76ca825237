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

export class BillingPullService {
  readonly log = new BillingPullLog();
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    readonly targets: readonly AdminApiTarget[],
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
      return r;
    });
  }

  /** The last two UTC days up to now, every provider, daily. */
  schedule(onResult: (r: BillingPullResult) => void): void {
    if (this.targets.length === 0) return;
    const run = (): void => {
      const today = Math.floor(Date.now() / DAY) * DAY;
      const range = { from: new Date(today - DAY).toISOString(), to: new Date(today + DAY).toISOString() };
      for (const t of this.targets) void this.pull(t.provider, range)?.then(onResult);
    };
    const first = setTimeout(run, FIRST_PULL_MS);
    const daily = setInterval(run, DAY);
    first.unref();
    daily.unref();
    this.timers = [first, daily];
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await this.running;
  }
}
