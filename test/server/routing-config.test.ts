/**
 * The serve config's provider and routing sections: parsed from YAML, turned into router options
 * with the environment, every mistake reported with its key; and a whole Costrail process started
 * from such a file routes to a named provider, by model pattern, and to a SigV4-verifying Bedrock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadServeConfig, ServeConfigSchema } from '../../src/config/serve-config.js';
import { routingFromConfig } from '../../src/config/routing-config.js';
import { startCostrail } from '../../src/server/costrail-runtime.js';
import { SIM_AWS_CREDENTIALS, startSimulator } from '../../src/simulator/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const cfg = (v: unknown) => ServeConfigSchema.parse(v);

test('named providers, held keys from the environment, Bedrock credentials from config or AWS_* env, routes', () => {
  const setup = routingFromConfig(
    cfg({
      providers: {
        openai: { base_url: 'http://127.0.0.1:1/v1' },
        myllm: { base_url: 'http://10.0.0.5:8000/v1/', kind: 'openai-compatible', api_key_env: 'MYLLM_KEY' },
        bedrock: { region: 'eu-west-1', access_key_id: 'AKIACONFIG', secret_access_key: 'config-secret' },
      },
      routes: [{ match: 'llama-*', provider: 'myllm' }],
    }),
    { MYLLM_KEY: 'k-123' },
  );
  assert.deepEqual(setup.upstreams, { openai: 'http://127.0.0.1:1/v1' });
  assert.deepEqual(setup.named, { myllm: { baseUrl: 'http://10.0.0.5:8000/v1', apiKey: 'k-123' } });
  assert.deepEqual(setup.bedrock, { region: 'eu-west-1', credentials: { accessKeyId: 'AKIACONFIG', secretAccessKey: 'config-secret' } });
  assert.deepEqual(setup.routes, [{ match: 'llama-*', provider: 'myllm' }]);

  const env = routingFromConfig(cfg({}), { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't', AWS_REGION: 'us-west-2' });
  assert.deepEqual(env.bedrock, { region: 'us-west-2', credentials: { accessKeyId: 'AKIAENV', secretAccessKey: 's', sessionToken: 't' } });
  assert.deepEqual(routingFromConfig(cfg({}), {}).bedrock, { region: 'us-east-1' });
  // COSTRAIL_<NAME>_BASE_URL overrides a named provider's base_url, as for built-ins.
  const over = routingFromConfig(cfg({ providers: { my_llm: { base_url: 'http://a/v1', kind: 'openai-compatible' } } }), { COSTRAIL_MY_LLM_BASE_URL: 'http://b/v1' });
  assert.equal(over.named['my_llm']?.baseUrl, 'http://b/v1');
});

test('config mistakes name their key, and never echo a secret', () => {
  const bad: [unknown, RegExp][] = [
    [{ providers: { myllm: { base_url: 'http://x/v1' } } }, /providers\.myllm\.kind/],
    [{ providers: { myllm: { base_url: 'http://x/v1', kind: 'openai-compatible', api_key_env: 'NOPE_NOT_SET' } } }, /NOPE_NOT_SET is not set/],
    [{ providers: { myllm: { kind: 'openai-compatible' } } }, /providers\.myllm\.base_url/],
    [{ providers: { openai: { base_url: 'http://x/v1', region: 'us-east-1' } } }, /providers\.openai\.region/],
    [{ providers: { mistral: { base_url: 'http://x/v1', kind: 'openai-compatible' } } }, /built in/],
    [{ providers: { api: { base_url: 'http://x/v1', kind: 'openai-compatible' } } }, /reserved/],
    [{ providers: { 'My LLM': { base_url: 'http://x/v1', kind: 'openai-compatible' } } }, /lowercase/],
    [{ providers: { bedrock: { access_key_id: 'AKIAHALF' } } }, /both access_key_id and secret_access_key/],
    [{ routes: [{ match: 'x-*', provider: 'gemini-vertex' }] }, /routes: .*gemini-vertex/],
    [{ routes: [{ match: 'x-*', provider: 'cohere' }] }, /routes: .*OpenAI-shaped/],
  ];
  for (const [v, re] of bad) assert.throws(() => routingFromConfig(cfg(v), {}), re, JSON.stringify(v));
  try {
    routingFromConfig(cfg({ providers: { bedrock: { secret_access_key: 'very-secret-value' } } }), {});
    assert.fail('half credentials must be refused');
  } catch (e) {
    assert.ok(!(e as Error).message.includes('very-secret-value'));
  }
});

test('a Costrail process started from a YAML config routes to a named provider, by model, and to Bedrock', async () => {
  const sim = await startSimulator();
  const dir = tempDir('costrail-routing-');
  const file = join(dir, 'costrail.yaml');
  writeFileSync(
    file,
    [
      'providers:',
      `  openai: { base_url: "${sim.url}/v1" }`,
      `  mistral: { base_url: "${sim.url}/v1" }`,
      `  bedrock: { base_url: "${sim.url}", region: us-east-1, access_key_id: ${SIM_AWS_CREDENTIALS.accessKeyId}, secret_access_key: "${SIM_AWS_CREDENTIALS.secretAccessKey}" }`,
      '  labgpu:',
      `    base_url: "${sim.url}/v1"`,
      '    kind: openai-compatible',
      'routes:',
      '  - match: "mistral-*"',
      '    provider: mistral',
      '',
    ].join('\n'),
  );
  const rt = await startCostrail({ port: 0, dataDir: join(dir, 'data'), routing: routingFromConfig(loadServeConfig(file), {}), quiet: true });
  try {
    const post = (path: string, body: unknown) => fetch(rt.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x' }, body: JSON.stringify(body) });
    const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'hello' }] });
    for (const r of [await post('/labgpu/v1/chat/completions', chat('qwen-local')), await post('/v1/chat/completions', chat('mistral-small-2603')), await post('/bedrock/model/amazon.nova-lite-v1%3A0/converse', { messages: [{ role: 'user', content: [{ text: 'hi' }] }] })]) {
      assert.equal(r.status, 200, await r.clone().text());
      await r.arrayBuffer();
    }
    const metrics = await (await fetch(`${rt.url}/metrics`, { headers: { authorization: `Bearer ${rt.adminToken}` } })).text();
    assert.match(metrics, /costrail_unpriced_requests_total\{provider="labgpu",model="qwen-local"\} 1/);
    assert.match(metrics, /costrail_cost_usd_total\{provider="mistral",model="mistral-small-2603",team="[^"]*"\} [\d.e-]+/);
    assert.match(metrics, /costrail_cost_usd_total\{provider="bedrock",model="amazon\.nova-lite-v1:0",team="[^"]*"\} [\d.e-]+/);
  } finally {
    await rt.close();
    await sim.close();
  }
});
