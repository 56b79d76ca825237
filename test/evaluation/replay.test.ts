/**
 * Body capture and replay evaluation end to end: the official clients call the gateway in front of
 * the simulator with capture on for two features; captures are redacted and sealed; a replay on a
 * candidate goes back through the gateway (recorded, tagged, attributed), and its pass rate and
 * costs are exact. The simulator's answer is a pure function of the prompt's token count and the
 * output length, so calls made with `x-sim-output-tokens: 5` have originals a candidate (answering
 * the default 40 tokens) cannot match: the expected pass rate is known in advance.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator } from '../../src/simulator/index.js';
import { CaptureConfigSchema } from '../../src/capture/capture-config.js';
import { sealAad } from '../../src/capture/body-capture.js';
import { SecretBox, loadMasterKey } from '../../src/keys/master-key.js';
import { Decimal } from '../../src/pricing/decimal.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { tempDir } from '../helpers/temp-dir.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const run = promisify(execFile);

interface RunBody {
  id: string;
  status: string;
  planned: number;
  scored: number;
  passed: number;
  failed_calls: number;
  pass_rate: string | null;
  original_cost: string;
  candidate_cost: string;
  original_models: string[];
  samples?: { request_id: string; candidate_request_id: string | null; passed: boolean | null; candidate_cost: string | null; original_cost: string | null }[];
}

async function allRecords(rt: CostrailRuntime): Promise<LedgerRecord[]> {
  await rt.writer.flush();
  const out: LedgerRecord[] = [];
  for await (const batch of rt.store.scanRecords({ from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' })) out.push(...batch);
  return out;
}

describe('body capture and eval replay through the gateway', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let rt: CostrailRuntime;
  let dataDir: string;
  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const res = await fetch(`${rt.url}${path}`, { method, headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, json: await res.json() };
  };

  before(async () => {
    sim = await startSimulator();
    dataDir = tempDir('costrail-replay-');
    rt = await startCostrail({
      port: 0,
      dataDir,
      upstreams: { openai: `${sim.url}/v1`, anthropic: sim.url, gemini: sim.url },
      quiet: true,
      capture: CaptureConfigSchema.parse({ enabled: true, features: ['triage', 'summarise', 'pii'], redact: { patterns: ['ACME-\\d{6}'] } }),
    });
  });
  after(async () => {
    await rt.close();
    await sim.close();
  });

  it('captures the named features only, redacted and sealed; the ledger is unchanged by capture', async () => {
    const openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${rt.url}/v1`, maxRetries: 0 });
    const triage = { 'x-costrail-feature': 'triage', 'x-costrail-team': 'support' };
    for (let i = 0; i < 20; i++) {
      await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'system', content: 'Classify the ticket.' }, { role: 'user', content: `ticket ${'word '.repeat(i)}` }] }, { headers: triage });
    }
    // Replays send the redacted request (the original text is not kept): PII goes to a feature of its own here.
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'ticket from bob@example.com ref ACME-123456, card 4111 1111 1111 1111, key sk-abcdefghijklmnopqrstuvwx' }] }, { headers: { 'x-costrail-feature': 'pii' } });
    for (let i = 0; i < 10; i++) {
      await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: `short ticket ${'x '.repeat(i + 40)}` }] }, { headers: { ...triage, 'x-sim-output-tokens': '5' } });
    }
    for (let i = 0; i < 2; i++) {
      const stream = await openai.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: `streamed ticket ${'y '.repeat(i + 3)}` }] }, { headers: triage });
      for await (const chunk of stream) void chunk;
    }
    // Another feature: never captured.
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'not captured' }] }, { headers: { 'x-costrail-feature': 'chat' } });
    await rt.context.capture!.flush();

    const stats = (await api('GET', '/api/captures/stats')).json as { enabled: boolean; stored: number; captured: number };
    assert.equal(stats.enabled, true);
    assert.equal(stats.stored, 33);
    const rows = await rt.context.captures.captures({ feature: 'triage' });
    assert.equal(rows.length, 32);
    assert.equal((await rt.context.captures.captures({ feature: 'chat' })).length, 0);
    const box = new SecretBox(loadMasterKey(dataDir).key);
    const [first] = await rt.context.captures.captures({ feature: 'pii' });
    assert.ok(first && first.redactions === 4, `email, custom pattern, card and key redacted (${first?.redactions})`);
    assert.ok(!rows[0]!.request_sealed.includes('Classify'), 'the stored request is sealed, not plain text');
    const opened = box.open(first.request_sealed, sealAad(first.request_id, 'request'));
    for (const kind of ['email', 'custom', 'card', 'secret']) assert.match(opened, new RegExp(`\\[REDACTED:${kind}\\]`));
    assert.doesNotMatch(opened, /bob@example\.com|ACME-123456|4111|sk-abcdef/);
    // A sealed body moved to another row does not open.
    assert.throws(() => box.open(first.request_sealed, sealAad(rows.find((r) => r !== first)!.request_id, 'request')));
    assert.ok(rows.every((r) => r.path === '/v1/chat/completions' && r.model === 'gpt-4o' && r.feature === 'triage' && r.team === 'support'));
    const streamed = rows.filter((r) => box.open(r.request_sealed, sealAad(r.request_id, 'request')).includes('streamed ticket'));
    assert.equal(streamed.length, 2);
    for (const s of streamed) assert.ok(box.open(s.output_sealed, sealAad(s.request_id, 'output')).length > 0, 'a stream\'s answer is captured from its meter');

    const records = await allRecords(rt);
    assert.equal(records.length, 34, 'one ledger record per call, capture adds none');
    const byId = new Map(records.map((r) => [r.id, r]));
    for (const r of rows) assert.equal(r.cost, byId.get(r.request_id)!.cost!.total, 'the capture keeps the original call\'s exact cost');
  });

  it('replays a sample on a candidate through the gateway: exact pass rate, exact costs, every replayed call in the ledger', async () => {
    const res = await api('POST', '/api/eval/replays', { feature: 'triage', candidate: 'gpt-4o-mini', sample: 32, scorer: 'exact', api_key: 'sk-test', wait: true });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    const run = res.json as RunBody;
    assert.equal(run.status, 'done');
    assert.equal(run.planned, 32);
    assert.equal(run.scored, 32);
    assert.equal(run.passed, 22, 'the 10 originals answered in 5 tokens cannot be matched; the 22 others are');
    assert.equal(run.pass_rate, '0.6875');
    assert.deepEqual(run.original_models, ['gpt-4o']);

    const records = await allRecords(rt);
    const replayed = records.filter((r) => r.tags['eval'] === 'replay');
    assert.equal(replayed.length, 32);
    assert.ok(replayed.every((r) => r.model_requested === 'gpt-4o-mini' && r.attribution.feature === 'triage' && r.attribution.priority === 'background' && r.tags['eval_run'] === run.id && r.status === 'ok' && r.stream === false));
    const sum = (rs: readonly LedgerRecord[]): string => Decimal.sum(rs.map((r) => Decimal.parse(r.cost!.total))).toString();
    assert.equal(run.candidate_cost, sum(replayed), 'candidate cost = the replayed calls\' ledger cost, exactly');
    const originals = records.filter((r) => r.attribution.feature === 'triage' && r.tags['eval'] === undefined);
    assert.equal(run.original_cost, sum(originals), 'original cost = the captured calls\' ledger cost, exactly');
    assert.ok(Decimal.parse(run.candidate_cost).cmp(Decimal.parse(run.original_cost)) < 0, 'the mini model costs less on the same requests');
    // Replayed calls are not captured again.
    assert.equal((await rt.context.captures.captures({ feature: 'triage' })).length, 32);

    const detail = (await api('GET', `/api/eval/replays/${run.id}`)).json as RunBody;
    assert.equal(detail.samples!.length, 32);
    assert.equal(detail.samples!.filter((s) => s.passed === true).length, 22);
    assert.ok(detail.samples!.every((s) => replayed.some((r) => r.id === s.candidate_request_id)));

    // The same seed draws the same sample; a smaller sample is a prefix of that ranking.
    const again = (await api('POST', '/api/eval/replays', { feature: 'triage', candidate: 'gpt-4o-mini', sample: 8, wait: true })).json as RunBody;
    const small = ((await api('GET', `/api/eval/replays/${again.id}`)).json as RunBody).samples!.map((s) => s.request_id);
    assert.equal(small.length, 8);

    const frontier = (await api('GET', '/api/eval/frontier?feature=triage')).json as { candidates: { candidate: string; run_id: string; on_frontier: boolean; cost_ratio: string }[] };
    assert.equal(frontier.candidates.length, 1);
    assert.equal(frontier.candidates[0]!.run_id, again.id, 'the latest finished run speaks for the candidate');
  });

  it('replays Anthropic and Gemini captures (the Gemini model is re-addressed in the path)', async () => {
    const anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL: rt.url, maxRetries: 0 });
    for (let i = 0; i < 3; i++) await anthropic.messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 50, messages: [{ role: 'user', content: `summarise ${'z '.repeat(i)}` }] }, { headers: { 'x-costrail-feature': 'summarise' } });
    const google = new GoogleGenAI({ apiKey: 'g-test', httpOptions: { baseUrl: rt.url, headers: { 'x-costrail-feature': 'summarise' } } });
    for (let i = 0; i < 2; i++) await google.models.generateContent({ model: 'gemini-2.5-flash', contents: `summarise gemini ${'q '.repeat(i)}` });
    await rt.context.capture!.flush();
    const rows = await rt.context.captures.captures({ feature: 'summarise' });
    assert.equal(rows.length, 5);
    assert.ok(rows.filter((r) => r.api === 'generateContent').every((r) => /\/models\/gemini-2\.5-flash:generateContent$/.test(r.path) && !r.path.includes('key=')));

    const run = (await api('POST', '/api/eval/replays', { feature: 'summarise', candidate: 'claude-haiku-4-5-20251001', sample: 3, scorer: 'exact', wait: true })).json as RunBody;
    // Only the Anthropic captures can be answered by a Claude model through /v1/messages; the
    // Gemini ones go to /v1beta/models/claude…:generateContent, which the simulator answers too.
    assert.equal(run.status, 'done');
    assert.equal(run.planned, 3);
    const records = await allRecords(rt);
    const replayed = records.filter((r) => r.tags['eval_run'] === run.id);
    assert.equal(replayed.length, run.planned - run.failed_calls);
    const gemini = replayed.filter((r) => r.api === 'generateContent');
    for (const g of gemini) assert.equal(g.model_requested, 'claude-haiku-4-5-20251001');
  });

  it('the CLI starts a run, polls it to the end and prints it; flag mistakes are refused before anything is sent', async () => {
    const cli = (args: string[]) => run(process.execPath, [BIN, ...args, '--url', rt.url, '--token', rt.adminToken], { encoding: 'utf8' });
    const out = await cli(['eval', 'replay', '--feature', 'triage', '--candidate', 'gpt-4o-mini', '--sample', '6', '--concurrency', '2', '--json']);
    const r = JSON.parse(out.stdout) as RunBody;
    assert.equal(r.status, 'done');
    assert.equal(r.planned, 6);
    assert.equal(r.scored, 6);
    const frontier = JSON.parse((await cli(['eval', 'frontier', '--feature', 'triage', '--json'])).stdout) as { candidates: { run_id: string }[] };
    assert.equal(frontier.candidates[0]!.run_id, r.id);
    const text = (await cli(['eval', 'runs', '--feature', 'triage'])).stdout;
    assert.match(text, new RegExp(r.id));
    for (const [args, message] of [
      [['--sample', '0'], /--sample must be a whole number from 1 to 1000/],
      [['--scorer', 'json-schema'], /--scorer json-schema needs --schema FILE/],
      [['--scorer', 'json-schema', '--schema', '/nonexistent.json'], /--schema \/nonexistent.json: cannot read/],
    ] as const) {
      await assert.rejects(cli(['eval', 'replay', '--feature', 'triage', '--candidate', 'gpt-4o-mini', ...args]), (e: { stderr: string; code: number }) => message.test(e.stderr) && e.code === 2);
    }
    assert.match((await run(process.execPath, [BIN, 'eval', 'replay', '--help'], { encoding: 'utf8' })).stdout, /--scorer <spec>/);
  });

  it('refuses bad replays with a clear 400 and changes nothing', async () => {
    const before = (await allRecords(rt)).length;
    const runsBefore = ((await api('GET', '/api/eval/replays')).json as { runs: unknown[] }).runs.length;
    const cases: [unknown, RegExp][] = [
      [{ feature: 'triage', candidate: 'gpt-4o-mini', scorer: 'bleu' }, /unknown scorer "bleu"/],
      [{ feature: 'triage', candidate: 'gpt-4o-mini', scorer: 'json-schema' }, /json-schema needs a JSON Schema/],
      [{ feature: 'triage', candidate: 'gpt-4o-mini', scorer: 'embedding:m:2' }, /threshold/],
      [{ feature: 'nothing-here', candidate: 'gpt-4o-mini' }, /no captured calls of feature "nothing-here"/],
      [{ feature: 'triage', candidate: 'gpt-4o-mini', sample: 0 }, /sample/],
      [{ feature: 'triage', candidate: 'gpt-4o-mini', surprise: true }, /surprise/],
    ];
    for (const [body, message] of cases) {
      const r = await api('POST', '/api/eval/replays', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match((r.json as { error: { message: string } }).error.message, message);
    }
    assert.equal((await allRecords(rt)).length, before);
    assert.equal(((await api('GET', '/api/eval/replays')).json as { runs: unknown[] }).runs.length, runsBefore);
    const scoped = await fetch(`${rt.url}/api/eval/replays`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(scoped.status, 401);
  });
});

describe('capture is off unless turned on', () => {
  it('a runtime without capture config stores no bodies', async () => {
    const sim = await startSimulator();
    const rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-nocapture-'), upstreams: { openai: `${sim.url}/v1` }, quiet: true });
    try {
      const openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${rt.url}/v1`, maxRetries: 0 });
      await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'secret prompt' }] }, { headers: { 'x-costrail-feature': 'triage' } });
      assert.equal(rt.context.capture, undefined);
      assert.equal(await rt.context.captures.countCaptures(), 0);
    } finally {
      await rt.close();
      await sim.close();
    }
  });

  it('the capture section is strict and validated', () => {
    assert.equal(CaptureConfigSchema.parse({}).enabled, false);
    assert.equal(CaptureConfigSchema.safeParse({ enabled: true, featurs: ['x'] }).success, false);
    assert.equal(CaptureConfigSchema.safeParse({ enabled: true, redact: { patterns: ['(unclosed'] } }).success, false);
    assert.equal(CaptureConfigSchema.safeParse({ enabled: true, sample_rate: 0 }).success, false);
  });
});
