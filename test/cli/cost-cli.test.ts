/** The `costrail` binary as a user runs it: exit codes, one-line errors, stdin, --prices, prices commands. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath, REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const LITELLM = join(REPO_ROOT, 'test', 'fixtures', 'reference', 'litellm_model_prices.json');

function run(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', env: { ...process.env, COSTRAIL_DATA: tempDir('costrail-cli-') } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('prices a response file and prints the PRODUCT.md shapes', () => {
  const r = run(['cost', '--provider', 'openai', fixturePath('openai_chat_stream_include_usage.sse')]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  for (const k of ['provider', 'model', 'usage', 'usage_source', 'cost', 'priced', 'price_version']) assert.ok(k in out, k);
  assert.equal((out.cost as { total: string }).total, '0.0000171');
  assert.equal(out.usage_source, 'provider');
});

test('reads standard input with -', () => {
  const r = run(['cost', '-p', 'anthropic', '-'], readFileSync(fixturePath('anthropic_messages_nonstream_basic.json')));
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { cost: { total: string } }).cost.total, '0.000471');
});

test('bad input exits non-zero with one line naming the file and the problem', () => {
  const dir = tempDir('costrail-bad-');
  const notJson = join(dir, 'notes.txt');
  writeFileSync(notJson, 'hello world\n');
  const cases: [string[], RegExp, number][] = [
    [['cost', '-p', 'openai', notJson], /notes\.txt: not JSON and not a recognised stream/, 1],
    [['cost', '-p', 'nosuch', notJson], /unknown provider "nosuch"/, 2],
    [['cost', '-p', 'openai', join(dir, 'missing.json')], /missing\.json: cannot read \(ENOENT\)/, 1],
    [['cost', '-p', 'openai', '--tier', 'turbo', notJson], /--tier must be/, 2],
  ];
  for (const [args, re, code] of cases) {
    const r = run(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.equal(r.stdout, '');
  }
  const truncated = run(['cost', '-p', 'openai', '-'], '{"usage": ');
  assert.equal(truncated.code, 1);
  assert.match(truncated.stderr, /^costrail: standard input: not valid JSON/);
});

test('a stream without usage is reported unpriced, never $0', () => {
  const sse = 'data: {"id":"x","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n';
  const r = run(['cost', '-p', 'openai', '-'], sse);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { priced: boolean; cost: unknown; usage: unknown; reason: string };
  assert.equal(out.priced, false);
  assert.equal(out.cost, null);
  assert.equal(out.usage, null);
  assert.match(out.reason, /no usage/);
});

test('an unknown model is unpriced with cost null', () => {
  const body = JSON.stringify({ object: 'chat.completion', model: 'my-private-model', choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
  const out = JSON.parse(run(['cost', '-p', 'openai', '-'], body).stdout) as { priced: boolean; cost: unknown; reason: string };
  assert.equal(out.priced, false);
  assert.equal(out.cost, null);
  assert.match(out.reason, /my-private-model/);
});

test('--prices accepts a LiteLLM-format catalog (groq/ keys, litellm_provider)', () => {
  const r = run(['cost', '-p', 'groq', '--prices', LITELLM, fixturePath('groq_chat_nonstream_basic.json')]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { cost: { total: string }; price_version: string };
  assert.equal(out.cost.total, '0.00050608');
  assert.match(out.price_version, /^litellm/);
});

test('--batch halves the price where the catalog has batch pricing', () => {
  const std = JSON.parse(run(['cost', '-p', 'openai', fixturePath('openai_chat_nonstream_basic.json')]).stdout) as { cost: { total: string } };
  const batch = JSON.parse(run(['cost', '-p', 'openai', '--batch', fixturePath('openai_chat_nonstream_basic.json')]).stdout) as { cost: { total: string } };
  assert.equal(std.cost.total, '0.0001468');
  assert.equal(batch.cost.total, '0.0000734');
});

test('prices list/show --json and import into a data folder', () => {
  const data = tempDir('costrail-prices-');
  const list = JSON.parse(run(['prices', 'list', '--json', '--data', data]).stdout) as { models: unknown[]; price_version: string };
  assert.ok(list.models.length >= 80);
  const show = JSON.parse(run(['prices', 'show', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', '--provider', 'bedrock', '--json', '--data', data]).stdout) as { model: string }[];
  assert.equal(show[0]?.model, 'anthropic.claude-sonnet-4-5-20250929-v1:0');
  const missing = run(['prices', 'show', 'no-such-model', '--data', data]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no price for "no-such-model"/);

  const custom = join(data, 'private.json');
  writeFileSync(custom, JSON.stringify({ version: 'acme-1', models: [{ provider: 'openai-compatible', model: 'acme-llm', prices: [{ effective_from: '2026-01-01', source: 'self-hosted GPU amortisation', rates: { input: '0.05', output: '0.10' } }] }] }));
  const imp = run(['prices', 'import', custom, '--json', '--data', data]);
  assert.equal(imp.code, 0, imp.stderr);
  const after = JSON.parse(imp.stdout) as { imported: number; price_version: string };
  assert.equal(after.imported, 1);
  assert.notEqual(after.price_version, list.price_version);
  const body = JSON.stringify({ object: 'chat.completion', model: 'acme-llm', choices: [], usage: { prompt_tokens: 1000000, completion_tokens: 1000000 } });
  const priced = JSON.parse(run(['cost', '-p', 'openai-compatible', '--data', data, '-'], body).stdout) as { cost: { total: string } };
  assert.equal(priced.cost.total, '0.15');
  const bad = run(['prices', 'import', fixturePath('openai_chat_nonstream_basic.json'), '--data', data]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /not a Costrail or LiteLLM price file/);
});

test('every command has --help', () => {
  for (const args of [['--help'], ['cost', '--help'], ['prices', '--help'], ['prices', 'list', '--help'], ['prices', 'show', '--help'], ['prices', 'import', '--help']]) {
    const r = run(args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /Usage: costrail/);
  }
});
