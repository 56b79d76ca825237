/**
 * The provider's response id (the ledger's `response_id`, the call key of src/ledger/call-merge.ts)
 * is read from bodies and streams by the same readers the gateway and the SDK use: OpenAI chat
 * (`chatcmpl-…`) and Responses (`resp_…`), Anthropic (`msg_…`), Gemini (`responseId`), on the
 * verbatim fixtures, whole and cut at awkward places (the lazy meters decode only a few events).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readProviderResponse, parserFor, type ProviderId } from '../../src/providers/registry.js';
import type { ApiKind } from '../../src/providers/spec.js';
import { fixtureBytes, splitAt } from '../helpers/fixtures.js';

const CASES: { file: string; provider: ProviderId; api: ApiKind }[] = [
  { file: 'openai_chat_nonstream_basic.json', provider: 'openai', api: 'chat.completions' },
  { file: 'openai_chat_stream_include_usage.sse', provider: 'openai', api: 'chat.completions' },
  { file: 'openai_responses_nonstream_web_search.json', provider: 'openai', api: 'responses' },
  { file: 'openai_responses_stream_web_search.sse', provider: 'openai', api: 'responses' },
  { file: 'anthropic_messages_nonstream_basic.json', provider: 'anthropic', api: 'messages' },
  { file: 'anthropic_messages_stream_basic.sse', provider: 'anthropic', api: 'messages' },
  { file: 'gemini_generatecontent_nonstream_thinking.json', provider: 'gemini', api: 'generateContent' },
  { file: 'gemini_streamgeneratecontent_thinking.sse', provider: 'gemini', api: 'generateContent' },
];

/** The id as the fixture's first JSON object states it, read independently of the provider readers. */
function statedId(bytes: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(bytes);
  const first = text.trimStart().startsWith('{') ? text : text.split('\n').find((l) => l.startsWith('data: {'))?.slice(6);
  if (!first) return undefined;
  const o = JSON.parse(first) as Record<string, Record<string, unknown> | string | undefined>;
  const nested = (k: string) => (typeof o[k] === 'object' ? (o[k] as Record<string, unknown>)['id'] : undefined);
  const id = o['responseId'] ?? nested('message') ?? nested('response') ?? o['id'];
  return typeof id === 'string' ? id : undefined;
}

test('response ids from bodies and streams, whole and cut, for OpenAI chat and Responses, Anthropic and Gemini', () => {
  for (const c of CASES) {
    const bytes = fixtureBytes(c.file);
    const expected = statedId(bytes);
    assert.ok(expected, `${c.file}: the fixture states an id`);
    assert.equal(readProviderResponse(c.provider, bytes, { api: c.api }).response_id, expected, c.file);
    if (!c.file.endsWith('.sse')) continue;
    for (const cuts of [[1, 7, 64], [Math.floor(bytes.length / 3), Math.floor(bytes.length / 2)], Array.from({ length: 40 }, (_, i) => i * 13)]) {
      const meter = parserFor(c.provider).createStreamMeter({ api: c.api });
      for (const part of splitAt(bytes, cuts)) meter.push(part);
      assert.equal(meter.end().response_id, expected, `${c.file} cut at ${cuts.slice(0, 3).join(',')}…`);
    }
  }
});

test('no response id where the provider sends none or sends garbage', () => {
  assert.equal(readProviderResponse('openai', fixtureBytes('openai_embeddings_basic.json'), { api: 'embeddings' }).response_id, undefined);
  const body = new TextEncoder().encode(JSON.stringify({ id: 42, object: 'chat.completion', model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
  assert.equal(readProviderResponse('openai', body, { api: 'chat.completions' }).response_id, undefined);
  const long = new TextEncoder().encode(JSON.stringify({ id: 'x'.repeat(300), type: 'message', role: 'assistant', model: 'claude-sonnet-4-20250514', content: [], usage: { input_tokens: 1, output_tokens: 1 } }));
  assert.equal(readProviderResponse('anthropic', long, { api: 'messages' }).response_id, undefined, 'an id over 256 characters is not kept');
});
