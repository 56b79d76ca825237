/**
 * Answers written for a Gemini client: a GenerateContentResponse body, or an SSE stream of them
 * (`?alt=sse`, CRLF-separated as Gemini sends). Gemini streams a function call whole, so the
 * stream encoder holds a call's argument pieces until the call is complete (bounded by
 * MAX_HELD_ARGUMENT_BYTES) and sends it with the next text or the final chunk. Usage
 * (usageMetadata, running totals in Gemini) is sent on the final chunk.
 */
import type { ChatResult, ChatStopReason, ChatStreamEvent, ChatUsage } from '../../chat-model.js';
import type { ClientStreamEncoder } from '../../dialect.js';
import { geminiErrorObject } from '../../error-dialects.js';
import { argumentsObject, type Json } from '../../json-shapes.js';

/** Largest total of tool-call argument text held while a stream's calls complete. */
export const MAX_HELD_ARGUMENT_BYTES = 8 * 1024 * 1024;

export function geminiFinishReason(stop: ChatStopReason): string {
  if (stop === 'max_tokens') return 'MAX_TOKENS';
  if (stop === 'content_filter') return 'SAFETY';
  return 'STOP';
}

export function geminiUsage(u: ChatUsage): Json {
  const prompt = u.inputUncached + u.cacheRead + u.cacheWrite;
  const out: Json = { promptTokenCount: prompt, candidatesTokenCount: u.output - u.reasoning, totalTokenCount: prompt + u.output };
  if (u.cacheRead > 0) out.cachedContentTokenCount = u.cacheRead;
  if (u.reasoning > 0) out.thoughtsTokenCount = u.reasoning;
  return out;
}

const callPart = (id: string, name: string, args: string): Json => ({ functionCall: { id, name, args: argumentsObject(args) } });

export function encodeGeminiResponse(r: ChatResult, clientModel: string): Json {
  const parts: Json[] = [];
  for (const p of r.parts) {
    if (p.kind === 'text') parts.push({ text: p.text });
    else if (p.kind === 'tool_call') parts.push(callPart(p.id, p.name, p.arguments));
  }
  const out: Json = { candidates: [{ content: { role: 'model', parts }, finishReason: geminiFinishReason(r.stop), index: 0 }], modelVersion: clientModel, responseId: r.id };
  if (r.usage) out.usageMetadata = geminiUsage(r.usage);
  return out;
}

const sse = (v: unknown): string => `data: ${JSON.stringify(v)}\r\n\r\n`;

export class GeminiStreamEncoder implements ClientStreamEncoder {
  private id = '';
  private ended = false;
  private readonly calls: { slot: number; id: string; name: string; args: string }[] = [];
  private held = 0;
  private stop: ChatStopReason = 'end';
  private usage: ChatUsage | undefined;

  constructor(private readonly model: string) {}

  private chunk(parts: Json[], final: boolean): string {
    const candidate: Json = { content: { role: 'model', parts }, index: 0 };
    if (final) candidate.finishReason = geminiFinishReason(this.stop);
    const out: Json = { candidates: [candidate] };
    if (final && this.usage) out.usageMetadata = geminiUsage(this.usage);
    out.modelVersion = this.model;
    out.responseId = this.id;
    return sse(out);
  }

  private heldCalls(): Json[] {
    return this.calls.splice(0).map((c) => callPart(c.id, c.name, c.args));
  }

  write(e: ChatStreamEvent): string {
    if (this.ended) return '';
    switch (e.type) {
      case 'start':
        this.id = e.id;
        if (e.usage) this.usage = e.usage;
        return '';
      case 'text':
        return this.chunk([...this.heldCalls(), { text: e.text }], false);
      case 'tool_call_start':
        this.calls.push({ slot: e.slot, id: e.id, name: e.name, args: '' });
        return '';
      case 'tool_call_arguments': {
        const call = this.calls.find((c) => c.slot === e.slot);
        if (call === undefined) return '';
        this.held += e.json.length;
        if (this.held > MAX_HELD_ARGUMENT_BYTES) return this.write({ type: 'error', error: { status: 502, message: `upstream tool-call arguments exceeded ${MAX_HELD_ARGUMENT_BYTES} bytes` } });
        call.args += e.json;
        return '';
      }
      case 'finish':
        this.stop = e.stop;
        return '';
      case 'usage':
        this.usage = e.usage;
        return '';
      case 'error':
        this.ended = true;
        return sse(geminiErrorObject(e.error));
      case 'end':
        this.ended = true;
        return this.chunk(this.heldCalls(), true);
    }
  }

  close(complete: boolean): string {
    if (this.ended) return '';
    if (complete) return this.write({ type: 'end' });
    return this.write({ type: 'error', error: { status: 502, message: 'the upstream stream ended before the end of the answer' } });
  }
}
