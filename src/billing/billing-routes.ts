/**
 * `POST /api/import/billing`: one billing export as the request body (JSON pages as
 * `application/json`, GCP JSON Lines as `application/x-ndjson`, CSV as `text/csv`), so
 * `costrail import billing` works while a server owns the store. Parquet and files over the API's
 * body limit are imported in-process (`--data`, server stopped). All-or-nothing unless
 * `skip_invalid=true`; re-sending the same export changes nothing.
 *
 * `GET /api/reconciliation`: the ledger against the imported bill (src/billing/reconciliation.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { Store } from '../store/store.js';

import { BilledLineError } from './billed-line-fields.js';
import { FORMAT_CHOICES, importBillingFile, type FormatChoice } from './billing-import.js';
import { reconcile, parseReconciliationQuery } from './reconciliation.js';
import { BillingImportResultSchema, BillingPullInputSchema, BillingPullResultSchema, BillingPullsSchema, ReconciliationSchema } from './billing-api-schemas.js';
import type { BillingPullService } from './pull/billing-pull-service.js';
import { parseRange } from '../analytics/instant.js';
import { asBadRequest } from '../analytics/as-bad-request.js';

/** What the routes use of the runtime. */
export interface BillingRoutesDeps {
  store: Store;
  billingPulls: BillingPullService;
}

export function registerBillingRoutes(api: ApiRouter, ctx: BillingRoutesDeps): void {
  api.add({
    method: 'POST',
    path: '/api/import/billing',
    summary: 'Import a provider billing export (OpenAI costs, Anthropic cost report, AWS CUR 2.0, Azure cost details, GCP billing, FOCUS) as billed line items',
    tag: 'Billing',
    access: 'admin',
    response: BillingImportResultSchema,
    queryParams: {
      format: `one of ${FORMAT_CHOICES.join(', ')} (default auto: detected from the content)`,
      skip_invalid: 'true: import the valid lines and report the invalid ones; otherwise any invalid line refuses the whole export',
      file: 'the export\'s file name, recorded with each line (default "upload")',
    },
    handler: async (req) => {
      const format = (req.query.get('format') ?? 'auto') as FormatChoice;
      if (!(FORMAT_CHOICES as readonly string[]).includes(format)) throw ApiError.badRequest(`format must be one of ${FORMAT_CHOICES.join(', ')}`);
      const label = (req.query.get('file') ?? 'upload').slice(0, 200);
      let text: string;
      if (typeof req.body === 'string') text = req.body;
      else if (req.body !== undefined && req.body !== null) text = JSON.stringify(req.body);
      else throw ApiError.badRequest('send the export as the request body (application/json, application/x-ndjson or text/csv)');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-billing-'));
      const file = path.join(dir, 'export');
      try {
        fs.writeFileSync(file, text);
        const result = await importBillingFile(ctx.store, file, { format, skipInvalid: req.query.get('skip_invalid') === 'true', fileLabel: label });
        if (result.status === 'refused') {
          const first = result.invalid[0];
          throw new ApiError(400, 'invalid_lines', `${result.invalid_count} invalid line(s), first line ${first?.line}: ${first?.error}; nothing imported (pass skip_invalid=true to import the rest)`, result.invalid);
        }
        return { body: result };
      } catch (e) {
        if (e instanceof BilledLineError) throw ApiError.badRequest(e.message.replace(file, label));
        throw e;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  });

  api.add({
    method: 'GET',
    path: '/api/reconciliation',
    summary: 'Observed (ledger) vs billed (imported exports) spend per provider and day, the gap exactly, its explanations, and coverage',
    tag: 'Billing',
    access: 'admin',
    response: ReconciliationSchema,
    queryParams: {
      from: 'inclusive start, ISO 8601 (required)',
      to: 'exclusive end, ISO 8601 (required)',
      by: 'provider,day (default), optionally with model or account: provider,day,model',
      tz: 'IANA time zone for days (default UTC)',
      trend: 'day (default) | week: the buckets of coverage_trend',
    },
    handler: async (req) => {
      const q = parseReconciliationQuery({ from: req.query.get('from'), to: req.query.get('to'), by: req.query.get('by'), tz: req.query.get('tz'), trend: req.query.get('trend') });
      if ('error' in q) throw ApiError.badRequest(q.error);
      return { body: await reconcile(ctx.store, q) };
    },
  });

  api.add({
    method: 'POST',
    path: '/api/billing/pull',
    summary: "Pull a provider's cost report from its admin API (OpenAI Costs, Anthropic cost_report) and import it as billed line items",
    tag: 'Billing',
    access: 'admin',
    body: BillingPullInputSchema,
    response: BillingPullResultSchema,
    handler: async (req) => {
      const range = await asBadRequest(async () => parseRange(req.body.from, req.body.to));
      const run = ctx.billingPulls.pull(req.body.provider, range);
      if (!run) throw ApiError.badRequest(`no admin key for ${req.body.provider}: set COSTRAIL_${req.body.provider.toUpperCase()}_ADMIN_KEY where the server runs`);
      const result = await run;
      if (result.status === 'failed') throw new ApiError(502, 'billing_pull_failed', result.error ?? 'the admin API failed');
      if (result.status === 'refused') throw new ApiError(502, 'billing_pull_refused', result.error ?? 'the admin API returned invalid lines', result.import?.invalid);
      return { body: result };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/billing/pulls',
    summary: 'Providers with an admin key, and the recent billing pulls of this process (scheduled daily in serve, or on demand)',
    tag: 'Billing',
    access: 'admin',
    response: BillingPullsSchema,
    handler: () => ({ body: { configured: ctx.billingPulls.configured(), pulls: ctx.billingPulls.log.list() } }),
  });
}
