/**
 * One process's policy: the rules (persisted in the store, fanned out to other processes through
 * the counters' channel), the engine the gateway calls, the budgets' live status, and threshold
 * events. `serve` opens one and hands `engine` to the Gateway as its CallPolicy.
 *
 * Convergence: pub/sub is only the fast path. Every change also bumps a revision row in the store;
 * on a shared (PostgreSQL) store each process polls it every `syncIntervalMs` (default 1 s) and
 * reloads the rules when it moved, so a change made while Redis was down still arrives within
 * about a second. When shared counters come back after an outage (and at start), each budget's
 * current period is rebuilt from the ledger (raised to the ledger's sum, never lowered), and holds
 * whose settle failed are released.
 *
 * Threshold events: `onThreshold(listener)` is called once per budget, period and threshold when
 * settled spend first reaches that fraction of the limit (across every process sharing the
 * counters: the first to see it claims it). The alerts module routes these to channels.
 */
import { randomUUID } from 'node:crypto';
import type { PriceBookSource } from '../pricing/current-price-book.js';
import type { DimensionFilters, Store } from '../store/store.js';
import { formatAmount, type BudgetStatus } from './budget-status.js';
import type { PeriodWindow } from './budget-period.js';
import { CompiledBudget, CompiledRules } from './compiled-rules.js';
import { MemoryCounters } from './counters/memory-counters.js';
import type { BucketState, PolicyCounters } from './counters/policy-counters.js';
import { toPico } from './money-units.js';
import { PolicyEngine } from './policy-engine.js';
import { listOf, PolicyRepository } from './policy-repository.js';
import { emptyRules, POLICY_KINDS, type BudgetSpec, type PolicyKind, type PolicyRules, type Scope } from './policy-schemas.js';
import { WorstCaseEstimator } from './worst-case-cost.js';

export interface ThresholdEvent {
  budget_id: string;
  budget_name: string;
  scope: Scope;
  /** The fraction crossed (0.5, 0.8, 1.0…). */
  threshold: number;
  unit: 'usd' | 'tokens';
  spent: string;
  limit: string;
  action: BudgetSpec['action'];
  period_start: string | null;
  resets_at: string | null;
  at: string;
}

export type ThresholdListener = (event: ThresholdEvent) => void;

export interface PolicyServiceOptions {
  store: Store;
  book: PriceBookSource;
  /** Default: in-process counters. */
  counters?: PolicyCounters;
  reservationCeilingUsd?: string;
  reservationTtlMs?: number;
  clock?: () => number;
  /** Commits records still on their way to the store before a new budget counts prior spend. */
  flushLedger?: () => Promise<void>;
  log?: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
  /** How often a shared store's policy revision is polled and stranded holds retried; default 1000 ms. */
  syncIntervalMs?: number;
  /**
   * A second rebuild this long after counters return (default 3000 ms): other replicas commit
   * what they spooled during the outage a batch interval or two later.
   */
  rebuildAgainAfterMs?: number;
}

/** Changes not fanned out while the counters were down; re-sent when they return (bounded). */
const MAX_UNSENT = 1000;

interface ChangeMessage {
  op: 'upsert' | 'delete';
  kind: PolicyKind;
  id: string;
  spec?: { id: string };
}

export class PolicyService {
  readonly engine: PolicyEngine;
  readonly counters: PolicyCounters;
  private readonly repo: PolicyRepository;
  private rules: PolicyRules = emptyRules();
  private readonly listeners: ThresholdListener[] = [];
  /** Thresholds this process already saw crossed (saves a claim round trip per settle). */
  private readonly seen = new Set<string>();
  private readonly clock: () => number;
  private lastCounterWarning = 0;
  private lastSyncWarning = 0;
  /** The store's policy revision the rules in memory reflect (null: not read yet). */
  private revision: number | null = null;
  /** Counts local changes, so a reload that raced one does not undo it. */
  private localChanges = 0;
  private unsent: ChangeMessage[] = [];
  /** The latest local change per rule, so a re-send never replays a change a newer one replaced. */
  private readonly latest = new Map<string, ChangeMessage>();
  private syncTimer: NodeJS.Timeout | undefined;
  private againTimer: NodeJS.Timeout | undefined;
  private syncing = false;
  private recovering: Promise<void> | undefined;
  private closed = false;
  private countersMissedSpend = false;
  /** Spent fraction of each budget's current period, by id and by name (routing's budget-state rules read it per call). */
  private readonly usage = new Map<string, { end: number; fraction: number }>();
  private budgetNames = new Map<string, string>();

  private constructor(private readonly o: PolicyServiceOptions) {
    this.counters = o.counters ?? new MemoryCounters();
    this.clock = o.clock ?? Date.now;
    this.repo = new PolicyRepository(o.store);
    this.engine = new PolicyEngine({
      counters: this.counters,
      estimator: new WorstCaseEstimator(o.book),
      reservationCeilingUsd: o.reservationCeilingUsd,
      reservationTtlMs: o.reservationTtlMs,
      clock: this.clock,
      onBudgetSettled: (b, w, st) => this.checkThresholds(b, w, st),
      onCounterError: (e) => {
        // Spend admitted or settled meanwhile is missing from the counters: rebuild once they answer.
        this.countersMissedSpend = true;
        const now = Date.now();
        if (now - this.lastCounterWarning > 10_000) {
          this.lastCounterWarning = now;
          this.o.log?.('warn', 'policy counters unavailable; rules apply their fail mode', { err: e.message });
        }
      },
    });
  }

  static async open(o: PolicyServiceOptions): Promise<PolicyService> {
    const s = new PolicyService(o);
    await s.repo.migrate();
    s.revision = await s.repo.revision();
    s.rules = await s.repo.load();
    s.recompile();
    // Raise (never lower) each current period to the ledger: shared counters may have missed spend
    // made while they were unreachable, or lost it (a Redis restart without persistence).
    for (const b of s.engine.compiled.budgetById.values()) await s.rebuild(b);
    s.counters.onBroadcast((m) => void s.applyRemote(m));
    s.counters.onReconnect(() => void s.recover());
    s.syncTimer = setInterval(() => void s.tick(), o.syncIntervalMs ?? 1000);
    s.syncTimer.unref();
    return s;
  }

  get ceilingPico(): bigint {
    return this.engine.ceilingPico;
  }

  onThreshold(listener: ThresholdListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  list<K extends keyof PolicyRules>(list: K): PolicyRules[K] {
    return this.rules[list];
  }

  find(kind: PolicyKind, id: string): { id: string } | undefined {
    return (this.rules[listOf(kind)] as { id: string }[]).find((r) => r.id === id);
  }

  /** Creates or replaces a rule (already validated), persists it, and tells other processes. */
  async put<T extends { id?: string | undefined }>(kind: PolicyKind, input: T, extra: Record<string, unknown> = {}): Promise<T & { id: string }> {
    const spec = { ...input, ...extra, id: input.id ?? `${kind.replace('_', '-')}-${randomUUID().slice(0, 8)}` } as T & { id: string };
    await this.repo.upsert(kind, spec.id, spec, this.clock());
    this.localChanges++;
    await this.bumpRevision();
    // Seed before the budget goes live, so no reservation creates its bucket first.
    if (kind === 'budget') await this.seed(new CompiledBudget(spec as unknown as BudgetSpec));
    this.applyLocal({ op: 'upsert', kind, id: spec.id, spec });
    await this.broadcast({ op: 'upsert', kind, id: spec.id, spec });
    return spec;
  }

  async remove(kind: PolicyKind, id: string): Promise<boolean> {
    const removed = await this.repo.remove(kind, id);
    this.localChanges++;
    await this.bumpRevision();
    const known = this.find(kind, id) !== undefined;
    this.applyLocal({ op: 'delete', kind, id });
    await this.broadcast({ op: 'delete', kind, id });
    return removed || known;
  }

  async budgetStatuses(): Promise<BudgetStatus[]> {
    const now = this.clock();
    const budgets = [...this.engine.compiled.budgetById.values()];
    const windows = budgets.map((b) => b.windowAt(now));
    let states: BucketState[];
    try {
      states = await this.counters.read(budgets.map((b, i) => b.keyFor(windows[i] as PeriodWindow)), now);
    } catch {
      states = budgets.map(() => ({ spent: 0n, reserved: 0n }));
    }
    return budgets.map((b, i) => status(b, windows[i] as PeriodWindow, states[i] ?? { spent: 0n, reserved: 0n }));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.syncTimer);
    clearTimeout(this.againTimer);
    await this.recovering;
    await this.counters.close();
  }

  /**
   * Rebuilds counters after an outage: re-sends changes that were not fanned out, releases holds
   * whose settle failed, raises each budget's current period to the ledger's sum, and does the
   * last step once more a little later for spend other replicas commit after us.
   */
  recover(): Promise<void> {
    this.recovering ??= (async () => {
      try {
        const unsent = this.unsent;
        this.unsent = [];
        await this.resend(unsent);
        await this.engine.releaseStranded();
        await this.rebuildAll();
        clearTimeout(this.againTimer);
        // Other processes' subscribers reconnect on their own back-off and miss what was published
        // before: send once more (processes on a shared store also read the change from there).
        this.againTimer = setTimeout(() => void this.resend(unsent).then(() => this.rebuildAll()), this.o.rebuildAgainAfterMs ?? 3000);
        this.againTimer.unref();
      } finally {
        this.recovering = undefined;
      }
    })();
    return this.recovering;
  }

  private async countersAnswer(): Promise<boolean> {
    try {
      await this.counters.read(['probe'], this.clock());
      return true;
    } catch {
      return false;
    }
  }

  private async rebuildAll(): Promise<void> {
    if (this.closed) return;
    for (const b of this.engine.compiled.budgetById.values()) await this.rebuild(b);
  }

  private async tick(): Promise<void> {
    if (this.syncing || this.closed) return;
    this.syncing = true;
    try {
      // An embedded store is this process's own: nothing else writes its rules.
      if (this.o.store.kind !== 'embedded') await this.syncRules();
      if (this.counters.kind === 'redis') await this.refreshUsage();
      // Operations timed out without the connection dropping (a stalled Redis): no reconnect event
      // comes, so rebuild once the counters answer again.
      if (this.countersMissedSpend && (await this.countersAnswer())) {
        this.countersMissedSpend = false;
        await this.recover();
      }
    } catch (e) {
      const now = Date.now();
      if (now - this.lastSyncWarning > 10_000) {
        this.lastSyncWarning = now;
        this.o.log?.('warn', 'policy sync with the store failed; retrying every second', { err: (e as Error).message });
      }
    } finally {
      this.syncing = false;
    }
  }

  /** Reloads the rules when the store's revision moved (a change made by another process). */
  private async syncRules(): Promise<void> {
    const revision = await this.repo.revision();
    if (revision === this.revision) return;
    const before = this.localChanges;
    const rules = await this.repo.load();
    if (before !== this.localChanges || this.closed) return; // raced a local change: next tick reloads
    const known = new Set(this.engine.compiled.budgetById.keys());
    this.rules = rules;
    this.recompile();
    this.revision = revision;
    for (const b of this.engine.compiled.budgetById.values()) if (!known.has(b.spec.id)) await this.seed(b);
  }

  private async bumpRevision(): Promise<void> {
    try {
      await this.repo.bumpRevision();
    } catch (e) {
      this.o.log?.('warn', 'policy revision not bumped: other processes see this change through pub/sub only', { err: (e as Error).message });
    }
  }

  private recompile(): void {
    this.engine.setRules(new CompiledRules(this.rules, this.engine.compiled));
    this.budgetNames = new Map(this.rules.budgets.map((b) => [b.name, b.id]));
  }

  private applyLocal(m: ChangeMessage): void {
    const list = listOf(m.kind);
    const current = this.rules[list] as { id: string }[];
    const next = current.filter((r) => r.id !== m.id);
    if (m.op === 'upsert' && m.spec) {
      const at = current.findIndex((r) => r.id === m.id);
      if (at >= 0) next.splice(at, 0, m.spec);
      else next.push(m.spec);
    }
    this.rules = { ...this.rules, [list]: next };
    this.recompile();
  }

  private async applyRemote(raw: string): Promise<void> {
    let m: ChangeMessage;
    try {
      m = JSON.parse(raw) as ChangeMessage;
      if (!POLICY_KINDS.includes(m.kind) || typeof m.id !== 'string') return;
    } catch {
      return;
    }
    // Newer than any reload in flight: that reload is discarded rather than undoing this.
    this.localChanges++;
    this.applyLocal(m);
    // Processes on a shared PostgreSQL store already have the row; embedded ones keep their own copy.
    if (this.o.store.kind === 'embedded') {
      try {
        if (m.op === 'upsert' && m.spec) await this.repo.upsert(m.kind, m.id, m.spec, this.clock());
        else if (m.op === 'delete') await this.repo.remove(m.kind, m.id);
      } catch (e) {
        this.o.log?.('warn', 'could not persist a policy change from another process', { err: (e as Error).message });
      }
    }
  }

  private async resend(messages: readonly ChangeMessage[]): Promise<void> {
    for (const m of messages) if (this.latest.get(`${m.kind}:${m.id}`) === m) await this.broadcast(m);
  }

  private async broadcast(m: ChangeMessage): Promise<void> {
    this.latest.set(`${m.kind}:${m.id}`, m);
    try {
      await this.counters.broadcast(JSON.stringify(m));
    } catch (e) {
      if (this.unsent.length < MAX_UNSENT) this.unsent.push(m);
      this.o.log?.('warn', 'policy change not fanned out (counters unavailable): re-sent when they return; processes on a shared store also read it from there', { err: (e as Error).message });
    }
  }

  /** The spend the ledger holds for a budget's scope in its current period (null: unreadable). */
  private async ledgerSpend(b: CompiledBudget, w: PeriodWindow, now: number): Promise<bigint | null> {
    let amount = 0n;
    try {
      await this.o.flushLedger?.();
      const r = await this.o.store.getSpend({ from: w.start > 0 ? new Date(w.start).toISOString() : undefined, to: new Date(now + 1).toISOString(), filters: scopeFilters(b.spec.scope) });
      if (b.unit === 'usd') amount = toPico(r.total.cost);
      else for (const row of r.rows) amount += BigInt(row.input_tokens + row.output_tokens + row.cache_read_tokens + row.cache_write_tokens + row.reasoning_tokens);
    } catch (e) {
      this.o.log?.('warn', 'budget counter not rebuilt from prior spend: the ledger could not be summed', { budget: b.spec.id, err: (e as Error).message });
      return null;
    }
    return amount;
  }

  /** Raises a budget's current period to the ledger's spend (idempotent across replicas). */
  private async rebuild(b: CompiledBudget): Promise<void> {
    const now = this.clock();
    const w = b.windowAt(now);
    const amount = await this.ledgerSpend(b, w, now);
    if (amount === null) return;
    try {
      const spent = await this.counters.rebuild(b.keyFor(w), amount, b.bucketExpiry(w));
      this.checkThresholds(b, w, { spent, reserved: 0n });
    } catch (e) {
      this.o.log?.('warn', 'budget counters unavailable while rebuilding from the ledger; retried when they return', { budget: b.spec.id, err: (e as Error).message });
    }
  }

  /** A budget's current period starts with the spend the ledger already holds for its scope. */
  private async seed(b: CompiledBudget): Promise<void> {
    const now = this.clock();
    const w = b.windowAt(now);
    const amount = await this.ledgerSpend(b, w, now);
    if (amount === null) return;
    try {
      const seeded = await this.counters.seed(b.keyFor(w), amount, b.bucketExpiry(w));
      if (seeded) this.checkThresholds(b, w, { spent: amount, reserved: 0n });
    } catch (e) {
      this.o.log?.('warn', 'budget counters unavailable while seeding prior spend', { budget: b.spec.id, err: (e as Error).message });
    }
  }

  /**
   * The fraction of its limit a budget (by id or name) has spent in its current period, from what
   * this process last saw settle (and, with shared counters, read every sync tick); undefined when
   * no such budget exists. A synchronous Map read: routing rules call it per call.
   */
  usedFraction(idOrName: string, now: number = this.clock()): number | undefined {
    const id = this.engine.compiled.budgetById.has(idOrName) ? idOrName : this.budgetNames.get(idOrName);
    if (id === undefined) return undefined;
    const u = this.usage.get(id);
    return u === undefined || now >= u.end ? 0 : u.fraction;
  }

  private noteUsage(b: CompiledBudget, w: PeriodWindow, st: BucketState): void {
    const fraction = b.limit > 0n ? Number((st.spent * 1_000_000n) / b.limit) / 1_000_000 : st.spent > 0n ? Infinity : 0;
    this.usage.set(b.spec.id, { end: w.end, fraction });
  }

  /** Shared counters: other processes' spend reaches budget-state routing through a read per sync tick. */
  private async refreshUsage(): Promise<void> {
    const now = this.clock();
    const budgets = [...this.engine.compiled.budgetById.values()];
    if (budgets.length === 0) return;
    const windows = budgets.map((b) => b.windowAt(now));
    const states = await this.counters.read(budgets.map((b, i) => b.keyFor(windows[i] as PeriodWindow)), now);
    budgets.forEach((b, i) => {
      const st = states[i];
      if (st) this.noteUsage(b, windows[i] as PeriodWindow, st);
    });
  }

  private checkThresholds(b: CompiledBudget, w: PeriodWindow, st: BucketState): void {
    this.noteUsage(b, w, st);
    if (this.listeners.length === 0) return;
    for (const t of b.thresholds) {
      if (st.spent < t.amount || t.amount === 0n) break;
      const key = `th:${b.keyFor(w)}:${t.fraction}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      const event: ThresholdEvent = {
        budget_id: b.spec.id,
        budget_name: b.spec.name,
        scope: b.spec.scope,
        threshold: t.fraction,
        unit: b.unit,
        spent: formatAmount(b.unit, st.spent),
        limit: formatAmount(b.unit, b.limit),
        action: b.spec.action,
        period_start: w.start > 0 ? new Date(w.start).toISOString() : null,
        resets_at: w.end === Infinity ? null : new Date(w.end).toISOString(),
        at: new Date(this.clock()).toISOString(),
      };
      this.counters.claim(key, b.bucketExpiry(w)).then(
        (mine) => {
          if (mine) for (const l of this.listeners) l(event);
        },
        () => undefined,
      );
    }
  }
}

/** Scope fields as ledger filters; `model` matches the model the caller asked for, as admission does. */
export function scopeFilters(scope: Scope): DimensionFilters {
  const f: DimensionFilters = {};
  for (const [k, v] of Object.entries(scope)) f[k === 'model' ? 'model_requested' : k] = v;
  return f;
}

function status(b: CompiledBudget, w: PeriodWindow, st: BucketState): BudgetStatus {
  const remaining = b.limit - st.spent - st.reserved;
  return {
    ...b.spec,
    unit: b.unit,
    period_start: w.start > 0 ? new Date(w.start).toISOString() : null,
    resets_at: w.end === Infinity ? null : new Date(w.end).toISOString(),
    spent: formatAmount(b.unit, st.spent),
    reserved: formatAmount(b.unit, st.reserved),
    remaining: formatAmount(b.unit, remaining > 0n ? remaining : 0n),
    used_fraction: b.limit > 0n ? Number((st.spent * 1_000_000n) / b.limit) / 1_000_000 : 0,
    thresholds_crossed: b.thresholds.filter((t) => st.spent >= t.amount).map((t) => t.fraction),
  };
}
