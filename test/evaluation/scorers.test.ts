/** The scorers, the request re-addressing, the repeatable sample, the frontier and replay evidence, each on a case with a known answer. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { scorerFor, cosine, ScorerSpecError, type ScorerCalls } from '../../src/evaluation/scorers.js';
import { replayRequest, NotReplayableError, requestText } from '../../src/evaluation/replay-request.js';
import { sampleBy } from '../../src/evaluation/sampling.js';
import { frontier } from '../../src/evaluation/eval-frontier.js';
import { attachReplayEvidence, MIN_REPLAY_SAMPLES } from '../../src/advisor/replay-evidence.js';
import { Redactor } from '../../src/capture/redaction.js';
import { responseOutputText } from '../../src/capture/output-text.js';
import type { CaptureRepository, EvalRunRow } from '../../src/capture/capture-repository.js';
import { captureRepositoryFor } from '../../src/capture/capture-store.js';
import type { AdviceReport, Recommendation } from '../../src/advisor/recommendations.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { dropSchemas, PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { fixtureJson } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const NO_CALLS: ScorerCalls = { embed: () => Promise.reject(new Error('unused')), complete: () => Promise.reject(new Error('unused')) };
const judge = (req: string, a: string, b: string) => ({ request: req, original: a, candidate: b });

describe('scorers', () => {
  it('exact ignores surrounding and repeated whitespace only', async () => {
    const s = scorerFor('exact', NO_CALLS);
    assert.deepEqual(await s.score(judge('', ' billing\n', 'billing')), { score: 1, passed: true });
    assert.deepEqual(await s.score(judge('', 'Billing', 'billing')), { score: 0, passed: false });
    assert.deepEqual(await s.score(judge('', 'a  b', 'a b')), { score: 1, passed: true });
  });
  it('json compares values, not key order or fences; an unparsable original is not judged', async () => {
    const s = scorerFor('json', NO_CALLS);
    assert.equal((await s.score(judge('', '{"a":1,"b":[1,2]}', '```json\n{"b":[1,2],"a":1}\n```'))).passed, true);
    assert.equal((await s.score(judge('', '{"a":1}', '{"a":2}'))).passed, false);
    assert.equal((await s.score(judge('', '{"a":1}', 'not json'))).passed, false);
    assert.deepEqual((await s.score(judge('', 'prose', '{}'))).passed, null);
  });
  it('json-schema validates the candidate only', async () => {
    const schema = { type: 'object', required: ['label'], properties: { label: { enum: ['billing', 'bug'] } }, additionalProperties: false };
    const s = scorerFor('json-schema', NO_CALLS, schema);
    assert.equal((await s.score(judge('', 'anything', '{"label":"bug"}'))).passed, true);
    const bad = await s.score(judge('', '', '{"label":"other"}'));
    assert.equal(bad.passed, false);
    assert.match(bad.note ?? '', /label/);
    assert.throws(() => scorerFor('json-schema', NO_CALLS), ScorerSpecError);
    assert.throws(() => scorerFor('json-schema', NO_CALLS, { type: 'nonsense-type' }), /does not compile/);
  });
  it('embedding passes at the threshold; a failed embedding call is unjudged', async () => {
    const calls: ScorerCalls = { embed: async (_m, texts) => texts.map((t) => (t === 'same' ? [1, 0] : t === 'near' ? [0.95, Math.sqrt(1 - 0.95 ** 2)] : [0, 1])), complete: NO_CALLS.complete };
    const s = scorerFor('embedding:text-embedding-3-small:0.9', calls);
    assert.equal((await s.score(judge('', 'same', 'near'))).passed, true);
    assert.equal((await s.score(judge('', 'same', 'far'))).passed, false);
    const broken = scorerFor('embedding:m', NO_CALLS);
    assert.deepEqual((await broken.score(judge('', 'a', 'b'))).passed, null);
    assert.equal(Number(cosine([3, 4], [3, 4]).toFixed(12)), 1);
    assert.throws(() => cosine([1], [1, 2]));
  });
  it('judge reads PASS or FAIL; anything else is unjudged, never a pass', async () => {
    const answers = ['PASS', 'fail.', 'I think they are similar'];
    const prompts: string[] = [];
    const calls: ScorerCalls = { embed: NO_CALLS.embed, complete: async (_m, p) => (prompts.push(p), answers.shift()!) };
    const s = scorerFor('judge:gpt-4o', calls);
    assert.equal((await s.score(judge('the request', 'A', 'B'))).passed, true);
    assert.equal((await s.score(judge('r', 'A', 'B'))).passed, false);
    assert.equal((await s.score(judge('r', 'A', 'B'))).passed, null);
    assert.match(prompts[0]!, /REQUEST:\nthe request[\s\S]*ANSWER A:\nA[\s\S]*ANSWER B:\nB/);
  });
  it('refuses unknown specs', () => {
    for (const bad of ['bleu', 'exact:x', 'embedding', 'judge', 'embedding:m:0']) assert.throws(() => scorerFor(bad, NO_CALLS), ScorerSpecError, bad);
  });
});

describe('replay requests', () => {
  it('swaps the model, drops streaming; Gemini is re-addressed in the path; deployments are refused', () => {
    const r = replayRequest('chat.completions', '/v1/chat/completions', { model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [] }, 'gpt-4o-mini');
    assert.deepEqual(r, { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [] } });
    assert.equal(replayRequest('generateContent', '/v1beta/models/gemini-2.5-pro:streamGenerateContent', { contents: [] }, 'gemini-2.5-flash').path, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.equal(replayRequest('generateContent', '/gemini/v1beta/models/gemini-2.5-pro:generateContent', { contents: [] }, 'gemini-2.5-flash').path, '/gemini/v1beta/models/gemini-2.5-flash:generateContent');
    assert.throws(() => replayRequest('chat.completions', '/azure/openai/deployments/x/chat/completions', { model: 'gpt-4o' }, 'gpt-4o-mini'), NotReplayableError);
    assert.throws(() => replayRequest('messages', '/v1/messages', { messages: [] }, 'claude'), NotReplayableError);
  });
  it('the judge reads the messages\' text', () => {
    assert.equal(requestText('messages', { system: 'sys', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }), 'sys\nhi');
    assert.equal(requestText('generateContent', { contents: [{ parts: [{ text: 'g' }] }] }), 'g');
  });
  it('reads the answer of each provider\'s verbatim response', () => {
    const anthropic = fixtureJson('anthropic_messages_nonstream_basic.json');
    assert.equal(responseOutputText('messages', anthropic), "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?");
    const chat = fixtureJson('openai_chat_nonstream_basic.json') as { choices: { message: { content: string } }[] };
    assert.equal(responseOutputText('chat.completions', chat), chat.choices[0]!.message.content);
    const gemini = fixtureJson('gemini_generatecontent_nonstream_thinking.json') as { candidates: { content: { parts: { text?: string; thought?: boolean }[] } }[] };
    assert.ok(responseOutputText('generateContent', gemini).length > 0);
    assert.equal(responseOutputText('messages', { content: [{ type: 'text', text: 'a' }, { type: 'tool_use', name: 'f', input: { x: 1 } }] }), 'a\nf({"x":1})');
    assert.equal(responseOutputText('generateContent', { candidates: [{ content: { parts: [{ text: 'g' }] } }] }), 'g');
    assert.equal(responseOutputText('responses', { output: [{ type: 'message', content: [{ type: 'output_text', text: 'r' }] }, { type: 'function_call', name: 'f', arguments: '{}' }] }), 'r\nf({})');
  });
});

describe('sampling and the frontier', () => {
  it('the same seed draws the same sample, whatever the input order', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `id-${i}`);
    const a = sampleBy(ids, (x) => x, 10, 'triage');
    assert.deepEqual(sampleBy([...ids].reverse(), (x) => x, 10, 'triage'), a);
    assert.notDeepEqual(sampleBy(ids, (x) => x, 10, 'other'), a);
    assert.deepEqual(sampleBy(ids, (x) => x, 4, 'triage'), a.slice(0, 4));
  });
  it('marks dominated candidates', () => {
    const run = (candidate: string, passed: number, cost: string, created = '2026-12-01T00:00:00.000Z'): EvalRunRow => ({ id: `r-${candidate}-${created}`, feature: 'f', candidate, scorer: 'exact', sample_requested: 100, status: 'done', created_at: created, finished_at: created, planned: 100, scored: 100, passed, failed_calls: 0, score_sum: passed, original_cost: '10', candidate_cost: cost, original_models: ['gpt-4o'], error: null });
    const points = frontier([run('mini', 96, '0.6'), run('nano', 80, '0.2'), run('worse', 90, '1'), run('mini', 50, '0.6', '2026-11-01T00:00:00.000Z')]);
    const by = Object.fromEntries(points.map((p) => [p.candidate, p]));
    assert.equal(by['mini']!.pass_rate, '0.9600', 'the latest run of a candidate speaks for it');
    assert.equal(by['mini']!.cost_ratio, '0.06');
    assert.equal(by['mini']!.on_frontier, true);
    assert.equal(by['nano']!.on_frontier, true);
    assert.equal(by['worse']!.on_frontier, false);
    assert.deepEqual(points.map((p) => p.candidate), ['nano', 'mini', 'worse']);
  });
});

describe('redaction', () => {
  it('replaces emails, keys, cards and custom patterns inside nested JSON, keeping its shape', () => {
    const r = new Redactor({ emails: true, secrets: true, patterns: ['ORD-\\d+'] });
    const out = r.redact({ messages: [{ role: 'user', content: [{ type: 'text', text: 'a@b.co ORD-77 4111-1111-1111-1111 Bearer abcdefghijklmnopqrstu' }] }], n: 1 });
    assert.deepEqual(out.value, { messages: [{ role: 'user', content: [{ type: 'text', text: '[REDACTED:email] [REDACTED:custom] [REDACTED:card] [REDACTED:secret]' }] }], n: 1 });
    assert.equal(out.redactions, 4);
    assert.equal(new Redactor({ emails: false, secrets: false, patterns: [] }).redact('a@b.co').redactions, 0);
  });
});

function evidenceOn(label: string, open: () => Promise<Store>): void {
  describe(`replay evidence and the capture tables on ${label}`, () => {
    let store: Store;
    let repo: CaptureRepository;
    after(() => store?.close());
    const rec = (): Recommendation => ({ id: 'mf', kind: 'model_fit', scope: { feature: 'triage', provider: 'openai', model: 'gpt-4o' }, stack_order: 1, evidence: { calls: 100, current_cost: '10', projected_cost: '1', period_savings: '9', candidate_model: 'gpt-4o-mini' }, monthly_savings: '9', confidence: 'estimated', assumptions: ['quality holds on the candidate'], how: '', risk: '' });
    const report = (): AdviceReport => ({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', recommendations: [rec()] }) as unknown as AdviceReport;
    const baseRun = (id: string, scored: number, passed: number, created: string): EvalRunRow => ({ id, feature: 'triage', candidate: 'gpt-4o-mini', scorer: 'exact', sample_requested: scored, status: 'done', created_at: created, finished_at: created, planned: scored, scored, passed, failed_calls: 0, score_sum: passed, original_cost: '1.5', candidate_cost: '0.09', original_models: ['gpt-4o-2024-08-06'], error: null });

    it('a replay below the pass rate keeps the finding estimated and says why; a passing one makes it measured', async () => {
      store = await open();
      repo = captureRepositoryFor(store);
      const book = loadPriceBook();
      await repo.createRun(baseRun('r1', 40, 30, '2026-12-01T00:00:00.000Z'));
      let r = report();
      await attachReplayEvidence(r, repo, book);
      assert.equal(r.recommendations[0]!.confidence, 'estimated');
      assert.equal(r.recommendations[0]!.evidence['replay_pass_rate'], '0.7500');
      assert.ok(r.recommendations[0]!.assumptions.some((a) => a.includes('30/40')));

      await repo.createRun(baseRun('r2', MIN_REPLAY_SAMPLES - 1, MIN_REPLAY_SAMPLES - 1, '2026-12-02T00:00:00.000Z'));
      r = report();
      await attachReplayEvidence(r, repo, book);
      assert.equal(r.recommendations[0]!.confidence, 'estimated', 'too few samples');

      await repo.createRun(baseRun('r3', 40, 39, '2026-12-03T00:00:00.000Z'));
      r = report();
      await attachReplayEvidence(r, repo, book);
      assert.equal(r.recommendations[0]!.confidence, 'measured');
      assert.equal(r.recommendations[0]!.evidence['replay_run_id'], 'r3');
      assert.ok(!r.recommendations[0]!.assumptions.some((a) => a.startsWith('quality holds')));
    });

    it('round-trips captures and samples exactly, ignores a re-sent capture, and deletes by age', async () => {
      const row = { request_id: 'req-1', captured_at: '2026-12-01T10:00:00.000Z', provider: 'openai', api: 'chat.completions', model: 'gpt-4o', feature: 'triage', team: null, key_id: 'k1', path: '/v1/chat/completions', request_sealed: 'v1.x', output_sealed: 'v1.y', redactions: 2, cost: '0.000123456789012345' };
      await repo.insertCaptures([row]);
      await repo.insertCaptures([{ ...row, model: 'changed' }]);
      assert.deepEqual(await repo.captures({ feature: 'triage' }), [row]);
      await repo.insertSample({ run_id: 'r3', request_id: 'req-1', candidate_request_id: 'c1', original_model: 'gpt-4o', score: 0.5, passed: false, original_cost: '0.1', candidate_cost: '0.000000000000000001', note: 'x' });
      const [s] = await repo.samples('r3');
      assert.deepEqual(s, { run_id: 'r3', request_id: 'req-1', candidate_request_id: 'c1', original_model: 'gpt-4o', score: 0.5, passed: false, original_cost: '0.1', candidate_cost: '0.000000000000000001', note: 'x' });
      assert.equal(await repo.deleteCapturesBefore('2026-12-01T10:00:00.000Z'), 0);
      assert.equal(await repo.deleteCapturesBefore('2026-12-01T10:00:00.001Z'), 1);
      assert.equal(await repo.countCaptures(), 0);
    });
  });
}

evidenceOn('embedded DuckDB', () => DuckDbStore.open(tempDir('costrail-capture-')));
const available = await postgresAvailable('the capture and replay tables');
if (available) {
  const schema = `costrail_capture_${process.pid}_${randomBytes(3).toString('hex')}`;
  after(() => dropSchemas([schema]));
  evidenceOn('PostgreSQL', () => PostgresStore.open(PG_URL, { schema, maxConnections: 3 }));
}
