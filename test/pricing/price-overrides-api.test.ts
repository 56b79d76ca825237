/**
 * /api/price-overrides through a running gateway: a discount added over the API prices the very
 * next call (exact decimals) without a restart, /healthz's price_version moves, removing it restores
 * the list price; custom prices, validation, admin-only access, hand edits picked up, and the
 * bodies match the documented response schemas.
 */
import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { ZodType } from 'zod';
import { overridesPath } from '../../src/pricing/catalog-loader.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { AddedDiscountSchema, CatalogSchemaOut, OverrideListSchema, RemovedOverrideSchema, SetCustomPriceResponseSchema } from '../../src/pricing/price-overrides-api-schemas.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('price overrides API', () => {
  let rt: CostrailRuntime;
  let sim: Simulator;
  let dataDir: string;

  const api = async (method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(rt.url + path, { method, headers: { authorization: `Bearer ${token ?? rt.adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  };
  /** One chat call through the gateway; the simulator's usage is deterministic, so only the prices differ between calls. */
  const callCost = async (model = 'gpt-4o-mini'): Promise<string> => {
    const res = await fetch(`${rt.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'price me the same every time' }], max_tokens: 20 }),
    });
    await res.text();
    assert.equal(res.status, 200);
    const cost = res.headers.get('x-costrail-cost');
    assert.ok(cost, 'the call is priced');
    return cost;
  };
  const priceVersion = async (): Promise<string> => ((await (await fetch(`${rt.url}/healthz`)).json()) as { price_version: string }).price_version;
  const conforms = (schema: ZodType, json: unknown, what: string): void => {
    const parsed = schema.safeParse(json);
    assert.ok(parsed.success, `${what}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))}`);
    assert.deepEqual(parsed.data, json, `${what}: the schema drops or changes fields`);
  };

  before(async () => {
    dataDir = tempDir('costrail-price-overrides-');
    sim = await startSimulator({ chunkDelayMs: 1 });
    rt = await startCostrail({ port: 0, dataDir, quiet: true, upstreams: { openai: `${sim.url}/v1` } });
  });
  after(async () => {
    await rt.close();
    await sim.close();
  });

  it('a discount added over the API prices the next call only, exactly, and removing it restores list price', async () => {
    const list = await callCost();
    const v0 = await priceVersion();

    const added = await api('POST', '/api/price-overrides/discounts', { provider: 'openai', models: ['gpt-4o-mini*'], percent: '25%', effective_from: '2026-01-01', note: 'contract 42' });
    assert.equal(added.status, 201, JSON.stringify(added.json));
    conforms(AddedDiscountSchema, added.json, 'POST /api/price-overrides/discounts');
    const body = added.json as { discount: { id: string; percent: string }; price_version: string; reprice: { from: string; to: string } };
    assert.equal(body.discount.percent, '25');
    assert.equal(body.reprice.from, '2026-01-01');
    assert.ok(body.reprice.to > new Date().toISOString().slice(0, 10), 'the suggested range includes today');
    assert.notEqual(await priceVersion(), v0, '/healthz names the new prices');
    assert.equal(await priceVersion(), body.price_version);

    const discounted = await callCost();
    assert.equal(discounted, Decimal.parse(list).mul(Decimal.parse('0.75')).toString());
    assert.equal(await callCost('gpt-4o'), await callCost('gpt-4o'), 'other models untouched (and stable)');

    const listed = await api('GET', '/api/price-overrides');
    conforms(OverrideListSchema, listed.json, 'GET /api/price-overrides');
    assert.deepEqual((listed.json as { discounts: { id: string; note: string }[] }).discounts.map((d) => [d.id, d.note]), [[body.discount.id, 'contract 42']]);

    const removed = await api('DELETE', `/api/price-overrides/${body.discount.id}`);
    assert.equal(removed.status, 200);
    conforms(RemovedOverrideSchema, removed.json, 'DELETE /api/price-overrides/{id}');
    assert.equal(await callCost(), list);
    assert.equal(await priceVersion(), v0, 'same prices, same version');
    assert.equal((await api('DELETE', `/api/price-overrides/${body.discount.id}`)).status, 404);
  });

  it('a custom price for a self-hosted model prices its calls and appears in the catalog; DELETE takes provider/model', async () => {
    const set = await api('POST', '/api/price-overrides/custom-prices', { provider: 'OpenAI', model: 'ft:gpt-4o-mini:acme:support:1', input: '0.30', output: '1.20', cache_read: '0.15', effective_from: '2026-01-01' });
    assert.equal(set.status, 201, JSON.stringify(set.json));
    conforms(SetCustomPriceResponseSchema, set.json, 'POST /api/price-overrides/custom-prices');
    const custom = (set.json as { custom_price: { id: string; prices: { rates: Record<string, string> }[] } }).custom_price;
    assert.equal(custom.id, 'openai/ft:gpt-4o-mini:acme:support:1');
    assert.deepEqual(custom.prices[0]?.rates, { input: '0.30', output: '1.20', cache_read: '0.15' });

    const catalog = await api('GET', '/api/prices');
    conforms(CatalogSchemaOut, catalog.json, 'GET /api/prices');
    const row = (catalog.json as { models: { model: string; custom: boolean; input: string | null }[] }).models.find((m) => m.model === 'ft:gpt-4o-mini:acme:support:1');
    assert.deepEqual([row?.custom, row?.input], [true, '0.30']);

    assert.equal((await api('DELETE', `/api/price-overrides/${encodeURIComponent(custom.id)}`)).status, 200);
    assert.equal((await api('GET', '/api/price-overrides')).json && ((await api('GET', '/api/price-overrides')).json as { custom_prices: unknown[] }).custom_prices.length, 0);
  });

  it('refuses bad input with the field named, and scoped tokens entirely', async () => {
    const bad = await api('POST', '/api/price-overrides/discounts', { percent: 120 });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.json), /percent/);
    assert.equal((await api('POST', '/api/price-overrides/custom-prices', { provider: 'x', model: 'y', input: '-1', output: '1' })).status, 400);
    assert.equal((await api('POST', '/api/price-overrides/discounts', { percent: 10, effective_from: '2026-02-01', effective_to: '2026-01-01' })).status, 400);

    const token = await api('POST', '/api/tokens', { name: 'team view', scope: { team: 'search' } });
    const secret = (token.json as { secret: string }).secret;
    assert.equal((await api('GET', '/api/price-overrides', undefined, secret)).status, 403, 'negotiated discounts are confidential');
    assert.equal((await api('POST', '/api/price-overrides/discounts', { percent: 10 }, secret)).status, 403);
    assert.equal((await api('GET', '/api/prices', undefined, secret)).status, 200, 'list prices are public knowledge');
  });

  it('a hand edit of the overrides file is picked up without a restart; a broken one keeps the previous prices', async () => {
    const list = await callCost();
    writeFileSync(overridesPath(dataDir), JSON.stringify({ discounts: [{ provider: 'openai', percent: 10, effective_from: '2026-01-01' }] }));
    // The runtime polls the file's mtime; call the same check directly instead of waiting for a tick.
    utimesSync(overridesPath(dataDir), new Date(), new Date(Date.now() + 5_000));
    assert.equal(rt.context.prices.reloadIfChanged(), true);
    assert.equal(await callCost(), Decimal.parse(list).mul(Decimal.parse('0.9')).toString());

    writeFileSync(overridesPath(dataDir), '{ "discounts": [ { "percent": "lots" } ] }');
    utimesSync(overridesPath(dataDir), new Date(), new Date(Date.now() + 10_000));
    assert.throws(() => rt.context.prices.reloadIfChanged(), /invalid overrides/);
    assert.equal(await callCost(), Decimal.parse(list).mul(Decimal.parse('0.9')).toString(), 'previous prices still in force');
    writeFileSync(overridesPath(dataDir), '{}');
    rt.context.prices.reload();
  });
});
