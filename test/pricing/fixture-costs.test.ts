/**
 * Every verbatim provider payload, priced end to end with the built-in catalog (the path
 * `costrail cost` takes), against the total worked out by hand in the fixture's meta.json
 * from the provider's published rates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCost } from '../../src/cli/cost-command.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { fixturePath, listCases, loadMeta, type FixtureMeta } from '../helpers/fixtures.js';

function payloadFile(meta: FixtureMeta): string {
  const f = meta.files.find((n) => /\.(sse|eventstream)$/.test(n)) ?? meta.files.find((n) => n.endsWith('.json'));
  assert.ok(f, `${meta.case_id}: no payload file`);
  return fixturePath(f);
}

interface CostOut {
  priced: boolean;
  model: string | null;
  cost: { total: string; source: string } | null;
  provider_cost_usd: string | null;
  notes: string[];
}

/** The metas name providers by their billing names; Costrail's provider ids are shorter. */
const PROVIDER_ID: Record<string, string> = {
  'azure-openai': 'azure',
  'aws-bedrock': 'bedrock',
  'google-ai-studio': 'gemini',
  'google-vertex-ai': 'vertex',
};

/**
 * Prices are effective-dated. Most fixtures price the same today as when recorded; where the
 * list price changed since, the call is priced at its recording time, as the gateway would.
 */
const RECORDED_AT: Record<string, string> = {
  // Recorded about 2026-07-30; Sonnet 5 has stayed at $2/$10 since (the September rise was cancelled).
  anthropic_messages_stream_cache_servertool_cumulative: '2026-07-30T00:00:00Z',
  // gpt-5.6-sol before OpenAI's 2026-08-21 cut (5 / 0.50 / 30, the metas' rates): the responses' `created`.
  openai_chat_nonstream_cache_write: '2026-07-15T05:10:47Z',
  openai_chat_nonstream_cache_read: '2026-07-15T05:10:52Z',
};

function costOf(meta: FixtureMeta): CostOut {
  return runCost(payloadFile(meta), {
    provider: PROVIDER_ID[meta.provider] ?? meta.provider,
    at: RECORDED_AT[meta.case_id],
    // Some metas annotate the requested id ("us.amazon.nova-micro-v1:0 (from URL)").
    model: meta.model_requested && !meta.model_requested.startsWith('unknown') ? meta.model_requested.split(' ')[0] : undefined,
    data: '/nonexistent-costrail-data',
  }) as unknown as CostOut;
}

const cases = listCases().map(loadMeta);

test('there are fixtures to price', () => {
  assert.ok(cases.length >= 50);
});

for (const meta of cases) {
  const expected = meta.expected_cost?.total_usd;
  if (typeof expected === 'number') {
    test(`${meta.case_id}: cost equals the hand-worked total $${Decimal.parse(expected).toString()}`, () => {
      const out = costOf(meta);
      assert.equal(out.priced, true, `unpriced: ${JSON.stringify(out)}`);
      assert.ok(out.cost);
      assert.equal(out.cost.total, Decimal.parse(expected).toString(), `notes: ${out.notes.join(' | ')}`);
    });
  } else {
    test(`${meta.case_id}: reads without error and never prices an unknown model at $0`, () => {
      if (meta.model_requested?.startsWith('unknown') && !meta.model_reported) {
        // Cohere streams do not name the model: the CLI asks for it rather than guessing.
        assert.throws(() => costOf(meta), /pass --model/);
        return;
      }
      const out = costOf(meta);
      if (!out.priced) assert.equal(out.cost, null);
      if (out.provider_cost_usd !== null) {
        // The provider's own charge is ground truth (OpenRouter usage.cost, xAI ticks).
        assert.equal(out.cost?.total, out.provider_cost_usd);
      }
    });
  }
}
