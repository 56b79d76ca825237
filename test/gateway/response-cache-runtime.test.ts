/**
 * The response cache as `serve` runs it: the `cache:` section of the config file (strict, named
 * errors), the runtime opening the in-process store, and the savings reaching `GET /api/spend`
 * (rows and total, exact) once the ledger has the ok and the cached record.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { request } from 'undici';
import { resolveServeSettings } from '../../src/config/serve-settings.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('costrail-cache-config-');
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('cache: section: defaults, strict keys, bad values named', () => {
  const on = resolveServeSettings({ config: file('on.yaml', 'cache:\n  enabled: true\n  scope: team\n  features: [faq]\n') }, {});
  assert.deepEqual(on.cache, { enabled: true, ttl_seconds: 3600, max_entries: 10_000, max_bytes: 268_435_456, max_entry_bytes: 1_048_576, scope: 'team', features: ['faq'], any_temperature: false });
  assert.equal(resolveServeSettings({}, {}).cache, undefined);
  assert.throws(() => resolveServeSettings({ config: file('typo.yaml', 'cache:\n  ttl: 60\n') }, {}), (e: Error) => /unknown key "cache\.ttl"/.test(e.message) && e.message.includes('ttl_seconds'));
  assert.throws(() => resolveServeSettings({ config: file('scope.yaml', 'cache:\n  scope: everyone\n') }, {}), /scope must be one of key, team, global/);
  assert.throws(() => resolveServeSettings({ config: file('ttl.yaml', 'cache:\n  ttl_seconds: 0\n') }, {}), /ttl_seconds must be a positive integer/);
  assert.throws(() => resolveServeSettings({ config: file('size.yaml', 'cache:\n  max_bytes: 1000\n  max_entry_bytes: 2000\n') }, {}), /max_entry_bytes must not exceed max_bytes/);
});

let sim: Simulator;
let rt: CostrailRuntime;
before(async () => {
  sim = await startSimulator();
  const settings = resolveServeSettings({ config: file('serve.yaml', 'cache:\n  enabled: true\n') }, {});
  rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-cache-rt-'), quiet: true, upstreams: { openai: `${sim.url}/v1` }, cache: settings.cache });
});
after(async () => {
  await rt.close();
  await sim.close();
});

test('a hit through serve: GET /api/spend shows the saving in its row and total, exactly the cost of the original call', async () => {
  const client = new OpenAI({ apiKey: 'sk-runtime', baseURL: `${rt.url}/v1`, maxRetries: 0, defaultHeaders: { 'x-costrail-team': 'support' } });
  const ask = { model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'user' as const, content: 'How do refunds work?' }] };
  const first = await client.chat.completions.create(ask).withResponse();
  const second = await client.chat.completions.create(ask).withResponse();
  assert.equal(second.response.headers.get('x-costrail-cache'), 'hit');
  const cost = first.response.headers.get('x-costrail-cost');
  assert.ok(cost && cost !== '0');
  await rt.writer.flush();
  const res = await request(`${rt.url}/api/spend?group_by=team,status`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
  assert.equal(res.statusCode, 200);
  const body = (await res.body.json()) as { rows: Record<string, unknown>[]; total: Record<string, unknown> };
  const byStatus = Object.fromEntries(body.rows.map((r) => [String(r['status']), r]));
  assert.equal(byStatus['ok']?.['cost'], cost);
  assert.equal(byStatus['ok']?.['saved'], '0');
  assert.equal(byStatus['cached']?.['cost'], '0');
  assert.equal(byStatus['cached']?.['saved'], cost);
  assert.equal(byStatus['cached']?.['team'], 'support');
  assert.equal(body.total['saved'], cost);
  assert.equal(body.total['requests'], 2);
});
