/**
 * Anthropic messages answers to and from the neutral model. Anthropic's usage is already
 * disjoint (input_tokens excludes cache reads and writes); thinking tokens are inside
 * output_tokens and named by output_tokens_details.thinking_tokens when reported.
 */
import type { ChatPart, ChatResult, ChatStopReason, ChatUsage } from '../../chat-model.js';
import { argumentsObject, arr, count, isRecord, rec, str, type Json } from '../../json-shapes.js';
import { JSON_ANSWER_TOOL } from './anthropic-request.js';

export function stopFromAnthropic(reason: unknown, jsonAnswer: boolean): ChatStopReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max_tokens';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'tool_use':
      // The forced JSON-mode tool is the answer, not a call the client must run.
      return jsonAnswer ? 'end' : 'tool_use';
    case 'refusal':
      return 'content_filter';
    default:
      return 'end';
  }
}

export function anthropicStopReason(stop: ChatStopReason): string {
  switch (stop) {
    case 'max_tokens':
      return 'max_tokens';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'tool_use':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** Reads an Anthropic usage object over `base` (message_delta's counts are cumulative and override message_start's). */
export function usageFromAnthropic(u: unknown, base?: ChatUsage): ChatUsage | undefined {
  if (!isRecord(u)) return base;
  const pick = (field: string, fallback: number): number => (u[field] === undefined || u[field] === null ? fallback : count(u[field]));
  const output = pick('output_tokens', base?.output ?? 0);
  const details = rec(u.output_tokens_details);
  return {
    inputUncached: pick('input_tokens', base?.inputUncached ?? 0),
    cacheRead: pick('cache_read_input_tokens', base?.cacheRead ?? 0),
    cacheWrite: pick('cache_creation_input_tokens', base?.cacheWrite ?? 0),
    output,
    reasoning: Math.min(details.thinking_tokens === undefined ? base?.reasoning ?? 0 : count(details.thinking_tokens), output),
  };
}

export function anthropicUsage(u: ChatUsage): Json {
  return { input_tokens: u.inputUncached, cache_creation_input_tokens: u.cacheWrite, cache_read_input_tokens: u.cacheRead, output_tokens: u.output };
}

export function decodeAnthropicResponse(body: Json): ChatResult {
  const parts: ChatPart[] = [];
  let jsonAnswer = false;
  for (const raw of arr(body.content)) {
    const b = rec(raw);
    if (b.type === 'text') {
      const text = str(b.text) ?? '';
      if (text !== '') parts.push({ kind: 'text', text });
    } else if (b.type === 'tool_use') {
      const input = isRecord(b.input) ? b.input : {};
      if (b.name === JSON_ANSWER_TOOL) {
        jsonAnswer = true;
        parts.push({ kind: 'text', text: JSON.stringify(input) });
      } else {
        parts.push({ kind: 'tool_call', id: str(b.id) ?? '', name: str(b.name) ?? '', arguments: JSON.stringify(input) });
      }
    }
    // thinking and server-tool blocks (web search results, …) have no counterpart: the text blocks carry the answer.
  }
  return {
    id: str(body.id) ?? '',
    parts,
    stop: stopFromAnthropic(body.stop_reason, jsonAnswer),
    stopSequence: str(body.stop_sequence) ?? null,
    usage: usageFromAnthropic(body.usage),
  };
}

/** `msg_` ids for an Anthropic client, derived from the upstream's id. */
export function anthropicMessageId(upstreamId: string): string {
  if (upstreamId.startsWith('msg_')) return upstreamId;
  return `msg_${upstreamId.replace(/[^A-Za-z0-9_-]/g, '') || 'translated'}`;
}

export function encodeAnthropicResponse(r: ChatResult, clientModel: string): Json {
  const content: Json[] = [];
  for (const p of r.parts) {
    if (p.kind === 'text') content.push({ type: 'text', text: p.text });
    else if (p.kind === 'tool_call') content.push({ type: 'tool_use', id: p.id, name: p.name, input: argumentsObject(p.arguments) });
  }
  return {
    id: anthropicMessageId(r.id),
    type: 'message',
    role: 'assistant',
    model: clientModel,
    content,
    stop_reason: anthropicStopReason(r.stop),
    stop_sequence: r.stopSequence,
    usage: anthropicUsage(r.usage ?? { inputUncached: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 }),
  };
}

