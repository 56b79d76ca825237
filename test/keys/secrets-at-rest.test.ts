/**
 * Security: after real traffic through a child `costrail serve` (virtual keys, held provider keys,
 * passed-through provider keys, API tokens, refused keys, upstream errors; access logs on), no
 * secret appears in clear anywhere: not in any file of the data folder (DuckDB file and WAL,
 * spool, key files), not in the tables' contents, not in the process's logs, not in /metrics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startSimulator } from '../../src/simulator/index.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const ADMIN = 'cra_security-test-admin-token';
const HELD_OPENAI = 'sk-held-openai-SECRET-5b1d77e2';
const HELD_ANTHROPIC = 'sk-ant-held-SECRET-a93c0f41';
const PASS_OPENAI = 'sk-passthrough-SECRET-42aa19bc';
const PASS_GEMINI = 'AIza-passthrough-SECRET-77c3e0d9';
const FORGED = 'cr_forgedSECRETforgedSECRETforgedSECRET00000';

async function serve(dataDir: string, env: NodeJS.ProcessEnv, config: string): Promise<{ proc: ChildProcess; url: string; logs: () => string }> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data', dataDir, '--config', config], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)\s/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    proc.once('exit', (code, signal) => reject(new Error(`serve exited (${code ?? signal}) before listening: ${out} ${err}`)));
  });
  return { proc, url, logs: () => out + err };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? (d as unknown as { path: string }).path, d.name));
}

test('no virtual key, provider key or API token in clear in the data folder, the logs or /metrics', async () => {
  const sim = await startSimulator();
  const data = tempDir('costrail-secrets-');
  const config = join(tempDir('costrail-secrets-config-'), 'costrail.yaml');
  writeFileSync(config, 'keys:\n  pass_through: true\n  provider_credentials:\n    anthropic: { env: TEST_HELD_ANTHROPIC }\n');
  const env = {
    COSTRAIL_OPENAI_BASE_URL: `${sim.url}/v1`,
    COSTRAIL_ANTHROPIC_BASE_URL: sim.url,
    COSTRAIL_GEMINI_BASE_URL: sim.url,
    COSTRAIL_ADMIN_TOKEN: ADMIN,
    COSTRAIL_LOG_LEVEL: 'debug', // access lines on: they must not leak either
    TEST_HELD_ANTHROPIC: HELD_ANTHROPIC,
  };
  const srv = await serve(data, env, config);
  const apiCall = async (method: string, path: string, body?: unknown, token = ADMIN) => {
    const res = await fetch(srv.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const secrets: string[] = [HELD_OPENAI, HELD_ANTHROPIC, PASS_OPENAI, PASS_GEMINI, FORGED];
  let metrics = '';
  let vkId = '';
  const whileRunning: [string, string][] = [];
  let responses = '';
  try {
    assert.equal((await apiCall('PUT', '/api/provider-credentials', { provider: 'openai', secret: HELD_OPENAI })).status, 200);
    const created = await apiCall('POST', '/api/keys', { team: 'search', feature: 'answer', end_pass_through: true });
    const vk = created.body['secret'] as string;
    vkId = (created.body['key'] as { id: string }).id;
    const revoked = await apiCall('POST', '/api/keys', { team: 'old' });
    const revokedKey = revoked.body['secret'] as string;
    await apiCall('DELETE', `/api/keys/${(revoked.body['key'] as { id: string }).id}`);
    const tok = await apiCall('POST', '/api/tokens', { name: 'dash', scope: { team: 'search' } });
    const token = tok.body['secret'] as string;
    secrets.push(vk, revokedKey, token);

    const openai = new OpenAI({ apiKey: vk, baseURL: `${srv.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 3; i++) await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `virtual ${i}` }] });
    for await (const _ of await openai.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream' }] })) void _;
    await new Anthropic({ apiKey: vk, baseURL: srv.url }).messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 32, messages: [{ role: 'user', content: 'held anthropic' }] });
    assert.equal(sim.lastRequests().at(-1)?.headers['x-api-key'], HELD_ANTHROPIC, 'the config credential was presented');
    await new OpenAI({ apiKey: PASS_OPENAI, baseURL: `${srv.url}/v1` }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'pass-through' }] });
    assert.equal(sim.lastRequests().at(-1)?.headers['authorization'], `Bearer ${PASS_OPENAI}`);
    const gem = await fetch(`${srv.url}/v1beta/models/gemini-2.5-flash:generateContent?key=${PASS_GEMINI}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contents: [{ parts: [{ text: 'q' }] }] }) });
    responses += await gem.text();
    for (const bad of [FORGED, revokedKey]) {
      const res = await fetch(`${srv.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${bad}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }) });
      assert.equal(res.status, 401);
      responses += await res.text();
    }
    const failing = await fetch(`${srv.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${vk}`, 'content-type': 'application/json', 'x-sim-status': '500' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }) });
    responses += await failing.text();
    assert.equal((await apiCall('GET', '/api/whoami', undefined, token)).status, 200);
    assert.equal((await apiCall('GET', '/api/whoami', undefined, `${token}x`)).status, 401);
    responses += JSON.stringify((await apiCall('GET', '/api/keys')).body) + JSON.stringify((await apiCall('GET', '/api/provider-credentials')).body) + JSON.stringify((await apiCall('GET', '/api/tokens')).body);
    metrics = await (await fetch(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    assert.match(metrics, /team="search"/, '/metrics saw the virtual-key traffic');
    assert.ok(srv.logs().includes(vkId), 'the access log names the key id');
    // While the server runs, the newest records are still in the spool (and the DuckDB WAL).
    for (const f of filesUnder(data)) whileRunning.push([`${f} (while running)`, readFileSync(f).toString('latin1')]);
    assert.ok(whileRunning.some(([f]) => f.includes('spool') && f.endsWith('.jsonl (while running)')), 'the spool was inspected');
  } finally {
    srv.proc.kill('SIGTERM');
    await once(srv.proc, 'exit');
    await sim.close();
  }

  const logs = srv.logs();
  const accessLines = logs.split('\n').filter((l) => l.includes('"msg":"gateway call"'));
  assert.ok(accessLines.length >= 10, `expected an access line per gateway call, got ${accessLines.length}`);
  for (const l of accessLines) JSON.parse(l);
  assert.ok(!/virtual \d|pass-through|held anthropic/.test(logs), 'no prompt text in the logs');

  const files = filesUnder(data);
  assert.ok(files.some((f) => f.endsWith('.duckdb')) && files.some((f) => f.endsWith('master-key')));
  assert.equal((statSync(join(data, 'master-key')).mode & 0o777).toString(8), '600');
  const store = await DuckDbStore.open(data, { readOnly: true });
  let tables = '';
  try {
    for (const t of await store.sql.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")) {
      tables += JSON.stringify(await store.sql.query(`SELECT * FROM "${String(t['table_name'])}"`));
    }
  } finally {
    await store.close();
  }
  assert.ok(tables.includes(vkId) && tables.includes('"provider":"openai"') && tables.includes('"name":"dash"'), 'the dump holds the keys, credentials and tokens tables');
  const places: [string, string][] = [
    ...whileRunning,
    ...files.map((f): [string, string] => [f, readFileSync(f).toString('latin1')]),
    ['table contents', tables],
    ['serve stdout+stderr', logs],
    ['/metrics', metrics],
    ['HTTP responses', responses],
  ];
  for (const secret of secrets) {
    for (const [where, text] of places) assert.ok(!text.includes(secret), `${secret.slice(0, 12)}… found in clear in ${where}`);
  }
});
