/**
 * Gemini streamGenerateContent (`?alt=sse`) read into neutral events. Each chunk is a whole
 * GenerateContentResponse: text pieces, whole function calls (never split across chunks), and
 * running usage totals. Gemini sends no end event: the answer is complete once a chunk carried a
 * finishReason, and the end is emitted when the upstream closes.
 */
import type { SseEvent } from '../../../providers/sse.js';
import type { ChatStreamEvent } from '../../chat-model.js';
import type { TargetStreamDecoder } from '../../dialect.js';
import { arr, count, isRecord, rec, str } from '../../json-shapes.js';
import { MAX_STREAM_TOOL_CALLS } from '../../stream-limits.js';
import { candidateParts, stopFromGemini, usageFromGemini } from './gemini-response.js';

export class GeminiStreamDecoder implements TargetStreamDecoder {
  private started = false;
  private finished = false;
  private ended = false;
  private slots = 0;
  private id = '';

  read(e: SseEvent, out: ChatStreamEvent[]): void {
    if (this.ended) return;
    let chunk: unknown;
    try {
      chunk = JSON.parse(e.data);
    } catch {
      return; // garbage between events: skipped
    }
    if (!isRecord(chunk)) return;
    if (isRecord(chunk.error)) {
      const status = count(chunk.error.code);
      out.push({ type: 'error', error: { status: status >= 400 && status < 600 ? status : 500, message: str(chunk.error.message) ?? 'upstream stream error' } });
      return;
    }
    if (!this.started) {
      this.started = true;
      this.id = str(chunk.responseId) ?? '';
      out.push({ type: 'start', id: this.id, usage: undefined });
    }
    const candidate = rec(arr(chunk.candidates)[0]);
    for (const p of candidateParts(candidate, this.id, this.slots)) {
      if (p.kind === 'text') out.push({ type: 'text', text: p.text });
      else if (p.kind === 'tool_call' && this.slots < MAX_STREAM_TOOL_CALLS) {
        const slot = this.slots++;
        out.push({ type: 'tool_call_start', slot, id: p.id, name: p.name }, { type: 'tool_call_arguments', slot, json: p.arguments });
      }
    }
    const blocked = arr(chunk.candidates).length === 0 && isRecord(chunk.promptFeedback) && chunk.promptFeedback.blockReason !== undefined;
    if (!this.finished && (candidate.finishReason !== undefined || blocked)) {
      this.finished = true;
      out.push({ type: 'finish', stop: blocked ? 'content_filter' : stopFromGemini(candidate.finishReason, this.slots > 0), stopSequence: null });
    }
    const usage = usageFromGemini(chunk.usageMetadata);
    if (usage) out.push({ type: 'usage', usage });
  }

  finish(out: ChatStreamEvent[]): boolean {
    if (this.finished && !this.ended) {
      this.ended = true;
      out.push({ type: 'end' });
    }
    return this.ended;
  }
}
