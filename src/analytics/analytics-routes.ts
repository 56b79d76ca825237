/** Everything the analytics area mounts under /api (imports, reports, exports, re-pricing, retention). */
import type { ApiRouter } from '../http/api-router.js';
import type { RuntimeContext } from '../server/runtime-context.js';
import { registerExportRoutes } from './export-routes.js';
import { registerImportRoutes } from './import-routes.js';
import { registerReportRoutes } from './report-routes.js';
import { registerRepriceRoutes } from './reprice-routes.js';
import { registerRetentionRoutes } from './retention-routes.js';

export function registerAnalyticsRoutes(api: ApiRouter, ctx: RuntimeContext): void {
  registerImportRoutes(api, ctx);
  registerReportRoutes(api, ctx);
  registerExportRoutes(api, ctx);
  registerRepriceRoutes(api, ctx);
  registerRetentionRoutes(api, ctx);
}
