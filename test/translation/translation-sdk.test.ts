/**
 * Official SDKs through shape translation, against the project's simulator: the `openai` client
 * talks to an Anthropic-shaped and a Gemini-shaped upstream, the `@anthropic-ai/sdk` client to an
 * OpenAI-shaped one, each streamed and not, with tools, errors and refusals. The SDKs' own
 * parsers (stream accumulators, typed errors) are the judges of the translated answers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI, Type, type FunctionDeclaration } from '@google/genai';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { startTranslationProxy, type TranslationProxy } from './translation-proxy.js';

let sim: Simulator;
let toAnthropic: TranslationProxy;
let toGemini: TranslationProxy;
let toOpenAI: TranslationProxy;

before(async () => {
  sim = await startSimulator({ chunks: 5 });
  toAnthropic = await startTranslationProxy({ upstream: sim.url, target: 'messages', targetModel: 'claude-haiku-4-5' });
  toGemini = await startTranslationProxy({ upstream: sim.url, target: 'generateContent', targetModel: 'gemini-2.0-flash' });
  toOpenAI = await startTranslationProxy({ upstream: sim.url, target: 'chat.completions', targetModel: 'gpt-4o-mini' });
});

after(async () => {
  await Promise.all([toAnthropic.close(), toGemini.close(), toOpenAI.close()]);
  await sim.close();
});

// A fixed answer length: otherwise the simulator writes up to the request's limit (Anthropic's default 4096) and stops on length.
const SHORT = { 'x-sim-output-tokens': '24' };
const openai = (p: TranslationProxy, headers: Record<string, string> = {}): OpenAI => new OpenAI({ apiKey: 'sk-test', baseURL: `${p.url}/v1`, maxRetries: 0, defaultHeaders: { ...SHORT, ...headers } });
const anthropic = (headers: Record<string, string> = {}): Anthropic => new Anthropic({ apiKey: 'sk-ant-test', baseURL: toOpenAI.url, maxRetries: 0, defaultHeaders: { ...SHORT, ...headers } });
const lastUpstream = (): { path: string; body: Record<string, unknown> } => {
  const r = sim.lastRequests().at(-1)!;
  return { path: r.path, body: r.body as Record<string, unknown> };
};

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'lookup', description: 'Look something up', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } } },
];

for (const [name, proxy, path] of [
  ['Anthropic', (): TranslationProxy => toAnthropic, '/v1/messages'],
  ['Gemini', (): TranslationProxy => toGemini, '/v1beta/models/gemini-2.0-flash:generateContent'],
] as const) {
  test(`openai SDK → ${name} upstream: a plain answer with the client's usage shape`, async () => {
    const r = await openai(proxy()).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say something' }] });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.model, 'gpt-4o');
    assert.ok((r.choices[0]!.message.content ?? '').length > 0);
    assert.equal(r.choices[0]!.finish_reason, 'stop');
    assert.ok(r.usage && r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 0);
    assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
    const up = lastUpstream();
    assert.equal(up.path, path);
    if (name === 'Anthropic') {
      assert.equal(up.body.max_tokens, 4096);
      assert.equal(up.body.system, 'Be brief.');
    } else {
      assert.deepEqual(up.body.systemInstruction, { parts: [{ text: 'Be brief.' }] });
    }
  });

  test(`openai SDK → ${name} upstream: streamed, with the usage chunk it asked for`, async () => {
    const client = openai(proxy());
    const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Stream please' }] });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.ok(text.length > 0);
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.prompt_tokens > 0 && usage.completion_tokens > 0);
    // The helper that accumulates a whole completion from the chunks agrees.
    const final = await client.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Stream please' }] }).finalChatCompletion();
    assert.equal(final.choices[0]!.message.content, text);
  });

  test(`openai SDK → ${name} upstream: tool calls (streamed and not) and the tool-result turn`, async () => {
    const client = openai(proxy(), { 'x-sim-tool-call': '1' });
    const r = await client.chat.completions.create({ model: 'gpt-4o', tools, messages: [{ role: 'user', content: 'Find the capital of France' }] });
    const call = r.choices[0]!.message.tool_calls?.[0];
    assert.equal(r.choices[0]!.finish_reason, 'tool_calls');
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'lookup');
    assert.equal(typeof (JSON.parse(call.function.arguments) as { query: unknown }).query, 'string');

    const streamed = await client.chat.completions.stream({ model: 'gpt-4o', tools, messages: [{ role: 'user', content: 'Find the capital of France' }] }).finalChatCompletion();
    const scall = streamed.choices[0]!.message.tool_calls?.[0];
    assert.equal(streamed.choices[0]!.finish_reason, 'tool_calls');
    assert.ok(scall && scall.type === 'function');
    assert.deepEqual(JSON.parse(scall.function.arguments), JSON.parse(call.function.arguments));

    // The next turn carries the call and its result back; the upstream sees them in its own shape.
    const next = await openai(proxy()).chat.completions.create({
      model: 'gpt-4o',
      tools,
      messages: [{ role: 'user', content: 'Find the capital of France' }, r.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '{"answer":"Paris"}' }],
    });
    assert.ok((next.choices[0]!.message.content ?? '').length > 0);
    const up = lastUpstream().body;
    if (name === 'Anthropic') {
      const msgs = up.messages as { role: string; content: { type: string }[] }[];
      assert.deepEqual(msgs.map((m) => m.role), ['user', 'assistant', 'user']);
      assert.equal(msgs[1]!.content[0]!.type, 'tool_use');
      assert.equal(msgs[2]!.content[0]!.type, 'tool_result');
    } else {
      const contents = up.contents as { role: string; parts: Record<string, unknown>[] }[];
      assert.deepEqual(contents.map((c) => c.role), ['user', 'model', 'user']);
      assert.ok(contents[1]!.parts[0]!.functionCall);
      assert.deepEqual(contents[2]!.parts[0]!.functionResponse, { name: 'lookup', response: { output: { answer: 'Paris' } } });
    }
  });

  test(`openai SDK → ${name} upstream: upstream errors keep their status and become the SDK's typed errors`, async () => {
    await assert.rejects(openai(proxy(), { 'x-sim-status': '429' }).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof OpenAI.RateLimitError && e.status === 429);
    await assert.rejects(openai(proxy()).chat.completions.create({ model: 'gpt-4o', n: 2, messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof OpenAI.BadRequestError && /n > 1/.test(e.message));
  });
}

test('openai SDK → Anthropic upstream: a stream cut mid-answer raises in the SDK instead of ending quietly', async () => {
  const stream = await openai(toAnthropic, { 'x-sim-fail-after-chunks': '2' }).chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  await assert.rejects(async () => {
    for await (const chunk of stream) void chunk;
  }, (e: unknown) => e instanceof OpenAI.APIError && /ended before the end of the answer/.test(e.message));
});

test('anthropic SDK → OpenAI upstream: a plain answer with Anthropic usage', async () => {
  const m = await anthropic().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 200, system: 'Be brief.', messages: [{ role: 'user', content: 'Say something' }] });
  assert.equal(m.type, 'message');
  assert.equal(m.model, 'claude-sonnet-4-5');
  assert.equal(m.stop_reason, 'end_turn');
  assert.equal(m.content[0]!.type, 'text');
  assert.ok(m.usage.input_tokens > 0 && m.usage.output_tokens > 0);
  const up = lastUpstream();
  assert.equal(up.path, '/v1/chat/completions');
  assert.equal(up.body.max_completion_tokens, 200);
  assert.deepEqual((up.body.messages as unknown[])[0], { role: 'system', content: 'Be brief.' });
});

test('anthropic SDK → OpenAI upstream: streamed; the SDK accumulates the message and its usage', async () => {
  const client = anthropic();
  const stream = client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 200, messages: [{ role: 'user', content: 'Stream please' }] });
  let text = '';
  stream.on('text', (d) => (text += d));
  const final = await stream.finalMessage();
  const block = final.content[0];
  assert.equal(block?.type === 'text' ? block.text : '', text);
  assert.ok(text.length > 0);
  assert.equal(final.stop_reason, 'end_turn');
  assert.ok(final.usage.input_tokens > 0 && final.usage.output_tokens > 0);
  // The upstream was asked for usage, which Anthropic's stream always ends with.
  assert.deepEqual(lastUpstream().body.stream_options, { include_usage: true });
});

test('anthropic SDK → OpenAI upstream: tool use (streamed and not) and the tool_result turn', async () => {
  const atools: Anthropic.Tool[] = [{ name: 'lookup', description: 'Look something up', input_schema: { type: 'object', properties: { query: { type: 'string' } } } }];
  const client = anthropic({ 'x-sim-tool-call': '1' });
  const m = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 200, tools: atools, messages: [{ role: 'user', content: 'Find it' }] });
  assert.equal(m.stop_reason, 'tool_use');
  const use = m.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
  assert.ok(use);
  assert.equal(use.name, 'lookup');
  assert.equal(typeof (use.input as { query: unknown }).query, 'string');

  const streamed = await client.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 200, tools: atools, messages: [{ role: 'user', content: 'Find it' }] }).finalMessage();
  const suse = streamed.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
  assert.equal(streamed.stop_reason, 'tool_use');
  assert.deepEqual(suse?.input, use.input);

  const next = await anthropic().messages.create({
    model: 'claude-sonnet-4-5',
    max_tokens: 200,
    tools: atools,
    messages: [{ role: 'user', content: 'Find it' }, { role: 'assistant', content: m.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'Paris' }] }],
  });
  assert.equal(next.content[0]!.type, 'text');
  const msgs = lastUpstream().body.messages as { role: string; tool_call_id?: string }[];
  assert.deepEqual(msgs.map((x) => x.role), ['user', 'assistant', 'tool']);
  assert.equal(msgs[2]!.tool_call_id, use.id);
});

test('anthropic SDK → OpenAI upstream: errors and refusals become the SDK typed errors', async () => {
  await assert.rejects(anthropic({ 'x-sim-status': '429' }).messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof Anthropic.RateLimitError && e.status === 429);
  await assert.rejects(anthropic().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, stop_sequences: ['a', 'b', 'c', 'd', 'e'], messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof Anthropic.BadRequestError && /at most 4 stop sequences/.test(e.message));
});

const gemini = (p: TranslationProxy, headers: Record<string, string> = {}): GoogleGenAI =>
  new GoogleGenAI({ apiKey: 'gemini-test', httpOptions: { baseUrl: p.url, headers: { ...SHORT, ...headers }, retryOptions: { attempts: 1 } } });
const lookup: FunctionDeclaration = { name: 'lookup', description: 'Look something up', parameters: { type: Type.OBJECT, properties: { query: { type: Type.STRING } } } };

for (const [name, proxy, path] of [
  ['OpenAI', (): TranslationProxy => toOpenAI, '/v1/chat/completions'],
  ['Anthropic', (): TranslationProxy => toAnthropic, '/v1/messages'],
] as const) {
  test(`@google/genai SDK → ${name} upstream: generateContent and generateContentStream with Gemini usage`, async () => {
    const client = gemini(proxy());
    const r = await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Say something', config: { systemInstruction: 'Be brief.' } });
    assert.ok((r.text ?? '').length > 0);
    assert.equal(r.candidates?.[0]?.finishReason, 'STOP');
    assert.ok((r.usageMetadata?.promptTokenCount ?? 0) > 0 && (r.usageMetadata?.candidatesTokenCount ?? 0) > 0);
    assert.equal(lastUpstream().path, path);

    let text = '';
    let usage: number | undefined;
    for await (const chunk of await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Stream please' })) {
      text += chunk.text ?? '';
      usage = chunk.usageMetadata?.totalTokenCount ?? usage;
    }
    assert.ok(text.length > 0);
    assert.ok((usage ?? 0) > 0);
  });

  test(`@google/genai SDK → ${name} upstream: function calls (streamed and not) and the functionResponse turn`, async () => {
    const client = gemini(proxy(), { 'x-sim-tool-call': '1' });
    const config = { tools: [{ functionDeclarations: [lookup] }] };
    const r = await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Find it', config });
    const call = r.functionCalls?.[0];
    assert.equal(call?.name, 'lookup');
    assert.equal(typeof call?.args?.query, 'string');

    const calls = [];
    for await (const chunk of await client.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Find it', config })) calls.push(...(chunk.functionCalls ?? []));
    assert.deepEqual(calls.map((c) => [c.name, c.args]), [['lookup', call?.args]]);

    const next = await gemini(proxy()).models.generateContent({
      model: 'gemini-2.5-flash',
      config,
      contents: [
        { role: 'user', parts: [{ text: 'Find it' }] },
        { role: 'model', parts: [{ functionCall: { name: 'lookup', args: call?.args ?? {} } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'lookup', response: { output: 'Paris' } } }] },
      ],
    });
    assert.ok((next.text ?? '').length > 0);
    const up = lastUpstream().body.messages as { role: string; content: unknown }[];
    if (name === 'OpenAI') assert.deepEqual(up.map((m) => m.role), ['user', 'assistant', 'tool']);
    else assert.deepEqual(up.map((m) => m.role), ['user', 'assistant', 'user']);
  });

  test(`@google/genai SDK → ${name} upstream: upstream errors keep their status; Gemini-only features are refused`, async () => {
    await assert.rejects(gemini(proxy(), { 'x-sim-status': '429' }).models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }), (e: unknown) => e instanceof ApiError && e.status === 429);
    await assert.rejects(
      gemini(proxy()).models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi', config: { tools: [{ googleSearch: {} }] } }),
      (e: unknown) => e instanceof ApiError && e.status === 400 && /functionDeclarations/.test(e.message),
    );
  });
}

test('anthropic SDK and @google/genai SDK: a stream cut mid-answer raises in the SDK', async () => {
  const stream = anthropic({ 'x-sim-fail-after-chunks': '2' }).messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
  await assert.rejects(stream.finalMessage(), (e: unknown) => e instanceof Anthropic.APIError && /ended before the end of the answer/.test(e.message));
  await assert.rejects(async () => {
    for await (const chunk of await gemini(toOpenAI, { 'x-sim-fail-after-chunks': '2' }).models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'hi' })) void chunk;
  }, (e: unknown) => e instanceof ApiError && e.status === 502);
});
