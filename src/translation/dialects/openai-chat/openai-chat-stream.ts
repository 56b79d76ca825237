/**
 * OpenAI chat.completions streams: the decoder reads an upstream's chunks into neutral events;
 * the encoder writes neutral events as chunks an OpenAI client parses (role chunk, content and
 * tool_call deltas keyed by index, a finish chunk, the usage chunk when include_usage was asked,
 * `[DONE]`). Errors mid-stream are written as `data: {"error": …}`, which the official SDK raises.
 */
import type { SseEvent } from '../../../providers/sse.js';
import type { ChatStreamEvent, ChatUsage } from '../../chat-model.js';
import type { ClientAnswerOptions, ClientStreamEncoder, TargetStreamDecoder } from '../../dialect.js';
import { openaiErrorObject } from '../../error-dialects.js';
import { arr, isRecord, rec, str, unixSeconds, type Json } from '../../json-shapes.js';
import { openaiFinishReason, openaiId, openaiUsage, stopFromOpenAI, usageFromOpenAI } from './openai-chat-response.js';
import { MAX_STREAM_TOOL_CALLS } from '../../stream-limits.js';

export class OpenAIChatStreamDecoder implements TargetStreamDecoder {
  private started = false;
  private finished = false;
  private ended = false;
  /** OpenAI's tool_call `index` → neutral slot. */
  private readonly slots = new Map<number, number>();

  read(e: SseEvent, out: ChatStreamEvent[]): void {
    if (this.ended) return;
    if (e.data.trim() === '[DONE]') {
      this.ended = true;
      out.push({ type: 'end' });
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(e.data);
    } catch {
      return; // garbage between events: skipped, as the meters do
    }
    if (!isRecord(chunk)) return;
    if (isRecord(chunk.error)) {
      out.push({ type: 'error', error: { status: 500, message: str(chunk.error.message) ?? 'upstream stream error' } });
      return;
    }
    if (!this.started) {
      this.started = true;
      out.push({ type: 'start', id: str(chunk.id) ?? '', usage: undefined });
    }
    const choice = rec(arr(chunk.choices)[0]);
    const delta = rec(choice.delta);
    const text = str(delta.content);
    if (text !== undefined && text !== '') out.push({ type: 'text', text });
    for (const c of arr(delta.tool_calls)) this.toolCall(rec(c), out);
    if (typeof choice.finish_reason === 'string' && !this.finished) {
      this.finished = true;
      out.push({ type: 'finish', stop: stopFromOpenAI(choice.finish_reason), stopSequence: null });
    }
    const usage = usageFromOpenAI(chunk.usage);
    if (usage) out.push({ type: 'usage', usage });
  }

  private toolCall(c: Json, out: ChatStreamEvent[]): void {
    const index = typeof c.index === 'number' && Number.isSafeInteger(c.index) ? c.index : 0;
    let slot = this.slots.get(index);
    const fn = rec(c.function);
    if (slot === undefined) {
      if (this.slots.size >= MAX_STREAM_TOOL_CALLS) return;
      slot = this.slots.size;
      this.slots.set(index, slot);
      out.push({ type: 'tool_call_start', slot, id: str(c.id) ?? `call_${slot}`, name: str(fn.name) ?? '' });
    }
    const args = str(fn.arguments);
    if (args !== undefined && args !== '') out.push({ type: 'tool_call_arguments', slot, json: args });
  }

  finish(out: ChatStreamEvent[]): boolean {
    // Some OpenAI-compatible servers omit [DONE]; a finish_reason is then the end of the answer.
    if (!this.ended && this.finished) {
      this.ended = true;
      out.push({ type: 'end' });
    }
    return this.ended;
  }
}

const sse = (v: unknown): string => `data: ${JSON.stringify(v)}\n\n`;

export class OpenAIChatStreamEncoder implements ClientStreamEncoder {
  private id = 'chatcmpl-translated';
  private readonly created = unixSeconds();
  private started = false;
  private finishSent = false;
  private ended = false;
  private usage: ChatUsage | undefined;

  constructor(
    private readonly model: string,
    private readonly options: ClientAnswerOptions,
  ) {}

  private chunk(delta: Json, finishReason: string | null): string {
    const c: Json = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    // As from OpenAI: with include_usage every chunk carries usage: null until the usage chunk.
    if (this.options.includeUsage) c.usage = null;
    return sse(c);
  }

  private start(id: string): string {
    if (this.started) return '';
    this.started = true;
    if (id !== '') this.id = openaiId(id);
    return this.chunk({ role: 'assistant', content: '', refusal: null }, null);
  }

  write(e: ChatStreamEvent): string {
    if (this.ended) return '';
    switch (e.type) {
      case 'start':
        if (e.usage) this.usage = e.usage;
        return this.start(e.id);
      case 'text':
        return this.start('') + this.chunk({ content: e.text }, null);
      case 'tool_call_start':
        return this.start('') + this.chunk({ tool_calls: [{ index: e.slot, id: e.id, type: 'function', function: { name: e.name, arguments: '' } }] }, null);
      case 'tool_call_arguments':
        return this.start('') + this.chunk({ tool_calls: [{ index: e.slot, function: { arguments: e.json } }] }, null);
      case 'finish':
        if (this.finishSent) return '';
        this.finishSent = true;
        return this.start('') + this.chunk({}, openaiFinishReason(e.stop));
      case 'usage':
        this.usage = e.usage;
        return '';
      case 'error':
        this.ended = true;
        return sse(openaiErrorObject(e.error));
      case 'end':
        return this.endAnswer();
    }
  }

  private endAnswer(): string {
    this.ended = true;
    let text = this.start('');
    if (!this.finishSent) text += this.chunk({}, 'stop');
    if (this.options.includeUsage && this.usage) {
      text += sse({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: openaiUsage(this.usage) });
    }
    return `${text}data: [DONE]\n\n`;
  }

  close(complete: boolean): string {
    if (this.ended) return '';
    if (complete) return this.endAnswer();
    return this.write({ type: 'error', error: { status: 502, message: 'the upstream stream ended before the end of the answer' } });
  }
}

export function openaiAnswerOptions(body: Json | undefined): ClientAnswerOptions {
  return { includeUsage: body !== undefined && rec(body.stream_options).include_usage === true };
}
