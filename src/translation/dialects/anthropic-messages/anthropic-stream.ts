/**
 * Anthropic messages streams. The decoder follows the block protocol (message_start,
 * content_block_start/delta/stop by index, message_delta with cumulative usage, message_stop,
 * error); the encoder writes that protocol for an Anthropic client, opening a block per run of
 * text or per tool call and closing the message with the final usage.
 */
import type { SseEvent } from '../../../providers/sse.js';
import type { ChatStopReason, ChatStreamEvent, ChatUsage } from '../../chat-model.js';
import { emptyUsage } from '../../chat-model.js';
import type { ClientStreamEncoder, TargetStreamDecoder } from '../../dialect.js';
import { anthropicErrorObject } from '../../error-dialects.js';
import { isRecord, rec, str } from '../../json-shapes.js';
import { MAX_STREAM_TOOL_CALLS } from '../../stream-limits.js';
import { JSON_ANSWER_TOOL } from './anthropic-request.js';
import { anthropicMessageId, anthropicStopReason, anthropicUsage, stopFromAnthropic, usageFromAnthropic } from './anthropic-response.js';

/** Status an Anthropic in-stream error type stands for (it has none of its own on the wire). */
const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

type Block = { kind: 'text' } | { kind: 'tool'; slot: number } | { kind: 'json' } | { kind: 'other' };

export class AnthropicStreamDecoder implements TargetStreamDecoder {
  private readonly blocks = new Map<number, Block>();
  private slots = 0;
  private usage: ChatUsage | undefined;
  private jsonAnswer = false;
  private ended = false;

  read(e: SseEvent, out: ChatStreamEvent[]): void {
    if (this.ended) return;
    let data: unknown;
    try {
      data = JSON.parse(e.data);
    } catch {
      return; // garbage between events: skipped
    }
    if (!isRecord(data)) return;
    switch (data.type) {
      case 'message_start': {
        const m = rec(data.message);
        this.usage = usageFromAnthropic(m.usage);
        out.push({ type: 'start', id: str(m.id) ?? '', usage: this.usage });
        return;
      }
      case 'content_block_start':
        return this.blockStart(data.index, rec(data.content_block), out);
      case 'content_block_delta':
        return this.blockDelta(data.index, rec(data.delta), out);
      case 'message_delta': {
        const d = rec(data.delta);
        if (d.stop_reason !== undefined && d.stop_reason !== null) {
          out.push({ type: 'finish', stop: stopFromAnthropic(d.stop_reason, this.jsonAnswer), stopSequence: str(d.stop_sequence) ?? null });
        }
        this.usage = usageFromAnthropic(data.usage, this.usage);
        if (this.usage) out.push({ type: 'usage', usage: this.usage });
        return;
      }
      case 'message_stop':
        this.ended = true;
        out.push({ type: 'end' });
        return;
      case 'error': {
        const err = rec(data.error);
        out.push({ type: 'error', error: { status: ERROR_STATUS[str(err.type) ?? ''] ?? 500, message: str(err.message) ?? 'upstream stream error' } });
        return;
      }
      default:
        return; // ping, content_block_stop and future event types carry nothing to translate
    }
  }

  private blockStart(index: unknown, block: Record<string, unknown>, out: ChatStreamEvent[]): void {
    if (typeof index !== 'number' || this.blocks.size >= 4 * MAX_STREAM_TOOL_CALLS) return;
    if (block.type === 'text') {
      this.blocks.set(index, { kind: 'text' });
      const text = str(block.text);
      if (text) out.push({ type: 'text', text });
    } else if (block.type === 'tool_use' && block.name === JSON_ANSWER_TOOL) {
      this.jsonAnswer = true;
      this.blocks.set(index, { kind: 'json' });
    } else if (block.type === 'tool_use' && this.slots < MAX_STREAM_TOOL_CALLS) {
      const slot = this.slots++;
      this.blocks.set(index, { kind: 'tool', slot });
      out.push({ type: 'tool_call_start', slot, id: str(block.id) ?? `toolu_${slot}`, name: str(block.name) ?? '' });
    } else {
      this.blocks.set(index, { kind: 'other' }); // thinking, server tools and their results
    }
  }

  private blockDelta(index: unknown, delta: Record<string, unknown>, out: ChatStreamEvent[]): void {
    const block = typeof index === 'number' ? this.blocks.get(index) : undefined;
    if (block === undefined) return;
    if (delta.type === 'text_delta' && block.kind === 'text') {
      const text = str(delta.text);
      if (text) out.push({ type: 'text', text });
    } else if (delta.type === 'input_json_delta') {
      const json = str(delta.partial_json);
      if (!json) return;
      if (block.kind === 'tool') out.push({ type: 'tool_call_arguments', slot: block.slot, json });
      else if (block.kind === 'json') out.push({ type: 'text', text: json });
    }
  }

  finish(): boolean {
    return this.ended;
  }
}

const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

export class AnthropicStreamEncoder implements ClientStreamEncoder {
  private started = false;
  private ended = false;
  private nextIndex = 0;
  /** The block currently open: a text run, or the tool call of `slot`. */
  private open: { index: number; slot: number | undefined } | undefined;
  private readonly toolIndex = new Map<number, number>();
  private stop: ChatStopReason = 'end';
  private stopSequence: string | null = null;
  private usage: ChatUsage | undefined;

  constructor(private readonly model: string) {}

  private start(id: string): string {
    if (this.started) return '';
    this.started = true;
    const usage = anthropicUsage(this.usage ?? emptyUsage());
    const message = { id: anthropicMessageId(id), type: 'message', role: 'assistant', model: this.model, content: [], stop_reason: null, stop_sequence: null, usage };
    return event('message_start', { type: 'message_start', message });
  }

  private closeBlock(): string {
    if (this.open === undefined) return '';
    const index = this.open.index;
    this.open = undefined;
    return event('content_block_stop', { type: 'content_block_stop', index });
  }

  private openBlock(slot: number | undefined, block: Record<string, unknown>): string {
    const text = this.closeBlock();
    const index = this.nextIndex++;
    this.open = { index, slot };
    if (slot !== undefined) this.toolIndex.set(slot, index);
    return text + event('content_block_start', { type: 'content_block_start', index, content_block: block });
  }

  write(e: ChatStreamEvent): string {
    if (this.ended) return '';
    switch (e.type) {
      case 'start':
        if (e.usage) this.usage = e.usage;
        return this.start(e.id);
      case 'text': {
        let text = this.start('');
        if (this.open === undefined || this.open.slot !== undefined) text += this.openBlock(undefined, { type: 'text', text: '' });
        return text + event('content_block_delta', { type: 'content_block_delta', index: this.open!.index, delta: { type: 'text_delta', text: e.text } });
      }
      case 'tool_call_start':
        return this.start('') + this.openBlock(e.slot, { type: 'tool_use', id: e.id, name: e.name, input: {} });
      case 'tool_call_arguments': {
        const index = this.toolIndex.get(e.slot);
        if (index === undefined) return '';
        return event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: e.json } });
      }
      case 'finish':
        this.stop = e.stop;
        this.stopSequence = e.stopSequence;
        return '';
      case 'usage':
        this.usage = e.usage;
        return '';
      case 'error':
        this.ended = true;
        return event('error', anthropicErrorObject(e.error));
      case 'end':
        return this.endAnswer();
    }
  }

  private endAnswer(): string {
    this.ended = true;
    const text = this.start('') + this.closeBlock();
    const delta = { type: 'message_delta', delta: { stop_reason: anthropicStopReason(this.stop), stop_sequence: this.stopSequence }, usage: anthropicUsage(this.usage ?? emptyUsage()) };
    return text + event('message_delta', delta) + event('message_stop', { type: 'message_stop' });
  }

  close(complete: boolean): string {
    if (this.ended) return '';
    if (complete) return this.endAnswer();
    return this.write({ type: 'error', error: { status: 502, message: 'the upstream stream ended before the end of the answer' } });
  }
}
