/**
 * A moving alias through the gateway: Mistral echoes `mistral-small-latest`; the call is priced as,
 * and recorded under, the dated model the alias meant that day, with the alias kept as requested.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import OpenAI from 'openai';
import { Gateway } from '../../src/gateway/gateway.js';
import { ProviderRouter } from '../../src/gateway/provider-router.js';
import { createCostrailServer } from '../../src/server/http-server.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { priceUsage } from '../../src/pricing/cost.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { startSimulator } from '../../src/simulator/index.js';

const records: LedgerRecord[] = [];
const book = loadPriceBook();
let sim: Awaited<ReturnType<typeof startSimulator>>;
let server: Server;
let gateway: Gateway;
let base: string;

before(async () => {
  sim = await startSimulator();
  const upstreams = { mistral: `${sim.url}/v1` };
  gateway = new Gateway({ upstreams, book, sink: { write: (r) => records.push(r) }, router: new ProviderRouter({ upstreams }) });
  server = createCostrailServer({ gateway });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await gateway.close();
  await sim.close();
});

test('mistral-small-latest is recorded as mistral-small-2603 (model) and priced at its rates', async () => {
  const m = new OpenAI({ baseURL: `${base}/mistral/v1`, apiKey: 'mistral-key' });
  const data = await m.chat.completions.create({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'Bonjour' }] });
  assert.equal(data.model, 'mistral-small-latest', 'the provider echoes the alias');
  for (let i = 0; i < 50 && records.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(records.length, 1);
  const r = records[0] as LedgerRecord;
  assert.equal(r.model_requested, 'mistral-small-latest');
  assert.equal(r.model, 'mistral-small-2603');
  assert.equal(r.priced, true, r.unpriced_reason ?? '');
  assert.ok(r.usage);
  const direct = priceUsage(book, { provider: 'mistral', model: 'mistral-small-2603', usage: r.usage, at: new Date(r.started_at) });
  assert.equal(r.cost?.total, direct.cost?.total);
});
