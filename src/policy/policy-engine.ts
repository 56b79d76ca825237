/**
 * The CallPolicy the gateway asks before forwarding: kill switches, model allow-lists, then one
 * atomic reservation across every matching rate window, budget and trace guard.
 *
 * Reserve, then settle: the call reserves its worst-case cost (worst-case-cost.ts, capped by the
 * reservation ceiling) in every matching bucket, all or nothing; its ticket settles the actual
 * cost from the ledger record and releases the rest. A budget therefore admits a call only while
 * spent + reserved + this call's reservation <= limit, which bounds its overshoot by what calls
 * spend beyond their reservation (docs/architecture.md, "Budgets and policy").
 */
import type { Admission, AdmissionRequest, AdmissionTicket, CallPolicy } from '../gateway/call-policy.js';
import type { GatewayError } from '../gateway/error-format.js';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import type { Usage } from '../providers/spec.js';
import { modelAllowed } from '../gateway/model-allow-list.js';
import { type CompiledBudget, CompiledRules } from './compiled-rules.js';
import type { PeriodWindow } from './budget-period.js';
import { CountersUnavailableError, type BucketState, type Charge, type PolicyCounters, type ReserveResult } from './counters/policy-counters.js';
import { picoToUsd, toPico } from './money-units.js';
import { emptyRules, type Scope } from './policy-schemas.js';
import type { ScopeSubject } from './scope-index.js';
import type { WorstCaseEstimator } from './worst-case-cost.js';

export interface PolicyEngineOptions {
  counters: PolicyCounters;
  estimator: WorstCaseEstimator;
  /** Most a single call reserves, USD (default "5"): a larger worst case is capped to this. */
  reservationCeilingUsd?: string;
  /** Unsettled reservations are released after this long (crash safety); default 15 min. */
  reservationTtlMs?: number;
  clock?: () => number;
  /** After each settle, per budget bucket touched (threshold events). */
  onBudgetSettled?: (budget: CompiledBudget, window: PeriodWindow, state: BucketState) => void;
  /** Counter failures (Redis down): admission applied each rule's fail mode. */
  onCounterError?: (err: Error) => void;
}

type SettleAs = 'one' | 'tokens' | 'usd';

interface ChargeMeta {
  kind: 'budget' | 'rate' | 'guard';
  settleAs: SettleAs;
  failClosed: boolean;
  budget?: CompiledBudget;
  window?: PeriodWindow;
  refusal: (now: number, used: bigint) => GatewayError;
}

interface Plan {
  charges: Charge[];
  meta: ChargeMeta[];
}

interface Attempt {
  model: string | null;
  downgraded: Set<string>;
  inputTokens?: number;
}

const ADMIT: Admission = {};
/** Holds whose settle could not reach the counters, kept to release once they return (bounded). */
const MAX_STRANDED = 100_000;

interface StrandedHold {
  id: string;
  charges: readonly Charge[];
}
const ceilDiv = (a: number, b: number) => Math.max(1, Math.ceil(a / b));

export class PolicyEngine implements CallPolicy {
  private rules = new CompiledRules(emptyRules());
  private readonly ceiling: bigint;
  private readonly ttl: number;
  private readonly clock: () => number;
  private stranded: StrandedHold[] = [];

  constructor(private readonly o: PolicyEngineOptions) {
    this.ceiling = toPico(o.reservationCeilingUsd ?? '5');
    this.ttl = o.reservationTtlMs ?? 15 * 60_000;
    this.clock = o.clock ?? Date.now;
  }

  get compiled(): CompiledRules {
    return this.rules;
  }

  setRules(rules: CompiledRules): void {
    this.rules = rules;
  }

  get ceilingPico(): bigint {
    return this.ceiling;
  }

  admit(req: AdmissionRequest): Admission | Promise<Admission> {
    const rules = this.rules;
    // The provider as the ledger records it (a provider named in config, not the adapter that reads it), so scopes match the records they settle.
    const subject: ScopeSubject = { attribution: req.who.attribution, tags: req.who.tags, provider: req.route.name ?? req.route.provider, model: req.model, key_id: req.identity.key_id };
    if (rules.killSwitches.size > 0) {
      const hit = rules.killSwitches.match(subject)[0];
      if (hit) return { refusal: { status: 403, type: 'kill_switch', message: `calls in scope ${scopeText(hit.scope)} are stopped by a kill switch: ${hit.reason}`, scope: hit.scope } };
    }
    // The key's own allow-list is the gateway's (model-allow-list.ts); these are per-scope lists
    // in the same pattern language.
    if (req.model !== null && rules.allowLists.size > 0) {
      for (const list of rules.allowLists.match(subject)) {
        if (!modelAllowed(list.spec.models, req.route.provider, req.model)) {
          return { refusal: { status: 403, type: 'model_not_allowed', message: `model "${req.model}" is not on the allow-list for scope ${scopeText(list.spec.scope)} (${list.spec.models.join(', ')})`, scope: list.spec.scope } };
        }
      }
    }
    if (!rules.countersNeeded) return ADMIT;
    const now = this.clock();
    const attempt: Attempt = { model: req.model, downgraded: new Set() };
    const plan = this.plan(rules, req, subject, now, attempt);
    if (!plan) return ADMIT;
    return this.reserve(rules, req, subject, now, plan, attempt);
  }

  private reserve(rules: CompiledRules, req: AdmissionRequest, subject: ScopeSubject, now: number, plan: Plan, attempt: Attempt): Admission | Promise<Admission> {
    let r: ReserveResult | Promise<ReserveResult>;
    try {
      r = this.o.counters.reserve(req.id, plan.charges, now, this.ttl);
    } catch (e) {
      return this.counterFailure(plan, e as Error);
    }
    if (r instanceof Promise) {
      return r.then(
        (res) => this.decide(rules, req, subject, now, plan, attempt, res),
        (e: Error) => {
          // A timed-out reserve may still have run in Redis: release whatever it held.
          this.release(req.id, plan);
          return this.counterFailure(plan, e);
        },
      );
    }
    return this.decide(rules, req, subject, now, plan, attempt, r);
  }

  private decide(rules: CompiledRules, req: AdmissionRequest, subject: ScopeSubject, now: number, plan: Plan, attempt: Attempt, r: ReserveResult): Admission | Promise<Admission> {
    if (r.ok) {
      const ticket = new PolicyTicket(this, req.id, plan);
      return attempt.model !== req.model && attempt.model !== null ? { model: attempt.model, ticket } : { ticket };
    }
    const meta = plan.meta[r.index] as ChargeMeta;
    const b = meta.budget;
    if (b && b.spec.action === 'downgrade' && b.spec.downgrade_to && !attempt.downgraded.has(b.spec.id)) {
      // The budget keeps counting the cheaper model's calls but no longer refuses them.
      attempt.downgraded.add(b.spec.id);
      attempt.model = b.spec.downgrade_to;
      const next = this.plan(rules, req, subject, now, attempt);
      if (next) return this.reserve(rules, req, subject, now, next, attempt);
    }
    if (attempt.inputTokens === undefined && meta.settleAs !== 'one') {
      // The byte bound did not fit: count the prompt's tokens and try once more with that.
      return this.o.estimator.refineInputTokens(req.route.provider, req.body, req.bodyBytes ?? 0).then((tokens) => {
        attempt.inputTokens = tokens;
        const next = this.plan(rules, req, subject, now, attempt);
        return next ? this.reserve(rules, req, subject, now, next, attempt) : ADMIT;
      });
    }
    return { refusal: meta.refusal(now, r.used) };
  }

  private counterFailure(plan: Plan, e: Error): Admission {
    this.o.onCounterError?.(e);
    if (!(e instanceof CountersUnavailableError)) throw e;
    if (plan.meta.some((m) => m.failClosed)) {
      return { refusal: { status: 503, type: 'policy_unavailable', message: 'budget counters are unreachable and a matching rule is set to fail closed', retryAfterSeconds: 1 } };
    }
    return ADMIT;
  }

  private plan(rules: CompiledRules, req: AdmissionRequest, subject: ScopeSubject, now: number, attempt: Attempt): Plan | null {
    const budgets = rules.budgets.size > 0 ? rules.budgets.match(subject) : [];
    const rates = rules.rateLimits.size > 0 ? rules.rateLimits.match(subject) : [];
    const trace = req.who.trace_id;
    const guards = trace !== null && rules.traceGuards.size > 0 ? rules.traceGuards.match(subject) : [];
    if (budgets.length + rates.length + guards.length === 0) return null;

    const wc = this.o.estimator.estimate(req.route.provider, attempt.model, req.body, req.bodyBytes ?? 0, now, attempt.inputTokens);
    const usd = wc.usdPico === null || wc.usdPico > this.ceiling ? this.ceiling : wc.usdPico;
    const tokens = BigInt(wc.inputTokens + wc.outputTokens);
    const charges: Charge[] = [];
    const meta: ChargeMeta[] = [];

    if (rates.length > 0) {
      const minute = Math.floor(now / 60_000);
      const expiresAt = (minute + 2) * 60_000;
      const retry = ceilDiv((minute + 1) * 60_000 - now, 1000);
      for (const rl of rates) {
        const s = rl.spec;
        const fc = s.on_counter_error === 'closed';
        const refusal = (what: string, limit: string) => (): GatewayError => ({ status: 429, type: 'rate_limited', message: `rate limit for scope ${scopeText(s.scope)} reached: ${limit} ${what} per minute`, retryAfterSeconds: retry, scope: s.scope });
        if (s.rpm !== undefined) {
          charges.push({ key: `r:${s.id}:n:${minute}`, amount: 1n, limit: BigInt(s.rpm), expiresAt });
          meta.push({ kind: 'rate', settleAs: 'one', failClosed: fc, refusal: refusal('requests', String(s.rpm)) });
        }
        if (s.tpm !== undefined) {
          charges.push({ key: `r:${s.id}:t:${minute}`, amount: tokens, limit: BigInt(s.tpm), expiresAt });
          meta.push({ kind: 'rate', settleAs: 'tokens', failClosed: fc, refusal: refusal('tokens', String(s.tpm)) });
        }
        if (rl.usdPerMinute !== null) {
          charges.push({ key: `r:${s.id}:u:${minute}`, amount: usd, limit: rl.usdPerMinute, expiresAt });
          meta.push({ kind: 'rate', settleAs: 'usd', failClosed: fc, refusal: refusal('USD', `$${s.usd_per_minute}`) });
        }
      }
    }

    const background = req.who.attribution.priority === 'background';
    for (const b of budgets) {
      const w = b.windowAt(now);
      const s = b.spec;
      let limit: bigint | null = s.action === 'notify' || attempt.downgraded.has(s.id) ? null : b.limit;
      const paused = background && b.backgroundLimit !== null;
      if (paused) limit = b.backgroundLimit;
      charges.push({ key: b.keyFor(w), amount: b.unit === 'usd' ? usd : tokens, limit, expiresAt: b.bucketExpiry(w) });
      meta.push({
        kind: 'budget',
        settleAs: b.unit === 'usd' ? 'usd' : 'tokens',
        failClosed: s.on_counter_error === 'closed',
        budget: b,
        window: w,
        refusal: (t, used) => {
          const fmt = (v: bigint) => (b.unit === 'usd' ? `$${picoToUsd(v)}` : `${v} tokens`);
          const resets = w.end === Infinity ? 'never resets' : `resets at ${new Date(w.end).toISOString()}`;
          const why = paused ? `background requests are paused at ${Math.round((s.background_pause_at ?? 1) * 100)}% of the limit` : 'it cannot cover this call';
          return {
            status: 429,
            type: 'budget_exceeded',
            message: `budget "${s.name}" (scope ${scopeText(s.scope)}): ${why}; ${fmt(used)} spent or reserved of ${fmt(b.limit)}; ${resets}`,
            retryAfterSeconds: w.end === Infinity ? 3600 : ceilDiv(w.end - t, 1000),
            scope: s.scope,
          };
        },
      });
    }

    for (const g of guards) {
      const s = g.spec;
      const key = `g:${s.id}:${trace}`;
      const expiresAt = now + s.window_minutes * 60_000;
      const refusal = (what: string) => (): GatewayError => ({ status: 429, type: 'budget_exceeded', message: `runaway guard: trace ${trace} reached ${what}`, retryAfterSeconds: s.window_minutes * 60, scope: { trace_id: trace as string } });
      if (s.max_calls !== undefined) {
        charges.push({ key: `${key}:n`, amount: 1n, limit: BigInt(s.max_calls), expiresAt });
        meta.push({ kind: 'guard', settleAs: 'one', failClosed: s.on_counter_error === 'closed', refusal: refusal(`${s.max_calls} calls`) });
      }
      if (g.maxUsd !== null) {
        charges.push({ key: `${key}:u`, amount: usd, limit: g.maxUsd, expiresAt });
        meta.push({ kind: 'guard', settleAs: 'usd', failClosed: s.on_counter_error === 'closed', refusal: refusal(`$${s.max_usd}`) });
      }
    }
    return { charges, meta };
  }

  private release(id: string, plan: Plan): void {
    try {
      const r = this.o.counters.settle(id, plan.charges.map((c) => ({ key: c.key, actual: 0n, expiresAt: c.expiresAt })), this.clock());
      if (r instanceof Promise) r.catch(() => this.strand(id, plan.charges));
    } catch {
      this.strand(id, plan.charges);
    }
  }

  /**
   * A hold whose settle failed would keep its reservation for the whole hold TTL (15 min) and make
   * the budget refuse early. Its spend needs no retry: the ledger has it and the counters are
   * rebuilt from the ledger on reconnect. So only the hold is released later (a zero settle,
   * idempotent: a hold already gone is left alone).
   */
  private strand(id: string, charges: readonly Charge[]): void {
    if (this.stranded.length < MAX_STRANDED) this.stranded.push({ id, charges });
  }

  get strandedHolds(): number {
    return this.stranded.length;
  }

  /** Releases the holds stranded while the counters were unreachable; those that still fail stay. True when none is left. */
  async releaseStranded(): Promise<boolean> {
    const batch = this.stranded;
    this.stranded = [];
    for (const h of batch) {
      try {
        await this.o.counters.settle(h.id, h.charges.map((c) => ({ key: c.key, actual: 0n, expiresAt: c.expiresAt })), this.clock());
      } catch {
        this.strand(h.id, h.charges);
      }
    }
    return this.stranded.length === 0;
  }

  /** Called by a ticket once its call's record exists. */
  settle(id: string, plan: Plan, record: LedgerRecord): void {
    const usd = record.cost ? toPico(record.cost.total) : 0n;
    const actual: Record<SettleAs, bigint> = { one: 1n, tokens: record.usage ? BigInt(totalTokens(record.usage)) : 0n, usd: usd > 0n ? usd : 0n };
    const settlements = plan.charges.map((c, i) => ({ key: c.key, actual: actual[(plan.meta[i] as ChargeMeta).settleAs], expiresAt: c.expiresAt }));
    const done = (states: BucketState[]): void => {
      const cb = this.o.onBudgetSettled;
      if (!cb) return;
      plan.meta.forEach((m, i) => {
        const st = states[i];
        if (m.budget && m.window && st) cb(m.budget, m.window, st);
      });
    };
    try {
      const r = this.o.counters.settle(id, settlements, this.clock());
      if (r instanceof Promise)
        r.then(done, (e: Error) => {
          this.strand(id, plan.charges);
          this.o.onCounterError?.(e);
        });
      else done(r);
    } catch (e) {
      // The spend is still in the ledger (counters are rebuilt from it); release the hold later.
      this.strand(id, plan.charges);
      this.o.onCounterError?.(e as Error);
    }
  }
}

class PolicyTicket implements AdmissionTicket {
  constructor(
    private readonly engine: PolicyEngine,
    private readonly id: string,
    private readonly plan: Plan,
  ) {}
  settle(record: LedgerRecord): void {
    this.engine.settle(this.id, this.plan, record);
  }
}

export function totalTokens(u: Usage): number {
  return u.input_tokens + u.cache_read_tokens + u.cache_write_tokens + u.cache_write_1h_tokens + u.output_tokens + u.reasoning_tokens + u.audio_input_tokens + u.audio_output_tokens + u.image_input_tokens;
}

export function scopeText(scope: Scope): string {
  const parts = Object.entries(scope).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? 'global' : parts.join(',');
}
