/**
 * /api/prices (the catalog in force) and /api/price-overrides (negotiated discounts and custom
 * prices). Changes go through the same file logic as `costrail prices override` and reload the
 * running price book, so the next call is priced with them; calls already recorded change only
 * through /api/reprice, which each change's response suggests.
 */
import { ZodError } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { CurrentPriceBook } from './current-price-book.js';
import { zodMessage } from './catalog-loader.js';
import type { ModelPrice, Rates } from './catalog-schema.js';
import { addDiscount, readOverrides, removeOverride, setCustomPrice } from './override-file.js';
import type { Discount } from './overrides.js';
import {
  AddDiscountBody,
  AddedDiscountSchema,
  CatalogSchemaOut,
  OverrideListSchema,
  RemovedOverrideSchema,
  SetCustomPriceBody,
  SetCustomPriceResponseSchema,
} from './price-overrides-api-schemas.js';

/** What these routes need from the process (the server's RuntimeContext satisfies it). */
export interface PriceOverrideRoutesDeps {
  dataDir: string;
  prices: CurrentPriceBook;
}

const today = () => new Date().toISOString().slice(0, 10);

/** From the override's first day to tomorrow (exclusive end), so today's calls are included. */
export function repriceSuggestion(from: string): { from: string; to: string; endpoint: '/api/reprice' } {
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  return { from, to: from < tomorrow ? tomorrow : from, endpoint: '/api/reprice' };
}

function discountJson(d: Discount) {
  return { id: d.id ?? null, provider: d.provider ?? null, models: d.models ?? null, percent: d.percent, effective_from: d.effective_from, effective_to: d.effective_to ?? null, note: d.note ?? null };
}

function customJson(m: ModelPrice) {
  return { id: `${m.provider}/${m.model}`, provider: m.provider, model: m.model, prices: m.prices.map((p) => ({ effective_from: p.effective_from, ...(p.source ? { source: p.source } : {}), rates: { ...p.rates } as Record<string, string> })) };
}

/** File or schema problems as 400s that name the field; a failed reload as 422 (the file was written but the book refused it). */
function editing<T>(ctx: PriceOverrideRoutesDeps, fn: () => T): { result: T; version: string } {
  let result: T;
  try {
    result = fn();
  } catch (e) {
    if (e instanceof ZodError) throw ApiError.badRequest(zodMessage(e));
    throw ApiError.badRequest((e as Error).message);
  }
  try {
    return { result, version: ctx.prices.reload().version };
  } catch (e) {
    throw new ApiError(422, 'invalid_price_book', `saved, but the price book could not be reloaded: ${(e as Error).message}`);
  }
}

export function registerPriceOverrideRoutes(api: ApiRouter, ctx: PriceOverrideRoutesDeps): void {
  api.add({
    method: 'GET',
    path: '/api/prices',
    summary: 'The price catalog in force now (built-in, imported and custom prices): rates per 1M tokens and the period start',
    tag: 'Prices',
    access: 'read',
    response: CatalogSchemaOut,
    handler: () => {
      const book = ctx.prices.current();
      const custom = new Set(readOverridesSafe(ctx).map((m) => `${m.provider}/${m.model}`));
      const now = Date.now();
      const models = book.list().map((e) => {
        let p = e.prices[0];
        for (const x of e.prices) if (Date.parse(x.effective_from) <= now) p = x;
        const r: Rates = p?.rates ?? {};
        return { provider: e.provider, model: e.model, input: r.input ?? null, output: r.output ?? null, cache_read: r.cache_read ?? null, cache_write: r.cache_write ?? null, effective_from: p?.effective_from ?? null, custom: custom.has(`${e.provider}/${e.model}`) };
      });
      return { body: { price_version: book.version, models } };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/price-overrides',
    summary: 'Negotiated discounts and custom prices (from <data>/price-overrides.json), each with the id DELETE takes',
    tag: 'Prices',
    response: OverrideListSchema,
    handler: () => {
      let o;
      try {
        o = readOverrides(ctx.dataDir);
      } catch (e) {
        throw new ApiError(422, 'invalid_price_book', (e as Error).message);
      }
      return { body: { price_version: ctx.prices.current().version, discounts: o.discounts.map(discountJson), custom_prices: o.models.map(customJson) } };
    },
  });

  api.add({
    method: 'POST',
    path: '/api/price-overrides/discounts',
    summary: 'Add a percent discount off list prices (provider, model patterns, dates); new calls are priced with it at once. The response suggests the reprice range for calls already recorded',
    tag: 'Prices',
    body: AddDiscountBody,
    response: AddedDiscountSchema,
    successStatus: 201,
    handler: (req) => {
      const b = req.body;
      const from = b.effective_from ?? today();
      const { result, version } = editing(ctx, () =>
        addDiscount(ctx.dataDir, { percent: b.percent, effective_from: from, ...(b.provider ? { provider: b.provider } : {}), ...(b.models?.length ? { models: b.models } : {}), ...(b.effective_to ? { effective_to: b.effective_to } : {}), ...(b.note ? { note: b.note } : {}) }),
      );
      return { status: 201, body: { discount: discountJson(result), price_version: version, reprice: repriceSuggestion(from) } };
    },
  });

  api.add({
    method: 'POST',
    path: '/api/price-overrides/custom-prices',
    summary: 'Set a custom price for a fine-tuned, self-hosted or corrected model from a date (replaces that model\'s custom price for the same date)',
    tag: 'Prices',
    body: SetCustomPriceBody,
    response: SetCustomPriceResponseSchema,
    successStatus: 201,
    handler: (req) => {
      const b = req.body;
      const from = b.effective_from ?? today();
      const rates: Rates = { input: b.input, output: b.output, ...(b.cache_read ? { cache_read: b.cache_read } : {}), ...(b.cache_write ? { cache_write: b.cache_write } : {}) };
      const { result, version } = editing(ctx, () => setCustomPrice(ctx.dataDir, { provider: b.provider, model: b.model, rates, effective_from: from, source: `POST /api/price-overrides/custom-prices (${today()})` }));
      return { status: 201, body: { custom_price: customJson(result), price_version: version, reprice: repriceSuggestion(from) } };
    },
  });

  api.add({
    method: 'DELETE',
    path: '/api/price-overrides/{id}',
    summary: 'Remove a discount (disc_…) or a custom price (provider/model, slash URL-encoded); new calls are priced without it at once',
    tag: 'Prices',
    response: RemovedOverrideSchema,
    handler: (req) => {
      const id = req.params['id'] ?? '';
      const { result, version } = editing(ctx, () => removeOverride(ctx.dataDir, id));
      if (!result) throw ApiError.notFound(`no price override "${id}" (GET /api/price-overrides lists them)`);
      return { body: { removed: id, price_version: version } };
    },
  });
}

/** Which models have custom prices; an unreadable file marks none (GET /api/price-overrides reports the problem). */
function readOverridesSafe(ctx: PriceOverrideRoutesDeps): ModelPrice[] {
  try {
    return readOverrides(ctx.dataDir).models;
  } catch {
    return [];
  }
}
