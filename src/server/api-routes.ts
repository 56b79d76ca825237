/**
 * Everything mounted under /api, in one list. Each domain owns its routes file
 * (`src/<domain>/<domain>-routes.ts`) and adds one line here.
 */
import { registerLedgerRoutes } from '../analytics/ledger-routes.js';
import { registerImportRoutes } from '../ledger-admin/import-routes.js';
import { registerReportRoutes } from '../reports/report-routes.js';
import { registerExportRoutes } from '../reports/export-routes.js';
import { registerRepriceRoutes } from '../ledger-admin/reprice-routes.js';
import { registerRetentionRoutes } from '../ledger-admin/retention-routes.js';
import { registerPolicyRoutes } from '../policy/policy-routes.js';
import { registerAdmissionRoutes } from '../policy/admission-routes.js';
import type { ApiRouter } from '../http/api-router.js';
import type { RuntimeContext } from './runtime-context.js';
import { registerKeysRoutes } from '../keys/keys-routes.js';
import { registerAlertRoutes } from '../alerts/alerts-routes.js';
import { registerPriceOverrideRoutes } from '../pricing/price-overrides-routes.js';
import { registerBillingRoutes } from '../billing/billing-routes.js';
import { registerEconomicsRoutes } from '../economics/economics-routes.js';
import { registerAdvisorRoutes } from '../advisor/advisor-routes.js';
import { registerInventoryRoutes } from '../inventory/inventory-routes.js';
import { registerEvalRoutes } from '../evaluation/eval-routes.js';
import { registerGpuRoutes } from '../inventory/gpu-routes.js';
import { registerRoutingRoutes } from '../routing/routing-routes.js';

export function registerApiRoutes(api: ApiRouter, ctx: RuntimeContext): void {
  registerAlertRoutes(api, ctx);
  api.add({
    method: 'GET',
    path: '/api/whoami',
    summary: 'The calling token: admin, or a scoped token and its scope',
    tag: 'Access',
    access: 'read',
    handler: (req) => ({ body: { kind: req.principal.kind, token_id: req.principal.token_id, scope: req.principal.scope, store: ctx.store.kind } }),
  });
  registerLedgerRoutes(api, ctx);
  registerKeysRoutes(api, ctx);
  registerImportRoutes(api, ctx);
  registerReportRoutes(api, ctx);
  registerExportRoutes(api, ctx);
  registerRepriceRoutes(api, ctx);
  registerRetentionRoutes(api, ctx);
  registerPolicyRoutes(api, ctx.policy);
  registerAdmissionRoutes(api, ctx);
  registerPriceOverrideRoutes(api, ctx);
  registerBillingRoutes(api, ctx);
  registerEconomicsRoutes(api, ctx);
  registerAdvisorRoutes(api, ctx);
  registerInventoryRoutes(api, ctx);
  registerEvalRoutes(api, ctx);
  registerGpuRoutes(api, ctx);
  registerRoutingRoutes(api, ctx);
}
