/** `POST /api/retention/apply`: delete raw records older than N days (or count them, dry run). */
import { z } from 'zod';
import type { ApiRouter } from '../http/api-router.js';
import type { Store } from '../store/store.js';
import { asBadRequest } from '../analytics/as-bad-request.js';
import { applyRetention } from './retention.js';

/** What these routes need from the process (the server's RuntimeContext satisfies it). */
export interface RetentionRoutesDeps {
  store: Store;
}

const RetentionBody = z.object({ days: z.number().int().positive(), dry_run: z.boolean().default(false) }).strict();

export function registerRetentionRoutes(api: ApiRouter, ctx: RetentionRoutesDeps): void {
  api.add({
    method: 'POST',
    path: '/api/retention/apply',
    summary: 'Delete raw ledger records that started more than `days` days ago; dry_run counts them instead',
    tag: 'Ledger',
    access: 'admin',
    body: RetentionBody,
    handler: async (req) => ({ body: await asBadRequest(async () => applyRetention(ctx.store, { days: req.body.days, dryRun: req.body.dry_run })) }),
  });
}
