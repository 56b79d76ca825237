/**
 * Every fixture of the OpenAI-shaped providers (openai_, azure_, mistral_, deepseek_, xai_,
 * groq_, openrouter_) through its parser: full Usage against the meta, model, and for streams
 * split invariance. Provider-specific fields are asserted in each provider's own test file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ApiKind, ProviderUsageParser } from '../../src/providers/spec.js';
import { openaiUsageParser } from '../../src/providers/openai/index.js';
import { azureUsageParser } from '../../src/providers/azure/index.js';
import { mistralUsageParser } from '../../src/providers/mistral/index.js';
import { deepseekUsageParser } from '../../src/providers/deepseek/index.js';
import { xaiUsageParser } from '../../src/providers/xai/index.js';
import { groqUsageParser } from '../../src/providers/groq/index.js';
import { openrouterUsageParser } from '../../src/providers/openrouter/index.js';
import { fixtureBytes, fixtureJson, fixturePath, listCases, loadMeta } from '../helpers/fixtures.js';
import { assertSplitInvariant, expectedUsage, runMeter } from './openai-test-kit.js';

const PARSERS: Record<string, ProviderUsageParser> = {
  openai: openaiUsageParser,
  azure: azureUsageParser,
  mistral: mistralUsageParser,
  deepseek: deepseekUsageParser,
  xai: xaiUsageParser,
  groq: groqUsageParser,
  openrouter: openrouterUsageParser,
};

function apiOf(caseId: string): ApiKind {
  if (caseId.startsWith('openai_responses_')) return 'responses';
  if (caseId.startsWith('openai_embeddings_')) return 'embeddings';
  if (caseId.startsWith('openai_batch_')) return 'batch';
  if (caseId.startsWith('openai_realtime_')) return 'realtime';
  return 'chat.completions';
}

const cases = listCases().filter((c) => PARSERS[c.split('_')[0] ?? ''] !== undefined);

test('fixture set: all 24 OpenAI-shaped cases are found', () => {
  assert.equal(cases.length, 24);
});

for (const caseId of cases) {
  const meta = loadMeta(caseId);
  const parser = PARSERS[caseId.split('_')[0] ?? ''];
  assert.ok(parser);
  const ctx = { api: apiOf(caseId), model_requested: 'requested-model' };
  const file = meta.files[0];
  assert.ok(file);
  const expected = expectedUsage(meta);

  if (file.endsWith('.sse')) {
    test(`${caseId}: stream usage, model and generated text`, () => {
      const out = runMeter(parser, ctx, [fixtureBytes(file)]);
      assert.ok(out.extraction, 'stream carries usage');
      assert.deepEqual(out.extraction.usage, expected);
      assert.equal(out.extraction.api, ctx.api);
      if (meta.model_reported) {
        assert.equal(out.model, meta.model_reported);
        assert.equal(out.extraction.model, meta.model_reported);
      }
      assert.ok(out.output_text.length > 0 || ctx.api === 'responses', 'generated text accumulated');
    });
    test(`${caseId}: property: any split of the bytes gives the same outcome`, () => {
      assertSplitInvariant(parser, ctx, file, 60);
    });
  } else {
    test(`${caseId}: body usage and model`, () => {
      // The batch doc example is not strict JSON: hand its text over as is.
      const body = ctx.api === 'batch' ? readFileSync(fixturePath(file), 'utf8') : fixtureJson(file);
      const ex = parser.fromBody(body, ctx);
      assert.ok(ex, 'body carries usage');
      assert.deepEqual(ex.usage, expected);
      assert.equal(ex.api, ctx.api);
      assert.equal(ex.model, meta.model_reported ?? undefined);
    });
  }
}
