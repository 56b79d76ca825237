/**
 * The levers that read the request-shape fields on small hand-made ledgers (rates of
 * advisor-fixtures.ts: gpt-4o-mini input $1, output $4 per MTok): response cache by request hash,
 * paid failures and retries by status and attempt_of, prompt bloat across prompt versions, the
 * providers' minimum cacheable prefixes and the scheduled-job signature.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promptCachingLever, scheduledWindow } from '../../src/advisor/advisor-levers.js';
import { minCacheablePrefixTokens } from '../../src/advisor/cache-minimums.js';
import { promptBloatLever } from '../../src/advisor/prompt-bloat-lever.js';
import { buildAdvice } from '../../src/advisor/recommendations.js';
import { paidRetriesLever, responseCacheLever } from '../../src/advisor/waste-levers.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { ADVISOR_FROM, ADVISOR_TO, advisorBook, call } from './advisor-fixtures.js';

const at = (hours: number): string => new Date(Date.parse(ADVISOR_FROM) + 86_400_000 + hours * 3_600_000).toISOString();
const mini = (hours: number, feature: string, input: number, output: number, extra: Partial<LedgerRecord> = {}): LedgerRecord => ({ ...call(at(hours), feature, input, output, { model: 'gpt-4o-mini' }), message_count: 2, ...extra });
const advise = (records: LedgerRecord[], levers: Parameters<typeof buildAdvice>[0]['levers']) => buildAdvice({ from: ADVISOR_FROM, to: ADVISOR_TO, book: advisorBook(), records: [records], levers });

describe('levers on the request-shape fields', () => {
  it('response cache: repeats of an identical request within 24 hours of the stored answer cost nothing', async () => {
    // 3 requests asked 4 times each within an hour (9 repeats), and request a once more 25 hours after it was stored (a miss).
    const records = ['a', 'b', 'c'].flatMap((h, n) => [0, 1, 2, 3].map((k) => mini(n * 0.1 + k * 0.25, 'faq', 100, 50, { request_hash: h })));
    records.push(mini(25, 'faq', 100, 50, { request_hash: 'a' }));
    const r = await advise(records, [responseCacheLever]);
    // Each call: 100 x 1 + 50 x 4 = 300 -> $0.0003; 9 hits: $0.0027.
    assert.deepEqual(r.recommendations.map((x) => [x.kind, x.evidence.period_savings, x.evidence['simulated_hits'], x.evidence['repeated_requests']]), [['response_cache', '0.0027', 9, 3]]);
  });

  it('paid retries: billed errors and superseded attempts, not unbilled errors', async () => {
    const records = Array.from({ length: 10 }, (_, k) => mini(k, 'extract', 100, 50));
    // Two billed errors (500 in, 100 out: $0.0009 each), each retried successfully.
    for (const k of [0, 1]) {
      const failed = mini(20 + k, 'extract', 500, 100, { status: 'error', id: `err-${k}` });
      records.push(failed, mini(20.01 + k, 'extract', 100, 50, { attempt_of: failed.id }));
    }
    // An answer superseded by a fallback ($0.0003), and an error that moved no token ($0).
    records.push(mini(30, 'extract', 100, 50, { id: 'first-try' }), mini(30.01, 'extract', 100, 50, { attempt_of: 'first-try' }));
    records.push(mini(31, 'extract', 0, 0, { status: 'error' }));
    const r = await advise(records, [paidRetriesLever]);
    const x = r.recommendations[0]!;
    // 2 x 0.0009 + 0.0003.
    assert.equal(x.evidence.period_savings, '0.0021');
    assert.deepEqual([x.evidence['wasted_calls'], x.evidence['billed_errors'], x.evidence['superseded_attempts']], [3, 2, 3]);
  });

  it('prompt bloat: the latest version trimmed back to the leanest earlier prefix', async () => {
    const v1 = Array.from({ length: 10 }, (_, k) => mini(k * 0.1, 'agent', 1200, 50, { prompt_prefix_hash: 'p1', prompt_prefix_tokens: 1000, attribution: { ...call(at(0), 'agent', 1, 1).attribution, prompt_version: 'v1' } }));
    const v2 = Array.from({ length: 10 }, (_, k) => mini(5 + k * 0.1, 'agent', 1800, 50, { prompt_prefix_hash: 'p2', prompt_prefix_tokens: 1600, attribution: { ...call(at(0), 'agent', 1, 1).attribution, prompt_version: 'v2' } }));
    const r = await advise([...v1, ...v2], [promptBloatLever]);
    const x = r.recommendations[0]!;
    // 10 calls x 600 tokens x $1/MTok.
    assert.equal(x.evidence.period_savings, '0.006');
    assert.deepEqual([x.scope['prompt_version'], x.evidence['growth_tokens'], x.evidence['prefix_tokens_by_version']], ['v2', 600, 'v1: 1000 -> v2: 1600']);
  });

  it('prompt caching: a prefix under the minimum, or already read from cache, is not recommended', async () => {
    const short = Array.from({ length: 10 }, (_, k) => mini(k * 0.01, 'short', 1200, 50, { prompt_prefix_hash: 's', prompt_prefix_tokens: 1000 }));
    const cached = Array.from({ length: 10 }, (_, k) => {
      const c = mini(k * 0.01, 'cached', 200, 50, { prompt_prefix_hash: 'c', prompt_prefix_tokens: 3000 });
      return { ...c, usage: { ...c.usage!, cache_read_tokens: 3000 } };
    });
    // The gateway saw these requests and found no system prompt or tools: no prefix to cache, whatever their length.
    const none = Array.from({ length: 10 }, (_, k) => mini(k * 0.01, 'none', 5000, 50, { prompt_prefix_hash: null }));
    const r = await advise([...short, ...cached, ...none], [promptCachingLever]);
    assert.deepEqual(r.recommendations, []);
  });

  it('minimum cacheable prefix by provider and model', () => {
    assert.deepEqual(
      [['anthropic', 'claude-sonnet-4-5'], ['anthropic', 'claude-haiku-4-5'], ['anthropic', 'claude-3-5-haiku'], ['anthropic', 'claude-opus-4-5'], ['bedrock', 'anthropic.claude-haiku-4-5'], ['openai', 'gpt-4o'], ['gemini', 'gemini-2.5-flash'], ['gemini', 'gemini-3-pro-preview'], ['mistral', 'mistral-large']].map(([p, m]) => minCacheablePrefixTokens(p!, m!)),
      [1024, 4096, 2048, 4096, 4096, 1024, 2048, 4096, 1024],
    );
  });

  it('a scheduled job: every call in one short span of the day, on several days (wrapping midnight)', () => {
    const t = (d: number, hhmm: string): Date => new Date(`2026-11-0${d}T${hhmm}:00Z`);
    assert.equal(scheduledWindow([1, 2, 3].flatMap((d) => [t(d, '23:30'), t(d, '00:20')]), 120, 3), 'daily 23:30-00:20 UTC on 3 days');
    assert.equal(scheduledWindow([1, 2].map((d) => t(d, '02:00')), 120, 3), undefined);
    assert.equal(scheduledWindow([1, 2, 3].flatMap((d) => [t(d, '09:00'), t(d, '17:00')]), 120, 3), undefined);
  });
});
