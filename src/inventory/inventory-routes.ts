/**
 * The AI spend inventory over the management API:
 * - `POST /api/import/expenses`: a card / expense CSV export as the body (`text/csv`), so
 *   `costrail import expenses` works while a server owns the store;
 * - `GET /api/inventory/sources`, `PUT /api/inventory/sources/{id}` (status, owner, seats, renewal);
 * - `GET /api/inventory/review`, `POST /api/inventory/review/{hash}` (confirm, adding a descriptor
 *   rule, or reject);
 * - `GET|POST /api/inventory/rules`: descriptor rules, consulted before the catalog;
 * - `GET /api/inventory/findings`: findings with the monthly dollars they would save;
 * - `GET /api/ai-spend`: one total over the ledger, billed lines and expenses (src/inventory/ai-spend.ts),
 *   and `GET /api/ai-spend/trend`: the same dollars per day, week or month;
 * - `GET /api/seats`: imported seats with idle / duplicate flags.
 * Writes need the admin token; a token scoped to a team reads that team's spend, queue and seats.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { Principal } from '../http/principal.js';
import type { Store } from '../store/store.js';
import type { ExpenseRule, SpendSource } from '../store/spend-source.js';
import { ExpenseInputError, parseRates } from './expense-fields.js';
import { importExpensesFile } from './expense-import.js';
import { AI_SPEND_DIMENSIONS, aiSpend, type AiSpendDimension } from './ai-spend.js';
import { inventoryFindings } from './inventory-findings.js';
import { AiSpendResultSchema, AiSpendTrendSchema, InventoryFindingsSchema, ExpenseImportResultSchema, ExpenseLineSchema, ExpenseRuleSchema, ReviewDecisionSchema, ReviewOutcomeSchema, SeatListSchema, SpendSourceSchema } from './inventory-api-schemas.js';
import { aiSpendTrend, TREND_GRANULARITIES, type TrendGranularity } from './ai-spend-trend.js';
import { decideReview, ReviewInputError } from './review-decision.js';
import { seatList } from './seat-list.js';

/** What the routes use of the runtime. */
export interface InventoryRoutesDeps {
  store: Store;
  /** Vendor / category budgets are re-evaluated after imported spend changes (alerts at thresholds). */
  policy?: { evaluateImportedBudgets(): Promise<number> };
}

/**
 * The team a caller may read: undefined for the admin (everything); a scoped token must be scoped
 * to a team, since imported spend is attributed by team (cost centre) only.
 */
function teamOf(p: Principal): string | undefined {
  if (p.kind === 'admin') return undefined;
  const keys = Object.keys(p.scope);
  const team = p.scope['team'];
  if (team === undefined || keys.length !== 1) throw ApiError.forbidden(`imported AI spend is attributed by team only: this token is scoped to ${keys.join(', ') || 'nothing'}; use a token scoped to one team`);
  return team;
}

/** The window query (from, to), validated. */
function windowOf(query: URLSearchParams): { from: string; to: string } {
  const from = query.get('from');
  const to = query.get('to');
  if (!from || !to || !Number.isFinite(Date.parse(from)) || !Number.isFinite(Date.parse(to))) throw ApiError.badRequest('from and to are required ISO 8601 dates or instants');
  if (Date.parse(from) >= Date.parse(to)) throw ApiError.badRequest('from must be before to');
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** The admin may ask for one team (`team=`); a scoped token always gets its own. */
function teamFilter(req: { principal: Principal; query: URLSearchParams }): string | undefined {
  const own = teamOf(req.principal);
  const asked = req.query.get('team') ?? undefined;
  if (own !== undefined && asked !== undefined && asked !== own) throw ApiError.forbidden(`team: this token is scoped to team=${own}`);
  return own ?? asked;
}

/** Imported spend changed: vendor / category budgets may have crossed a threshold. */
async function spendChanged(ctx: InventoryRoutesDeps): Promise<void> {
  await ctx.policy?.evaluateImportedBudgets().catch(() => 0);
}

export function registerInventoryRoutes(api: ApiRouter, ctx: InventoryRoutesDeps): void {
  api.add({
    method: 'POST',
    path: '/api/import/expenses',
    summary: 'Import a card-transaction or expense-report CSV export: AI lines matched to vendors, AI-looking unknowns queued for review, the rest counted',
    tag: 'Inventory',
    access: 'admin',
    response: ExpenseImportResultSchema,
    queryParams: {
      map: 'COLUMN=FIELD, repeatable: read FIELD (date, descriptor, amount, currency, amount_usd, employee, cost_centre, memo) from COLUMN',
      rates: 'CUR=USD_PER_UNIT, repeatable (e.g. EUR=1.08): the only way a non-USD line without its own USD amount gets a dollar figure',
      channel: 'card (default) or expense',
      skip_invalid: 'true: import the valid rows and report the invalid ones; otherwise any invalid row refuses the whole file',
      file: 'the export\'s file name, recorded with each line (default "upload")',
    },
    handler: async (req) => {
      if (typeof req.body !== 'string' || req.body.length === 0) throw ApiError.badRequest('send the CSV export as the request body (text/csv)');
      const channel = req.query.get('channel') ?? 'card';
      if (channel !== 'card' && channel !== 'expense') throw ApiError.badRequest('channel must be card or expense');
      const label = (req.query.get('file') ?? 'upload').slice(0, 200);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-expenses-'));
      const file = path.join(dir, 'export.csv');
      try {
        fs.writeFileSync(file, req.body);
        const result = await importExpensesFile(ctx.store, file, { map: req.query.getAll('map'), rates: parseRates(req.query.getAll('rates')), channel, skipInvalid: req.query.get('skip_invalid') === 'true', fileLabel: label });
        if (result.status === 'refused') {
          const first = result.invalid[0];
          throw new ApiError(400, 'invalid_lines', `${result.invalid_count} invalid row(s), first line ${first?.line}: ${first?.error}; nothing imported (pass skip_invalid=true to import the rest)`, result.invalid);
        }
        if (result.inserted > 0) await spendChanged(ctx);
        return { body: result };
      } catch (e) {
        if (e instanceof ExpenseInputError) throw ApiError.badRequest(e.message);
        throw e;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  });

  api.add({
    method: 'GET',
    path: '/api/inventory/sources',
    summary: 'Every known AI spend source: vendor, product, category, channel, owner, seats, run-rate, renewal, status',
    tag: 'Inventory',
    access: 'read',
    response: z.strictObject({ sources: z.array(SpendSourceSchema) }),
    handler: async (req) => {
      const team = teamOf(req.principal);
      const sources = await ctx.store.inventory.sources();
      return { body: { sources: team === undefined ? sources : sources.filter((s) => s.owner_team === team) } };
    },
  });

  api.add<SpendSource>({
    method: 'PUT',
    path: '/api/inventory/sources/{id}',
    summary: 'Create or replace a spend source (set status sanctioned/unsanctioned, owner, seats, run-rate, renewal)',
    tag: 'Inventory',
    access: 'admin',
    body: SpendSourceSchema,
    response: SpendSourceSchema,
    handler: async (req) => {
      if (req.body.source_id !== req.params['id']) throw ApiError.badRequest('source_id in the body must match the path');
      if (req.body.seats_active !== null && req.body.seats_purchased !== null && req.body.seats_active > req.body.seats_purchased) throw ApiError.badRequest('seats_active cannot exceed seats_purchased');
      await ctx.store.inventory.upsertSource(req.body);
      return { body: req.body };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/inventory/review',
    summary: 'The review queue: AI-looking expense lines not yet confirmed or rejected (not counted as spend)',
    tag: 'Inventory',
    access: 'read',
    response: z.strictObject({ lines: z.array(ExpenseLineSchema) }),
    handler: async (req) => {
      const team = teamOf(req.principal);
      const lines = await ctx.store.inventory.lines({ state: 'review' });
      return { body: { lines: team === undefined ? lines : lines.filter((l) => l.cost_centre === team) } };
    },
  });

  api.add<z.infer<typeof ReviewDecisionSchema>>({
    method: 'POST',
    path: '/api/inventory/review/{hash}',
    summary: 'Confirm a queued line as a vendor (counted from then on; adds a descriptor rule so later lines match, and confirms the queued lines it matches) or reject it as not AI',
    tag: 'Inventory',
    access: 'admin',
    body: ReviewDecisionSchema,
    response: ReviewOutcomeSchema,
    handler: async (req) => {
      const hash = req.params['hash'] ?? '';
      try {
        const outcome = await decideReview(ctx.store, hash, req.body);
        if (!outcome) throw ApiError.notFound(`no expense line ${hash}`);
        if (outcome.state === 'matched') await spendChanged(ctx);
        return { body: outcome };
      } catch (e) {
        if (e instanceof ReviewInputError) throw ApiError.badRequest(e.message);
        throw e;
      }
    },
  });

  api.add({
    method: 'GET',
    path: '/api/inventory/rules',
    summary: 'Descriptor rules: descriptors starting with a pattern belong to a vendor (consulted before the catalog)',
    tag: 'Inventory',
    access: 'read',
    response: z.strictObject({ rules: z.array(ExpenseRuleSchema) }),
    handler: async () => ({ body: { rules: await ctx.store.inventory.rules() } }),
  });

  api.add<ExpenseRule>({
    method: 'POST',
    path: '/api/inventory/rules',
    summary: 'Add or replace a descriptor rule (applies to later imports)',
    tag: 'Inventory',
    access: 'admin',
    body: ExpenseRuleSchema,
    response: ExpenseRuleSchema,
    successStatus: 201,
    handler: async (req) => {
      await ctx.store.inventory.putRule(req.body);
      return { status: 201, body: req.body };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/ai-spend',
    summary: 'All AI spend in one total: metered API spend (ledger), billed API spend (replacing the ledger where a bill exists for the provider and day) and matched card / expense spend, never a dollar twice',
    tag: 'Inventory',
    access: 'read',
    queryParams: {
      from: 'inclusive start, ISO 8601 (required)',
      to: 'exclusive end, ISO 8601 (required)',
      by: `one of ${AI_SPEND_DIMENSIONS.join(', ')} (default category); status: sanctioned, unsanctioned (shadow) or under_review`,
      team: 'only this team\'s spend (a team-scoped token always gets its own)',
    },
    response: AiSpendResultSchema,
    handler: async (req) => {
      const w = windowOf(req.query);
      const by = req.query.get('by') ?? 'category';
      if (!(AI_SPEND_DIMENSIONS as readonly string[]).includes(by)) throw ApiError.badRequest(`by must be one of ${AI_SPEND_DIMENSIONS.join(', ')}`);
      const team = teamFilter(req);
      return { body: await aiSpend(ctx.store, { ...w, by: by as AiSpendDimension, ...(team === undefined ? {} : { team }) }) };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/ai-spend/trend',
    summary: 'All AI spend per day, week (from Monday) or month, split by category: the same dollars as GET /api/ai-spend',
    tag: 'Inventory',
    access: 'read',
    queryParams: {
      from: 'inclusive start, ISO 8601 (required)',
      to: 'exclusive end, ISO 8601 (required)',
      granularity: `one of ${TREND_GRANULARITIES.join(', ')} (default day)`,
      team: 'only this team\'s spend (a team-scoped token always gets its own)',
    },
    response: AiSpendTrendSchema,
    handler: async (req) => {
      const w = windowOf(req.query);
      const granularity = req.query.get('granularity') ?? 'day';
      if (!(TREND_GRANULARITIES as readonly string[]).includes(granularity)) throw ApiError.badRequest(`granularity must be one of ${TREND_GRANULARITIES.join(', ')}`);
      const team = teamFilter(req);
      return { body: await aiSpendTrend(ctx.store, { ...w, granularity: granularity as TrendGranularity, ...(team === undefined ? {} : { team }) }) };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/seats',
    summary: 'Imported seats with their tool, team, last activity, price and idle / duplicate flags',
    tag: 'Inventory',
    access: 'read',
    queryParams: { as_of: 'end of the 30-day activity window, ISO 8601 (default now)' },
    response: SeatListSchema,
    handler: async (req) => {
      const asOf = req.query.get('as_of') ?? new Date().toISOString();
      if (!Number.isFinite(Date.parse(asOf))) throw ApiError.badRequest('as_of must be an ISO 8601 date or instant');
      const team = teamOf(req.principal);
      const seats = await seatList(ctx.store, Date.parse(asOf));
      return { body: { as_of: new Date(asOf).toISOString(), seats: team === undefined ? seats : seats.filter((x) => x.team === team) } };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/inventory/findings',
    summary: 'Findings with money on them over the 30 days before as_of: duplicate channels, unsanctioned vendors, overlapping tools per team and category, renewals in the next 60 days',
    tag: 'Inventory',
    access: 'read',
    queryParams: { as_of: 'end of the 30-day window and start of the 60-day renewal horizon, ISO 8601 (default now)' },
    response: InventoryFindingsSchema,
    handler: async (req) => {
      const asOf = req.query.get('as_of') ?? new Date().toISOString();
      if (!Number.isFinite(Date.parse(asOf))) throw ApiError.badRequest('as_of must be an ISO 8601 date or instant');
      const team = teamOf(req.principal);
      const findings = await inventoryFindings(ctx.store, asOf);
      return { body: { as_of: new Date(asOf).toISOString(), findings: team === undefined ? findings : findings.filter((f) => f.team === team) } };
    },
  });
}
