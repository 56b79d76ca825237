/**
 * The README's quick start without real keys: `costrail simulator` in one process, `costrail serve`
 * pointed at it by the env the simulator prints, and the official SDKs with attribution in their
 * default headers.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { REPO_ROOT } from '../helpers/fixtures.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const data = mkdtempSync(join(tmpdir(), 'costrail-sim-cli-'));
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) {
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  }
  rmSync(data, { recursive: true, force: true });
});

/** Starts the CLI and resolves with the first stdout line matching `pattern`. */
function startCli(args: string[], env: NodeJS.ProcessEnv, pattern: RegExp): Promise<{ line: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => {
      if (pattern.test(l)) resolve({ line: l, stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`costrail ${args[0]} exited ${code}: ${err}`)));
  });
}

test('costrail simulator --port 0 + serve: the SDKs get answers, costs and attributed records without real keys', async () => {
  const sim = await startCli(['simulator', '--port', '0'], {}, /^http:\/\/127\.0\.0\.1:\d+$/);
  const simUrl = sim.line.trim();
  const env = { COSTRAIL_OPENAI_BASE_URL: `${simUrl}/v1`, COSTRAIL_ANTHROPIC_BASE_URL: simUrl, COSTRAIL_GEMINI_BASE_URL: simUrl, COSTRAIL_ADMIN_TOKEN: 'admin-sim-test' };
  const serve = await startCli(['serve', '--port', '0', '--data', data], env, /listening on http/);
  const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(serve.line)![1]!;

  const openai = new OpenAI({ apiKey: 'sk-anything', baseURL: `${url}/v1`, defaultHeaders: { 'x-costrail-team': 'search', 'x-costrail-feature': 'answer' } });
  const { response } = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
  assert.match(response.headers.get('x-costrail-cost') ?? '', /^\d+\.\d+$/);
  const anthropic = new Anthropic({ apiKey: 'sk-ant-anything', baseURL: url, defaultHeaders: { 'x-costrail-team': 'support' } });
  const msg = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hello' }] });
  assert.ok(msg.usage.output_tokens > 0);

  // The records reach the store in batches; the API reads through the running server.
  // A 503 while the store finishes opening is the documented answer, so it is retried too.
  let teams: string[] = [];
  let last = '';
  for (let i = 0; i < 100 && teams.length < 2; i++) {
    const res = await fetch(`${url}/api/events?limit=10`, { headers: { authorization: 'Bearer admin-sim-test' } });
    last = `${res.status} ${await res.clone().text()}`;
    if (res.ok) {
      const body = (await res.json()) as { events: { attribution: { team: string | null }; priced: boolean }[] };
      teams = body.events.map((e) => e.attribution.team ?? '').sort();
    } else assert.equal(res.status, 503, `GET /api/events answered ${last}`);
    if (teams.length < 2) await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(teams, ['search', 'support'], `last answer: ${last}`);
  assert.match(sim.stderr(), new RegExp(`export COSTRAIL_OPENAI_BASE_URL=${simUrl}/v1`), 'the simulator says how to point serve at it');
});
