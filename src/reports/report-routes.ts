/** `GET /api/reports/showback`: the showback/chargeback report for one month. */
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { Store } from '../store/store.js';
import { parseAllocationRule } from '../analytics/allocation.js';
import { asBadRequest } from '../analytics/as-bad-request.js';
import { isShowbackFormat, renderShowback } from './showback-render.js';
import { buildShowback } from './showback.js';

/** What these routes need from the process (the server's RuntimeContext satisfies it). */
export interface ReportRoutesDeps {
  store: Store;
}

const list = (v: string | null): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export function registerReportRoutes(api: ApiRouter, ctx: ReportRoutesDeps): void {
  api.add({
    method: 'GET',
    path: '/api/reports/showback',
    summary: 'Showback/chargeback for a month: spend per owner with model breakdown, change vs the previous month, drivers, unattributed and shared spend allocated on separate lines',
    tag: 'Reports',
    access: 'admin',
    queryParams: {
      period: 'month, YYYY-MM (required)',
      by: 'owner dimensions, comma-separated (default team), e.g. team,feature',
      allocate: 'none (default) | proportional | even | fixed:team=60,ops=40',
      shared: 'values of the first dimension whose spend is shared, comma-separated (e.g. platform)',
      tz: 'IANA time zone of the month boundaries (default UTC)',
      format: 'json (default) | md | csv | html',
    },
    handler: async (req) => {
      const period = req.query.get('period');
      if (!period) throw ApiError.badRequest('period is required, e.g. period=2026-10');
      const format = req.query.get('format') ?? 'json';
      if (!isShowbackFormat(format)) throw ApiError.badRequest(`format must be json, md, csv or html, not "${format}"`);
      const report = await asBadRequest(async () =>
        buildShowback(ctx.store, {
          period,
          by: list(req.query.get('by') ?? 'team'),
          allocate: parseAllocationRule(req.query.get('allocate') ?? undefined),
          shared: list(req.query.get('shared')),
          tz: req.query.get('tz') ?? undefined,
        }),
      );
      if (format === 'json') return { body: report };
      const out = renderShowback(report, format);
      return { text: { contentType: out.contentType, content: out.content, filename: `showback-${report.period.label}.${out.extension}` } };
    },
  });
}
