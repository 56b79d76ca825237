/**
 * Routing rules compiled once, at config load or `PUT /api/routing/rules`, into what the hot path
 * reads: model patterns as RegExps, attribution matches as (field, value) pairs, time windows as
 * minute ranges with a cached zone offset, budget conditions by name, and targets resolved per
 * client API shape. Per call `decide` walks the rules in order (first match wins) with no regex
 * compilation and at most one small object allocated (the decision).
 */
import { globToRegExp, type ProviderRouter } from '../gateway/provider-router.js';
import type { Route } from '../gateway/route.js';
import type { Attribution } from '../ledger/ledger-record.js';
import type { PriceBookSource } from '../pricing/current-price-book.js';
import type { PriceBook } from '../pricing/price-book.js';
import { cheapestCapable, DEFAULT_REFERENCE_CALL, type CheapestChoice, type PoolModel, type ReferenceCall } from './cheapest-capable.js';
import type { CapabilityTable } from './model-capabilities.js';
import { retryPolicyFrom, type RetryPolicy } from './retry-policy.js';
import { ATTRIBUTION_MATCH_FIELDS, WEEKDAYS, type CapabilityNeeds, type RoutingRuleSpec, type RoutingSection } from './routing-schema.js';
import { compileTarget, isRoutableApi, ROUTABLE_APIS, type CompiledTarget, type RoutableApi, type TargetPlan } from './routing-targets.js';
import { ZoneClock } from './zone-clock.js';
import { splitBucket } from './weighted-split.js';

/** A budget's spend as a fraction of its limit in the current period (routing's budget-state conditions). */
export interface BudgetUsageView {
  /** By budget id or name; undefined when no such budget exists. */
  usedFraction(idOrName: string, now: number): number | undefined;
}

export interface RoutingCall {
  route: Route;
  model: string | null;
  attribution: Attribution;
  /** Keeps a trace on one arm of a split; else the request id does. */
  traceId: string | null;
  requestId: string;
  now: number;
}

/** What routing decided for a call: the first target, and where to go when it fails. */
export interface RoutingDecision {
  ruleId: string | null;
  arm: string | null;
  /** The plan for the client's API shape; null keeps the call where the client sent it. */
  plan: TargetPlan | null;
  target: CompiledTarget | null;
}

interface CompiledSplit {
  arms: { name: string; upTo: number; target: CompiledTarget }[];
  total: number;
}

interface CompiledCheapest {
  pool: string;
  members: PoolModel[];
  needs: CapabilityNeeds;
  reference: ReferenceCall;
  /** Per price book version: the chosen target (compiled), null when no pool member qualifies. */
  cache: { version: string; target: CompiledTarget | null; choice: CheapestChoice } | null;
}

interface CompiledRule {
  id: string;
  spec: RoutingRuleSpec;
  model: RegExp | undefined;
  provider: string | undefined;
  attribution: readonly (readonly [keyof Attribution, string])[];
  apis: ReadonlySet<RoutableApi>;
  time: { days: number; from: number; to: number; clock: ZoneClock } | undefined;
  budget: { name: string; atLeast: number } | undefined;
  target: CompiledTarget | undefined;
  split: CompiledSplit | undefined;
  cheapest: CompiledCheapest | undefined;
  fallbacks: CompiledTarget[] | undefined;
}

interface CompiledChain {
  model: RegExp;
  provider: string | undefined;
  chain: CompiledTarget[];
}

export interface RoutingTableDeps {
  router: ProviderRouter;
  book: PriceBookSource;
  capabilities: CapabilityTable;
  budgets?: BudgetUsageView;
  /** Check at construction that every cheapest_capable pool has a qualifying model (default true). */
  checkPools?: boolean;
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const NO_APIS: ReadonlySet<RoutableApi> = new Set(ROUTABLE_APIS);
const MAX_MODEL_NAME = 256;

export class RoutingTable {
  readonly retry: RetryPolicy;
  private readonly rules: CompiledRule[];
  private readonly chains: CompiledChain[];

  constructor(
    readonly section: RoutingSection,
    private readonly deps: RoutingTableDeps,
  ) {
    this.retry = retryPolicyFrom(section.retry);
    this.rules = section.rules.map((r, i) => this.compileRule(r, `routing.rules[${i}] (${r.id})`));
    this.chains = section.fallbacks.map((f, i) => ({
      model: globToRegExp(f.match),
      provider: f.provider,
      chain: f.chain.map((t, j) => compileTarget(t, deps.router, `routing.fallbacks[${i}].chain[${j}]`)),
    }));
    // Validate every cheapest_capable pool against today's price book now: an empty choice is a config mistake.
    if (deps.checkPools !== false) for (const r of this.rules) if (r.cheapest) this.cheapestTarget(r.cheapest, `routing.rules (${r.id})`, true);
  }

  /** True when there is nothing to decide (no rules, no fallbacks, no retries): the gateway skips routing. */
  get idle(): boolean {
    return this.rules.length === 0 && this.chains.length === 0 && this.retry.maxAttempts <= 1;
  }

  get hasRules(): boolean {
    return this.rules.length > 0;
  }

  /** The first rule that matches the call, and the target it picks; undefined when none matches. */
  decide(call: RoutingCall): RoutingDecision | undefined {
    const api = call.route.api;
    if (this.rules.length === 0 || !isRoutableApi(api)) return undefined;
    for (const r of this.rules) {
      if (!r.apis.has(api)) continue;
      // A model name no provider uses (longer than MAX_MODEL_NAME) never meets a pattern: it is client input, and a regex over megabytes is not.
      if (r.model !== undefined && (call.model === null || call.model.length > MAX_MODEL_NAME || !r.model.test(call.model))) continue;
      if (r.provider !== undefined && r.provider !== (call.route.name ?? call.route.provider)) continue;
      let ok = true;
      for (const [field, value] of r.attribution) {
        if (call.attribution[field] !== value) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (r.time !== undefined && !inWindow(r.time, call.now)) continue;
      if (r.budget !== undefined) {
        const used = this.deps.budgets?.usedFraction(r.budget.name, call.now);
        if (used === undefined || used < r.budget.atLeast) continue;
      }
      let target: CompiledTarget | null | undefined = r.target;
      let arm: string | null = null;
      if (r.split) {
        const b = splitBucket(call.traceId ?? call.requestId, r.split.total);
        const hit = r.split.arms.find((a) => b < a.upTo) ?? r.split.arms[r.split.arms.length - 1];
        target = hit?.target;
        arm = hit?.name ?? null;
      } else if (r.cheapest) {
        target = this.cheapestTarget(r.cheapest, r.id, false);
      }
      const plan = target?.plans[api];
      // A target that cannot serve this client shape leaves the rule unmatched (the next may).
      if (!target || !plan) continue;
      return { ruleId: r.id, arm, plan, target };
    }
    return undefined;
  }

  /**
   * Where a call goes after `failed` (a provider/model) gave up: the rule's own fallbacks, else
   * the first `fallbacks:` entry whose pattern matches the failed model (and provider, if named).
   */
  fallbacksFor(decision: RoutingDecision | undefined, provider: string, model: string | null): readonly CompiledTarget[] {
    if (decision?.ruleId) {
      const rule = this.rules.find((r) => r.id === decision.ruleId);
      if (rule?.fallbacks) return rule.fallbacks;
    }
    if (model === null) return [];
    for (const c of this.chains) {
      if (c.provider !== undefined && c.provider !== provider) continue;
      if (c.model.test(model)) return c.chain;
    }
    return [];
  }

  /** The cheapest-capable choice of every rule that has one, with each candidate's verdict (GET /api/routing/rules). */
  explain(): { rule: string; pool: string; chosen: PoolModel | null; candidates: CheapestChoice['candidates'] }[] {
    const out = [];
    for (const r of this.rules) {
      if (!r.cheapest) continue;
      this.cheapestTarget(r.cheapest, r.id, false);
      const c = r.cheapest.cache;
      out.push({ rule: r.id, pool: r.cheapest.pool, chosen: c?.choice.chosen ?? null, candidates: c?.choice.candidates ?? [] });
    }
    return out;
  }

  private cheapestTarget(c: CompiledCheapest, where: string, strict: boolean): CompiledTarget | null {
    const book: PriceBook = this.deps.book.current();
    if (c.cache?.version === book.version) return c.cache.target;
    const choice = cheapestCapable(c.members, c.needs, book, this.deps.capabilities, c.reference, new Date());
    let target: CompiledTarget | null = null;
    if (choice.chosen) target = compileTarget({ provider: choice.chosen.provider, model: choice.chosen.model }, this.deps.router, `${where}.cheapest_capable`);
    else if (strict) throw new Error(`${where}.cheapest_capable: no model in pool "${c.pool}" meets ${JSON.stringify(c.needs)} (${choice.candidates.map((m) => `${m.provider}/${m.model}: ${m.excluded ?? 'ok'}`).join('; ')})`);
    c.cache = { version: book.version, target, choice };
    return target;
  }

  private compileRule(r: RoutingRuleSpec, where: string): CompiledRule {
    const m = r.match;
    const attribution: (readonly [keyof Attribution, string])[] = [];
    for (const f of ATTRIBUTION_MATCH_FIELDS) {
      const v = m[f];
      if (v !== undefined) attribution.push([f, v]);
    }
    const apis: readonly RoutableApi[] | undefined = m.api === undefined ? undefined : [m.api];
    let time: CompiledRule['time'];
    if (m.time) {
      let clock: ZoneClock;
      try {
        clock = new ZoneClock(m.time.timezone);
      } catch {
        throw new Error(`${where}.match.time.timezone: "${m.time.timezone}" is not an IANA time zone`);
      }
      let days = 0;
      for (const d of m.time.days ?? WEEKDAYS) days |= 1 << WEEKDAYS.indexOf(d);
      time = { days, from: minutes(m.time.from), to: minutes(m.time.to), clock };
    }
    const compile = (t: Parameters<typeof compileTarget>[0], key: string) => compileTarget(t, this.deps.router, `${where}.${key}`, apis);
    let cheapest: CompiledCheapest | undefined;
    if (r.cheapest_capable) {
      const pool = this.section.pools[r.cheapest_capable.pool];
      if (!pool) throw new Error(`${where}.cheapest_capable.pool: no pool "${r.cheapest_capable.pool}" under routing.pools (known: ${Object.keys(this.section.pools).join(', ') || 'none'})`);
      const members = pool.models.map((pm) => {
        const slash = pm.indexOf('/');
        return { provider: pm.slice(0, slash), model: pm.slice(slash + 1) };
      });
      members.forEach((pm, i) => compileTarget(pm, this.deps.router, `routing.pools.${r.cheapest_capable?.pool}.models[${i}]`, apis));
      cheapest = { pool: r.cheapest_capable.pool, members, needs: r.cheapest_capable.requires, reference: pool.reference_call ?? DEFAULT_REFERENCE_CALL, cache: null };
    }
    let split: CompiledSplit | undefined;
    if (r.split) {
      let upTo = 0;
      const arms = r.split.map((a, i) => {
        upTo += a.weight;
        return { name: a.arm, upTo, target: compile(a, `split[${i}]`) };
      });
      split = { arms: arms.filter((a, i) => (r.split?.[i]?.weight ?? 0) > 0), total: upTo };
    }
    return {
      id: r.id,
      spec: r,
      model: m.model === undefined ? undefined : globToRegExp(m.model),
      provider: m.provider,
      attribution,
      apis: apis ? new Set(apis) : NO_APIS,
      time,
      budget: m.budget ? { name: m.budget.name, atLeast: m.budget.used_at_least } : undefined,
      target: r.target ? compile(r.target, 'target') : undefined,
      split,
      cheapest,
      fallbacks: r.fallbacks?.map((t, i) => compile(t, `fallbacks[${i}]`)),
    };
  }
}

function inWindow(t: NonNullable<CompiledRule['time']>, now: number): boolean {
  const local = t.clock.at(now);
  if ((t.days & (1 << local.weekday)) === 0) return false;
  const m = local.minute;
  // An end before the start wraps past midnight (22:00–06:00).
  return t.from <= t.to ? m >= t.from && m < t.to : m >= t.from || m < t.to;
}
