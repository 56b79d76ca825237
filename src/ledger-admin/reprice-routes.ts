/** `POST /api/reprice`: re-price a period with the price book and overrides as they are now. */
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { Store } from '../store/store.js';
import type { CurrentPriceBook } from '../pricing/current-price-book.js';
import { parseRange } from '../analytics/instant.js';
import { asBadRequest } from '../analytics/as-bad-request.js';
import { repriceLedger } from './reprice.js';

/** What these routes need from the process (the server's RuntimeContext satisfies it). */
export interface RepriceRoutesDeps {
  store: Store;
  prices: CurrentPriceBook;
}

const RepriceBody = z.object({ from: z.string(), to: z.string(), dry_run: z.boolean().default(false), reason: z.string().min(1).max(500).optional() }).strict();

export function registerRepriceRoutes(api: ApiRouter, ctx: RepriceRoutesDeps): void {
  api.add({
    method: 'POST',
    path: '/api/reprice',
    summary: 'Re-price records of a period with the current price book and overrides; old figures kept in the audit trail; dry_run changes nothing',
    tag: 'Ledger',
    access: 'admin',
    body: RepriceBody,
    handler: async (req) => {
      const range = await asBadRequest(async () => parseRange(req.body.from, req.body.to));
      // Read the price files now: an override written after the server started (even by hand) must count.
      let book;
      try {
        book = ctx.prices.reload();
      } catch (e) {
        throw new ApiError(422, 'invalid_price_book', (e as Error).message);
      }
      const result = await asBadRequest(async () => repriceLedger(ctx.store, { ...range, dryRun: req.body.dry_run, book, reason: req.body.reason }));
      return { body: result };
    },
  });
}
