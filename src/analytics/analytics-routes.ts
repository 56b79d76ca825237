/** Everything the analytics area mounts under /api (imports, reports, exports, re-pricing, retention). */
import type { ApiRouter } from '../server/api/api-router.js';
import type { RuntimeContext } from '../server/runtime-context.js';
import { registerImportRoutes } from './import-routes.js';

export function registerAnalyticsRoutes(api: ApiRouter, ctx: RuntimeContext): void {
  registerImportRoutes(api, ctx);
}
