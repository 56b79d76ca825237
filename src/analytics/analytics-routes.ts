/** Everything the analytics area mounts under /api (imports, reports, exports, re-pricing, retention). */
import type { ApiRouter } from '../http/api-router.js';
import type { RuntimeContext } from '../server/runtime-context.js';
import { registerExportRoutes } from '../reports/export-routes.js';
import { registerImportRoutes } from '../ledger-admin/import-routes.js';
import { registerReportRoutes } from '../reports/report-routes.js';
import { registerRepriceRoutes } from '../ledger-admin/reprice-routes.js';
import { registerRetentionRoutes } from '../ledger-admin/retention-routes.js';

export function registerAnalyticsRoutes(api: ApiRouter, ctx: RuntimeContext): void {
  registerImportRoutes(api, ctx);
  registerReportRoutes(api, ctx);
  registerExportRoutes(api, ctx);
  registerRepriceRoutes(api, ctx);
  registerRetentionRoutes(api, ctx);
}
