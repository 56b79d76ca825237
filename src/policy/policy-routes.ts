/**
 * /api/budgets, /api/rate-limits, /api/kill-switches, /api/allow-lists, /api/trace-guards.
 * Writes need the admin token; a scoped token reads only rules inside its own scope.
 */
import type { ZodType } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { Principal } from '../http/principal.js';
import type { PolicyService } from './policy-service.js';
import { AllowListInputSchema, BudgetInputSchema, KillSwitchInputSchema, RateLimitInputSchema, TraceGuardInputSchema, type PolicyKind, type PolicyRules, type Scope } from './policy-schemas.js';
import { BudgetListSchema, BudgetStatusSchema, DeletedSchema } from './policy-api-schemas.js';

const TAG = 'Budgets and policy';

function visible(p: Principal, scope: Scope): boolean {
  for (const [k, v] of Object.entries(p.scope)) if (scope[k] !== v) return false;
  return true;
}

interface RuleRoutes {
  kind: PolicyKind;
  list: keyof PolicyRules;
  path: string;
  noun: string;
  schema: ZodType<{ id?: string | undefined; scope: Scope }>;
  extra?: () => Record<string, unknown>;
}

export function registerPolicyRoutes(api: ApiRouter, policy: PolicyService): void {
  const budgetStatus = async (id: string) => {
    const b = (await policy.budgetStatuses()).find((s) => s.id === id);
    if (!b) throw ApiError.notFound(`no budget "${id}"`);
    return b;
  };
  api.add({
    method: 'POST',
    path: '/api/budgets',
    summary: 'Create a budget (USD or tokens, per period, with thresholds and an action at 100%)',
    tag: TAG,
    body: BudgetInputSchema,
    response: BudgetStatusSchema,
    successStatus: 201,
    handler: async (req) => {
      if (req.body.id && policy.find('budget', req.body.id)) throw ApiError.conflict(`budget "${req.body.id}" exists; PUT /api/budgets/${req.body.id} to change it`);
      const spec = await policy.put('budget', req.body);
      return { status: 201, body: await budgetStatus(spec.id) };
    },
  });
  api.add({
    method: 'GET',
    path: '/api/budgets',
    summary: 'Budgets with spent, reserved, remaining, resets_at and thresholds crossed',
    tag: TAG,
    access: 'read',
    response: BudgetListSchema,
    handler: async (req) => ({ body: { budgets: (await policy.budgetStatuses()).filter((b) => visible(req.principal, b.scope)) } }),
  });
  api.add({
    method: 'GET',
    path: '/api/budgets/{id}',
    summary: 'One budget and its current period',
    tag: TAG,
    access: 'read',
    response: BudgetStatusSchema,
    handler: async (req) => {
      const b = await budgetStatus(req.params['id'] ?? '');
      if (!visible(req.principal, b.scope)) throw ApiError.notFound(`no budget "${b.id}"`);
      return { body: b };
    },
  });
  api.add({
    method: 'PUT',
    path: '/api/budgets/{id}',
    summary: 'Replace a budget (its current period keeps counting)',
    tag: TAG,
    body: BudgetInputSchema,
    response: BudgetStatusSchema,
    handler: async (req) => {
      const id = req.params['id'] ?? '';
      if (!policy.find('budget', id)) throw ApiError.notFound(`no budget "${id}"`);
      await policy.put('budget', { ...req.body, id });
      return { body: await budgetStatus(id) };
    },
  });
  api.add({
    method: 'DELETE',
    path: '/api/budgets/{id}',
    summary: 'Delete a budget',
    tag: TAG,
    response: DeletedSchema,
    handler: async (req) => {
      const id = req.params['id'] ?? '';
      if (!(await policy.remove('budget', id))) throw ApiError.notFound(`no budget "${id}"`);
      return { body: { deleted: id } };
    },
  });

  const simple: RuleRoutes[] = [
    { kind: 'rate_limit', list: 'rateLimits', path: '/api/rate-limits', noun: 'rate limit (rpm, tpm, usd_per_minute per scope)', schema: RateLimitInputSchema },
    { kind: 'kill_switch', list: 'killSwitches', path: '/api/kill-switches', noun: 'kill switch (refuses every call in its scope at once)', schema: KillSwitchInputSchema, extra: () => ({ set_at: new Date().toISOString() }) },
    { kind: 'allow_list', list: 'allowLists', path: '/api/allow-lists', noun: 'model allow-list (patterns with * wildcards, provider/model)', schema: AllowListInputSchema },
    { kind: 'trace_guard', list: 'traceGuards', path: '/api/trace-guards', noun: 'runaway guard (max calls and USD per trace_id)', schema: TraceGuardInputSchema },
  ];
  for (const r of simple) {
    const field = r.path.slice(5).replace(/-/g, '_');
    api.add({
      method: 'POST',
      path: r.path,
      summary: `Create a ${r.noun}`,
      tag: TAG,
      body: r.schema,
      handler: async (req) => {
        if (req.body.id && policy.find(r.kind, req.body.id)) throw ApiError.conflict(`${r.kind} "${req.body.id}" exists`);
        return { status: 201, body: await policy.put(r.kind, req.body, r.extra?.()) };
      },
    });
    api.add({
      method: 'GET',
      path: r.path,
      summary: `List every ${r.noun.split(' (')[0]}`,
      tag: TAG,
      access: 'read',
      handler: (req) => ({ body: { [field]: (policy.list(r.list) as { scope: Scope }[]).filter((x) => visible(req.principal, x.scope)) } }),
    });
    api.add({
      method: 'DELETE',
      path: `${r.path}/{id}`,
      summary: `Delete (lift) a ${r.noun.split(' (')[0]}`,
      tag: TAG,
      handler: async (req) => {
        const id = req.params['id'] ?? '';
        if (!(await policy.remove(r.kind, id))) throw ApiError.notFound(`no ${r.kind} "${id}"`);
        return { body: { deleted: id } };
      },
    });
  }
}
