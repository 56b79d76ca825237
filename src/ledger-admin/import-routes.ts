/**
 * `POST /api/import/ledger`: a JSON Lines body of ledger records (content type
 * `application/x-ndjson`), so `costrail import ledger` works while a server owns the store.
 * One request is all-or-nothing unless `skip_invalid=true`.
 */
import { checkLines, toLedgerRecord } from '../ledger/ledger-import.js';
import { firstOfEachId } from '../ledger/ledger-import-file.js';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { Store } from '../store/store.js';
import type { CurrentPriceBook } from '../pricing/current-price-book.js';
import type { LedgerRecord } from '../ledger/ledger-record.js';

/** What these routes need from the process (the server's RuntimeContext satisfies it). */
export interface ImportRoutesDeps {
  store: Store;
  prices: CurrentPriceBook;
  /** Holds of SDK calls admitted by `POST /api/admission`: their records settle them. */
  admission?: { settle(record: LedgerRecord): void };
}

const INSERT_BATCH = 5000;

export function registerImportRoutes(api: ApiRouter, ctx: ImportRoutesDeps): void {
  api.add({
    method: 'POST',
    path: '/api/import/ledger',
    summary: 'Import ledger records (JSON Lines body, content-type application/x-ndjson); idempotent by id',
    tag: 'Ledger',
    access: 'admin',
    queryParams: {
      skip_invalid: 'true: insert the valid lines and report the invalid ones; otherwise any invalid line refuses the whole body',
      first_line: 'line number of the body\'s first line in the caller\'s file, for error reports (default 1)',
    },
    handler: async (req) => {
      if (typeof req.body !== 'string') throw ApiError.badRequest('send the records as JSON Lines with content-type application/x-ndjson');
      const firstLine = Number(req.query.get('first_line') ?? '1');
      if (!Number.isInteger(firstLine) || firstLine < 1) throw ApiError.badRequest('first_line must be a positive integer');
      const skip = req.query.get('skip_invalid') === 'true';
      const { read, valid, invalid } = checkLines(req.body.split('\n'), firstLine);
      if (invalid.length > 0 && !skip) {
        const first = invalid[0];
        throw new ApiError(400, 'invalid_lines', `${invalid.length} invalid line(s), first line ${first?.line}: ${first?.error}; nothing imported (pass skip_invalid=true to import the rest)`, invalid);
      }
      const unique = firstOfEachId(valid);
      let inserted = 0;
      for (let i = 0; i < unique.length; i += INSERT_BATCH) {
        const records = unique.slice(i, i + INSERT_BATCH).map((r) => toLedgerRecord(r, ctx.prices.current()));
        inserted += (await ctx.store.insertRecords(records)).inserted;
        if (ctx.admission) for (const r of records) ctx.admission.settle(r);
      }
      return { body: { read, inserted, duplicates: read - invalid.length - inserted, invalid } };
    },
  });
}
