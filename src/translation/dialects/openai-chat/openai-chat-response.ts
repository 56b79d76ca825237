/**
 * OpenAI chat.completions answers to and from the neutral model: finish reasons, tool calls and
 * usage. OpenAI's counters overlap (prompt_tokens ⊃ cached_tokens, completion_tokens ⊃
 * reasoning_tokens); the neutral usage is disjoint, so the conversion happens here, once.
 */
import type { ChatPart, ChatResult, ChatStopReason, ChatUsage } from '../../chat-model.js';
import { arr, count, isRecord, rec, str, unixSeconds, type Json } from '../../json-shapes.js';

export function openaiFinishReason(stop: ChatStopReason): string {
  switch (stop) {
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function stopFromOpenAI(reason: unknown): ChatStopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'end';
  }
}

export function usageFromOpenAI(u: unknown): ChatUsage | undefined {
  if (!isRecord(u)) return undefined;
  const prompt = count(u.prompt_tokens);
  const cached = Math.min(count(rec(u.prompt_tokens_details).cached_tokens), prompt);
  const output = count(u.completion_tokens);
  return {
    inputUncached: prompt - cached,
    cacheRead: cached,
    cacheWrite: 0,
    output,
    reasoning: Math.min(count(rec(u.completion_tokens_details).reasoning_tokens), output),
  };
}

export function openaiUsage(u: ChatUsage): Json {
  const prompt = u.inputUncached + u.cacheRead + u.cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output,
    total_tokens: prompt + u.output,
    prompt_tokens_details: { cached_tokens: u.cacheRead, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export function decodeOpenAIChatResponse(body: Json): ChatResult {
  const choice = rec(arr(body.choices)[0]);
  const message = rec(choice.message);
  const parts: ChatPart[] = [];
  const content = str(message.content) ?? str(message.refusal);
  if (content !== undefined && content !== '') parts.push({ kind: 'text', text: content });
  arr(message.tool_calls).forEach((c, i) => {
    const fn = rec(rec(c).function);
    parts.push({ kind: 'tool_call', id: str(rec(c).id) ?? `call_${i}`, name: str(fn.name) ?? '', arguments: str(fn.arguments) ?? '' });
  });
  return { id: str(body.id) ?? '', parts, stop: stopFromOpenAI(choice.finish_reason), stopSequence: null, usage: usageFromOpenAI(body.usage) };
}

/** `chatcmpl-` ids the client can recognise, derived from the upstream's id so logs can be matched. */
export function openaiId(upstreamId: string): string {
  return upstreamId.startsWith('chatcmpl-') ? upstreamId : `chatcmpl-${upstreamId.replace(/[^A-Za-z0-9_-]/g, '') || 'translated'}`;
}

export function encodeOpenAIChatResponse(r: ChatResult, clientModel: string): Json {
  const text = r.parts.flatMap((p) => (p.kind === 'text' ? [p.text] : [])).join('');
  const calls = r.parts.flatMap((p) => (p.kind === 'tool_call' ? [{ id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments === '' ? '{}' : p.arguments } }] : []));
  const message: Json = { role: 'assistant', content: text === '' && calls.length > 0 ? null : text, refusal: null, annotations: [] };
  if (calls.length > 0) message.tool_calls = calls;
  const out: Json = {
    id: openaiId(r.id),
    object: 'chat.completion',
    created: unixSeconds(),
    model: clientModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: openaiFinishReason(r.stop) }],
  };
  if (r.usage) out.usage = openaiUsage(r.usage);
  return out;
}
