/**
 * Rules in the shape admission uses them: limits as counter integers, scopes in ScopeIndexes,
 * budget windows cached until they end. Rebuilt whole on every config change (rare), so the hot
 * path reads immutable structures.
 */
import { budgetUnit, type BudgetUnit } from './budget-status.js';
import { periodWindow, type PeriodWindow } from './budget-period.js';
import { toPico } from './money-units.js';
import { isImportedSpendScope, type AllowListSpec, type BudgetSpec, type KillSwitchSpec, type PolicyRules, type RateLimitSpec, type TraceGuardSpec } from './policy-schemas.js';
import { ScopeIndex } from './scope-index.js';

/** Buckets outlive their period by this much, so late settles and /api/budgets still find them. */
const BUCKET_GRACE_MS = 2 * 86_400_000;

export class CompiledBudget {
  readonly unit: BudgetUnit;
  readonly limit: bigint;
  /** Limit for background-priority calls (background_pause_at x limit), if set. */
  readonly backgroundLimit: bigint | null;
  /** Threshold amounts, ascending, with their fractions. */
  readonly thresholds: { fraction: number; amount: bigint }[];
  private window: PeriodWindow = { start: 0, end: -1 };

  constructor(readonly spec: BudgetSpec) {
    this.unit = budgetUnit(spec);
    this.limit = this.unit === 'usd' ? toPico(spec.limit_usd as string) : BigInt(spec.limit_tokens as number);
    this.backgroundLimit = spec.background_pause_at === undefined ? null : scaled(this.limit, spec.background_pause_at);
    this.thresholds = [...new Set(spec.thresholds)].sort((a, b) => a - b).map((fraction) => ({ fraction, amount: scaled(this.limit, fraction) }));
  }

  windowAt(now: number): PeriodWindow {
    const w = this.window;
    if (now >= w.start && now < w.end) return w;
    this.window = periodWindow(this.spec, now);
    return this.window;
  }

  keyFor(w: PeriodWindow): string {
    return `b:${this.spec.id}:${w.start}`;
  }

  bucketExpiry(w: PeriodWindow): number {
    return w.end === Infinity ? Infinity : w.end + BUCKET_GRACE_MS;
  }
}

export interface CompiledRateLimit {
  spec: RateLimitSpec;
  usdPerMinute: bigint | null;
}

export interface CompiledAllowList {
  spec: AllowListSpec;
}

export interface CompiledTraceGuard {
  spec: TraceGuardSpec;
  maxUsd: bigint | null;
}

export class CompiledRules {
  readonly budgets: ScopeIndex<CompiledBudget>;
  readonly rateLimits: ScopeIndex<CompiledRateLimit>;
  readonly killSwitches: ScopeIndex<KillSwitchSpec>;
  readonly allowLists: ScopeIndex<CompiledAllowList>;
  readonly traceGuards: ScopeIndex<CompiledTraceGuard>;
  readonly budgetById = new Map<string, CompiledBudget>();
  /** True when no rule needs counters: admission is the kill-switch and allow-list lookups only. */
  readonly countersNeeded: boolean;

  constructor(readonly rules: PolicyRules, previous?: CompiledRules) {
    // Vendor / category budgets watch imported spend (imported-budgets.ts): never in admission.
    const budgets = rules.budgets.filter((b) => !isImportedSpendScope(b.scope)).map((b) => {
      // Keep a budget's cached window across recompiles when its spec did not change.
      const old = previous?.budgetById.get(b.id);
      return old && JSON.stringify(old.spec) === JSON.stringify(b) ? old : new CompiledBudget(b);
    });
    for (const b of budgets) this.budgetById.set(b.spec.id, b);
    this.budgets = new ScopeIndex(budgets.map((value) => ({ scope: value.spec.scope, value })));
    this.rateLimits = new ScopeIndex(rules.rateLimits.map((spec) => ({ scope: spec.scope, value: { spec, usdPerMinute: spec.usd_per_minute === undefined ? null : toPico(spec.usd_per_minute) } })));
    this.killSwitches = new ScopeIndex(rules.killSwitches.map((spec) => ({ scope: spec.scope, value: spec })));
    this.allowLists = new ScopeIndex(rules.allowLists.map((spec) => ({ scope: spec.scope, value: { spec } })));
    this.traceGuards = new ScopeIndex(rules.traceGuards.map((spec) => ({ scope: spec.scope, value: { spec, maxUsd: spec.max_usd === undefined ? null : toPico(spec.max_usd) } })));
    this.countersNeeded = this.budgets.size + this.rateLimits.size + this.traceGuards.size > 0;
  }
}

/** limit x fraction, exactly enough for thresholds (fractions have at most 6 decimals that matter). */
function scaled(limit: bigint, fraction: number): bigint {
  return (limit * BigInt(Math.round(fraction * 1_000_000))) / 1_000_000n;
}
