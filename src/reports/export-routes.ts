/** `GET /api/exports/focus`: the ledger as a FOCUS 1.2 CSV for a period. */
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { Store } from '../store/store.js';
import { buildFocusRows, focusCsv } from './focus-export.js';
import { parseRange } from '../analytics/instant.js';
import { asBadRequest } from '../analytics/as-bad-request.js';

/** What these routes need from the process (the server's RuntimeContext satisfies it). */
export interface ExportRoutesDeps {
  store: Store;
}

export function registerExportRoutes(api: ApiRouter, ctx: ExportRoutesDeps): void {
  api.add({
    method: 'GET',
    path: '/api/exports/focus',
    summary: 'FOCUS 1.2 CSV of the ledger (one row per usage kind per hour or day per provider, model and attribution set) and of imported billed line items',
    tag: 'Exports',
    access: 'admin',
    queryParams: {
      from: 'inclusive start (YYYY-MM-DD or ISO 8601)',
      to: 'exclusive end',
      grain: 'hour | day (default day)',
      billed: 'include | exclude imported billed line items (default include; x_source tells metered and billed rows apart)',
    },
    handler: async (req) => {
      const grain = req.query.get('grain') ?? 'day';
      if (grain !== 'hour' && grain !== 'day') throw ApiError.badRequest(`grain must be hour or day, not "${grain}"`);
      const billed = req.query.get('billed') ?? 'include';
      if (billed !== 'include' && billed !== 'exclude') throw ApiError.badRequest(`billed must be include or exclude, not "${billed}"`);
      const rows = await asBadRequest(async () => buildFocusRows(ctx.store, { ...parseRange(req.query.get('from'), req.query.get('to')), grain, billed: billed === 'include' }));
      return { text: { contentType: 'text/csv; charset=utf-8', content: focusCsv(rows), filename: 'focus.csv' }, headers: { 'x-costrail-rows': String(rows.length) } };
    },
  });
}
