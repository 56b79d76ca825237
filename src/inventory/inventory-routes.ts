/**
 * The AI spend inventory over the management API:
 * - `POST /api/import/expenses`: a card / expense CSV export as the body (`text/csv`), so
 *   `costrail import expenses` works while a server owns the store;
 * - `GET /api/inventory/sources`, `PUT /api/inventory/sources/{id}` (status, owner, seats, renewal);
 * - `GET /api/inventory/review`, `POST /api/inventory/review/{hash}` (confirm or reject);
 * - `GET|POST /api/inventory/rules`: descriptor rules, consulted before the catalog;
 * - `GET /api/inventory/findings`: findings with the monthly dollars they would save;
 * - `GET /api/ai-spend`: one total over the ledger, billed lines and expenses (src/inventory/ai-spend.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { Store } from '../store/store.js';
import type { ExpenseRule, SpendSource } from '../store/spend-source.js';
import { ExpenseInputError, parseRates } from './expense-fields.js';
import { importExpensesFile } from './expense-import.js';
import { AI_SPEND_DIMENSIONS, aiSpend, type AiSpendDimension } from './ai-spend.js';
import { inventoryFindings } from './inventory-findings.js';
import { AiSpendResultSchema, InventoryFindingsSchema, ExpenseImportResultSchema, ExpenseLineSchema, ExpenseRuleSchema, ReviewDecisionSchema, SpendSourceSchema } from './inventory-api-schemas.js';

/** What the routes use of the runtime. */
export interface InventoryRoutesDeps {
  store: Store;
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
    handler: async () => ({ body: { sources: await ctx.store.inventory.sources() } }),
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
    handler: async () => ({ body: { lines: await ctx.store.inventory.lines({ state: 'review' }) } }),
  });

  api.add<z.infer<typeof ReviewDecisionSchema>>({
    method: 'POST',
    path: '/api/inventory/review/{hash}',
    summary: 'Confirm a queued line as a vendor (a manual match, counted from then on) or reject it as not AI',
    tag: 'Inventory',
    access: 'admin',
    body: ReviewDecisionSchema,
    response: z.strictObject({ line_hash: z.string(), state: z.enum(['matched', 'rejected']) }),
    handler: async (req) => {
      const hash = req.params['hash'] ?? '';
      if (!(await ctx.store.inventory.decide(hash, req.body))) throw ApiError.notFound(`no expense line ${hash}`);
      return { body: { line_hash: hash, state: 'confirm' in req.body ? 'matched' : 'rejected' } };
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
    access: 'admin',
    queryParams: {
      from: 'inclusive start, ISO 8601 (required)',
      to: 'exclusive end, ISO 8601 (required)',
      by: `one of ${AI_SPEND_DIMENSIONS.join(', ')} (default category)`,
    },
    response: AiSpendResultSchema,
    handler: async (req) => {
      const from = req.query.get('from');
      const to = req.query.get('to');
      const by = req.query.get('by') ?? 'category';
      if (!from || !to || !Number.isFinite(Date.parse(from)) || !Number.isFinite(Date.parse(to))) throw ApiError.badRequest('from and to are required ISO 8601 dates or instants');
      if (Date.parse(from) >= Date.parse(to)) throw ApiError.badRequest('from must be before to');
      if (!(AI_SPEND_DIMENSIONS as readonly string[]).includes(by)) throw ApiError.badRequest(`by must be one of ${AI_SPEND_DIMENSIONS.join(', ')}`);
      return { body: await aiSpend(ctx.store, { from: new Date(from).toISOString(), to: new Date(to).toISOString(), by: by as AiSpendDimension }) };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/inventory/findings',
    summary: 'Findings with money on them over the 30 days before as_of: duplicate channels, unsanctioned vendors, overlapping tools per team and category, renewals in the next 60 days',
    tag: 'Inventory',
    access: 'admin',
    queryParams: { as_of: 'end of the 30-day window and start of the 60-day renewal horizon, ISO 8601 (default now)' },
    response: InventoryFindingsSchema,
    handler: async (req) => {
      const asOf = req.query.get('as_of') ?? new Date().toISOString();
      if (!Number.isFinite(Date.parse(asOf))) throw ApiError.badRequest('as_of must be an ISO 8601 date or instant');
      return { body: { as_of: new Date(asOf).toISOString(), findings: await inventoryFindings(ctx.store, asOf) } };
    },
  });
}
