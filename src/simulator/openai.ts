/**
 * OpenAI-shaped endpoints: chat completions, responses, embeddings, models. Bodies follow the
 * captured payloads in test/fixtures/providers/openai_*; usage follows OpenAI's overlapping
 * counters (prompt_tokens includes cached_tokens, completion_tokens includes reasoning_tokens).
 */
import type { ServerResponse } from 'node:http';
import { nextId, outputTarget, sendJson, writeStream, type SimControls, type StreamEvent } from './context.js';
import { countPromptTokens, generateOutput } from './tokens.js';
import { simToolCall } from './tool-call.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});

/** Strings and `{text}` parts of a message `content` (chat and responses both use this shape). */
function contentTexts(content: unknown, out: string[]): void {
  if (typeof content === 'string') out.push(content);
  else if (Array.isArray(content)) for (const p of content) if (typeof rec(p).text === 'string') out.push(rec(p).text as string);
}

/** Chat: every message's content. */
export function chatTexts(body: Rec): string[] {
  const out: string[] = [];
  for (const m of Array.isArray(body.messages) ? body.messages : []) contentTexts(rec(m).content, out);
  return out;
}

/** Responses: `instructions`, then `input` (a string, or items whose content is a string or parts). */
export function responsesTexts(body: Rec): string[] {
  const out: string[] = [];
  if (typeof body.instructions === 'string') out.push(body.instructions);
  if (typeof body.input === 'string') out.push(body.input);
  else if (Array.isArray(body.input)) for (const item of body.input) contentTexts(rec(item).content, out);
  return out;
}

/** Embeddings: the input string(s); token-id arrays count one token per id. */
function embeddingTokens(body: Rec): number {
  const inputs: unknown[] = Array.isArray(body.input) && typeof body.input[0] !== 'number' ? body.input : [body.input];
  let n = 0;
  for (const i of inputs) n += typeof i === 'string' ? countPromptTokens([i]) : Array.isArray(i) ? i.length : 0;
  return n;
}

/** o-series and gpt-5 family report reasoning tokens; 64 unless `x-sim-reasoning-tokens` says. */
export function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}

interface Plan {
  model: string;
  prompt: number;
  cached: number;
  reasoning: number;
  out: ReturnType<typeof generateOutput>;
  limited: boolean;
}

function plan(c: SimControls, body: Rec, texts: string[], limit: unknown): Plan {
  const model = typeof body.model === 'string' ? body.model : 'gpt-4o-mini';
  const prompt = countPromptTokens(texts);
  const target = outputTarget(c, limit);
  return {
    model,
    prompt,
    cached: Math.min(c.cachedTokens, prompt),
    reasoning: isReasoningModel(model) ? (c.reasoningTokens ?? 64) : 0,
    out: generateOutput(prompt, target.tokens, c.chunks),
    limited: target.limited,
  };
}

function chatUsage(p: Plan): Rec {
  const completion = p.out.tokens + p.reasoning;
  return {
    prompt_tokens: p.prompt,
    completion_tokens: completion,
    total_tokens: p.prompt + completion,
    prompt_tokens_details: { cached_tokens: p.cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: p.reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export async function chatCompletions(res: ServerResponse, c: SimControls, body: Rec): Promise<void> {
  const p = plan(c, body, chatTexts(body), body.max_completion_tokens ?? body.max_tokens);
  const id = nextId('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const finish = p.limited ? 'length' : 'stop';
  const base = { id, object: 'chat.completion.chunk', created, model: p.model, service_tier: 'default', system_fingerprint: 'fp_sim' };
  const firstTool = rec(rec(Array.isArray(body.tools) ? body.tools[0] : undefined).function).name;
  const call = simToolCall(c.toolCall, firstTool, p.out.text);
  const callId = call ? nextId('call_') : '';
  if (body.stream !== true) {
    const message: Rec = { role: 'assistant', content: call ? null : p.out.text, refusal: null, annotations: [] };
    if (call) message.tool_calls = [{ id: callId, type: 'function', function: { name: call.name, arguments: call.json } }];
    const full: Rec = { ...base, object: 'chat.completion', choices: [{ index: 0, message, logprobs: null, finish_reason: call ? 'tool_calls' : finish }] };
    if (!c.noUsage) full.usage = chatUsage(p);
    return sendJson(res, c, full);
  }
  // Real streams carry `usage: null` on every chunk only when include_usage was asked for.
  const includeUsage = rec(body.stream_options).include_usage === true;
  const chunk = (delta: Rec, finishReason: string | null): Rec => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const events: StreamEvent[] = [{ data: chunk({ role: 'assistant', content: call ? null : '', refusal: null }, null) }];
  if (call) {
    events.push({ data: chunk({ tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: call.name, arguments: '' } }] }, null) });
    for (const piece of call.pieces) events.push({ data: chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null), delta: true });
  } else {
    for (const piece of p.out.pieces) events.push({ data: chunk({ content: piece }, null), delta: true });
  }
  events.push({ data: chunk({}, call ? 'tool_calls' : finish) });
  if (includeUsage && !c.noUsage) events.push({ data: { ...base, choices: [], usage: chatUsage(p) } });
  events.push({ data: '[DONE]' });
  await writeStream(res, c, events);
}

function responsesUsage(p: Plan): Rec {
  const output = p.out.tokens + p.reasoning;
  return {
    input_tokens: p.prompt,
    input_tokens_details: { cached_tokens: p.cached },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: p.reasoning },
    total_tokens: p.prompt + output,
  };
}

export async function responses(res: ServerResponse, c: SimControls, body: Rec): Promise<void> {
  const p = plan(c, body, responsesTexts(body), body.max_output_tokens);
  const id = nextId('resp_');
  const msgId = nextId('msg_');
  const part = (text: string): Rec => ({ type: 'output_text', annotations: [], logprobs: [], text });
  const message = (status: string, text: string | null): Rec => ({
    id: msgId, type: 'message', status, content: text === null ? [] : [part(text)], role: 'assistant',
  });
  const output: Rec[] = p.reasoning > 0 ? [{ id: nextId('rs_'), type: 'reasoning', summary: [] }] : [];
  const response = (status: string, out: Rec[], withUsage: boolean): Rec => ({
    id, object: 'response', created_at: Math.floor(Date.now() / 1000), status, background: false, error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null, max_output_tokens: body.max_output_tokens ?? null, model: p.model,
    output: out, parallel_tool_calls: true, previous_response_id: null, reasoning: { effort: p.reasoning > 0 ? 'medium' : null, summary: null },
    service_tier: 'default', store: true, temperature: 1.0, text: { format: { type: 'text' } }, tool_choice: 'auto', tools: [],
    top_p: 1.0, truncation: 'disabled', usage: withUsage && !c.noUsage ? responsesUsage(p) : null, metadata: {},
  });
  const finalStatus = p.limited ? 'incomplete' : 'completed';
  const done = [...output, message('completed', p.out.text)];
  if (body.stream !== true) {
    return sendJson(res, c, response(finalStatus, done, true));
  }
  let n = 0;
  const ev = (type: string, fields: Rec, delta = false): StreamEvent => ({ event: type, data: { type, sequence_number: n++, ...fields }, delta });
  const at = { item_id: msgId, output_index: output.length, content_index: 0 };
  const events: StreamEvent[] = [
    ev('response.created', { response: response('in_progress', [], false) }),
    ev('response.in_progress', { response: response('in_progress', [], false) }),
  ];
  output.forEach((item, i) => {
    events.push(ev('response.output_item.added', { output_index: i, item }), ev('response.output_item.done', { output_index: i, item }));
  });
  events.push(
    ev('response.output_item.added', { output_index: output.length, item: message('in_progress', null) }),
    ev('response.content_part.added', { ...at, part: part('') }),
  );
  for (const piece of p.out.pieces) events.push(ev('response.output_text.delta', { ...at, delta: piece, logprobs: [] }, true));
  events.push(
    ev('response.output_text.done', { ...at, text: p.out.text, logprobs: [] }),
    ev('response.content_part.done', { ...at, part: part(p.out.text) }),
    ev('response.output_item.done', { output_index: output.length, item: message('completed', p.out.text) }),
    ev(finalStatus === 'completed' ? 'response.completed' : 'response.incomplete', { response: response(finalStatus, done, true) }),
  );
  await writeStream(res, c, events);
}

/** Deterministic unit-ish vectors, cached per dimension count. */
const vectors = new Map<number, { floats: number[]; base64: string }>();
function vector(dims: number): { floats: number[]; base64: string } {
  let v = vectors.get(dims);
  if (!v) {
    const f = new Float32Array(dims);
    for (let i = 0; i < dims; i++) f[i] = Math.sin(i + 1) / Math.sqrt(dims);
    v = { floats: Array.from(f), base64: Buffer.from(f.buffer).toString('base64') };
    vectors.set(dims, v);
  }
  return v;
}

export function embeddings(res: ServerResponse, c: SimControls, body: Rec): void {
  const count = Array.isArray(body.input) && typeof body.input[0] !== 'number' ? body.input.length : 1;
  const dims = typeof body.dimensions === 'number' && body.dimensions > 0 ? Math.min(body.dimensions, 4096) : 16;
  const v = vector(dims);
  // The official SDK asks for base64 by default and decodes it; honour both encodings.
  const embedding = body.encoding_format === 'base64' ? v.base64 : v.floats;
  const data = Array.from({ length: count }, (_, index) => ({ object: 'embedding', index, embedding }));
  const tokens = embeddingTokens(body);
  const out: Rec = { object: 'list', data, model: typeof body.model === 'string' ? body.model : 'text-embedding-3-small' };
  if (!c.noUsage) out.usage = { prompt_tokens: tokens, total_tokens: tokens };
  sendJson(res, c, out);
}

export const SIM_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-5', 'gpt-5-mini', 'o3-mini', 'text-embedding-3-small'];

export function models(res: ServerResponse, c: SimControls): void {
  const data = SIM_MODELS.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'system' }));
  sendJson(res, c, { object: 'list', data });
}
