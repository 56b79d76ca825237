/**
 * Anthropic Messages: /v1/messages (body and SSE stream) and /v1/messages/count_tokens, shaped
 * like test/fixtures/providers/anthropic_messages_*.
 *
 * Cache rule (deterministic, so tests can predict it): the cacheable prefix is every text block up
 * to and including the last one carrying `cache_control` (system blocks first, then messages).
 * Of that prefix, `x-sim-cached-tokens` (clamped) is a cache read and the rest a cache write, in
 * the 1-hour bucket when that last breakpoint says `ttl: "1h"`. `input_tokens` is what follows
 * the prefix (Anthropic's input_tokens excludes cache reads and writes).
 */
import type { ServerResponse } from 'node:http';
import { nextId, outputTarget, sendJson, writeStream, type SimControls, type StreamEvent } from './context.js';
import { countPromptTokens, generateOutput } from './tokens.js';
import { simToolCall } from './tool-call.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});

interface PromptSplit {
  total: number;
  prefix: number;
  ttl: '5m' | '1h';
}

/** Blocks in order: the system prompt, then each message's content. */
function textBlocks(body: Rec): Rec[] {
  const blocks: Rec[] = [];
  const push = (content: unknown): void => {
    if (typeof content === 'string') blocks.push({ type: 'text', text: content });
    else if (Array.isArray(content)) for (const b of content) blocks.push(rec(b));
  };
  push(body.system);
  for (const m of Array.isArray(body.messages) ? body.messages : []) push(rec(m).content);
  return blocks;
}

/** The text strings countPromptTokens is applied to for a Messages request. */
export function messagesTexts(body: Rec): string[] {
  return textBlocks(body).flatMap((b) => (typeof b.text === 'string' ? [b.text] : []));
}

function split(body: Rec): PromptSplit {
  let total = 0;
  let prefix = 0;
  let ttl: '5m' | '1h' = '5m';
  for (const b of textBlocks(body)) {
    if (typeof b.text === 'string') total += countPromptTokens([b.text]);
    const cc = rec(b.cache_control);
    if (cc.type === 'ephemeral') {
      prefix = total;
      ttl = cc.ttl === '1h' ? '1h' : '5m';
    }
  }
  // Top-level cache_control (automatic caching) caches the whole prompt.
  const top = rec(body.cache_control);
  if (top.type === 'ephemeral') {
    prefix = total;
    ttl = top.ttl === '1h' ? '1h' : '5m';
  }
  return { total, prefix, ttl };
}

export function countTokens(res: ServerResponse, c: SimControls, body: Rec): void {
  sendJson(res, c, { input_tokens: countPromptTokens(messagesTexts(body)) });
}

export async function messages(res: ServerResponse, c: SimControls, body: Rec): Promise<void> {
  const model = typeof body.model === 'string' ? body.model : 'claude-sonnet-4-5';
  const s = split(body);
  const read = Math.min(c.cachedTokens, s.prefix);
  const write = s.prefix - read;
  const input = s.total - s.prefix;
  const target = outputTarget(c, body.max_tokens);
  const out = generateOutput(s.total, target.tokens, c.chunks);
  const stopReason = target.limited ? 'max_tokens' : 'end_turn';
  const cacheCreation = {
    ephemeral_5m_input_tokens: s.ttl === '5m' ? write : 0,
    ephemeral_1h_input_tokens: s.ttl === '1h' ? write : 0,
  };
  const usage = (outputTokens: number): Rec => ({
    input_tokens: input,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
    cache_creation: cacheCreation,
    output_tokens: outputTokens,
    service_tier: 'standard',
  });
  const id = nextId('msg_01');
  const message = (content: Rec[], stop: string | null, u: Rec | undefined): Rec => ({
    model, id, type: 'message', role: 'assistant', content, stop_reason: stop, stop_sequence: null,
    ...(u ? { usage: u } : {}),
  });

  const firstTool = rec(Array.isArray(body.tools) ? body.tools[0] : undefined).name;
  const call = simToolCall(c.toolCall, firstTool, out.text);
  const toolId = call ? nextId('toolu_') : '';
  if (body.stream !== true) {
    const content = call ? [{ type: 'tool_use', id: toolId, name: call.name, input: call.args }] : [{ type: 'text', text: out.text }];
    return sendJson(res, c, message(content, call ? 'tool_use' : stopReason, c.noUsage ? undefined : usage(out.tokens)));
  }
  const events: StreamEvent[] = [
    // message_start reports input and a placeholder output count of 1, as the real API does.
    { event: 'message_start', data: { type: 'message_start', message: message([], null, c.noUsage ? undefined : usage(1)) } },
    {
      event: 'content_block_start',
      data: { type: 'content_block_start', index: 0, content_block: call ? { type: 'tool_use', id: toolId, name: call.name, input: {} } : { type: 'text', text: '' } },
    },
    { event: 'ping', data: { type: 'ping' } },
  ];
  const deltas = call ? call.pieces.map((partial_json) => ({ type: 'input_json_delta', partial_json })) : out.pieces.map((text) => ({ type: 'text_delta', text }));
  for (const d of deltas) events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: d }, delta: true });
  events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } });
  // message_delta usage is cumulative (it overrides message_start's counts).
  const finalUsage = { input_tokens: input, cache_creation_input_tokens: write, cache_read_input_tokens: read, output_tokens: out.tokens };
  const delta: Rec = { type: 'message_delta', delta: { stop_reason: call ? 'tool_use' : stopReason, stop_sequence: null } };
  if (!c.noUsage) delta.usage = finalUsage;
  events.push({ event: 'message_delta', data: delta }, { event: 'message_stop', data: { type: 'message_stop' } });
  await writeStream(res, c, events);
}

export function anthropicModels(res: ServerResponse, c: SimControls): void {
  const ids = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'];
  const data = ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }));
  sendJson(res, c, { data, has_more: false, first_id: ids[0], last_id: ids[ids.length - 1] });
}
