/**
 * Gemini generateContent answers into the neutral model. Gemini's counters overlap differently
 * from OpenAI's: promptTokenCount includes cachedContentTokenCount, tool-use prompt tokens sit
 * outside it, and thoughtsTokenCount sits outside candidatesTokenCount. Gemini has no
 * "tool_use" finish reason: an answer with function calls that stopped normally is a tool-use stop.
 */
import type { ChatPart, ChatResult, ChatStopReason, ChatUsage } from '../../chat-model.js';
import { arr, count, isRecord, rec, str, type Json } from '../../json-shapes.js';

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'LANGUAGE']);

export function stopFromGemini(reason: unknown, madeToolCalls: boolean): ChatStopReason {
  if (reason === 'MAX_TOKENS') return 'max_tokens';
  if (typeof reason === 'string' && FILTERED.has(reason)) return 'content_filter';
  return madeToolCalls ? 'tool_use' : 'end';
}

export function usageFromGemini(u: unknown): ChatUsage | undefined {
  if (!isRecord(u)) return undefined;
  const prompt = count(u.promptTokenCount) + count(u.toolUsePromptTokenCount);
  const cached = Math.min(count(u.cachedContentTokenCount), prompt);
  const thoughts = count(u.thoughtsTokenCount);
  return { inputUncached: prompt - cached, cacheRead: cached, cacheWrite: 0, output: count(u.candidatesTokenCount) + thoughts, reasoning: thoughts };
}

/** Ids for Gemini's id-less function calls, unique per answer so a client can answer each one. */
export function geminiCallId(responseId: string, slot: number): string {
  return `call_${responseId.replace(/[^A-Za-z0-9_-]/g, '')}_${slot}`;
}

/** The parts of one candidate's content: text (thoughts skipped) and function calls. */
export function candidateParts(candidate: Json, responseId: string, firstSlot: number): ChatPart[] {
  const parts: ChatPart[] = [];
  let slot = firstSlot;
  for (const raw of arr(rec(candidate.content).parts)) {
    const p = rec(raw);
    if (p.thought === true) continue;
    const text = str(p.text);
    if (text !== undefined && text !== '') parts.push({ kind: 'text', text });
    if (isRecord(p.functionCall)) {
      const fc = p.functionCall;
      parts.push({ kind: 'tool_call', id: str(fc.id) ?? geminiCallId(responseId, slot++), name: str(fc.name) ?? '', arguments: JSON.stringify(isRecord(fc.args) ? fc.args : {}) });
    }
  }
  return parts;
}

export function decodeGeminiResponse(body: Json): ChatResult {
  const id = str(body.responseId) ?? '';
  const candidate = rec(arr(body.candidates)[0]);
  const parts = candidateParts(candidate, id, 0);
  const blocked = arr(body.candidates).length === 0 && isRecord(body.promptFeedback) && body.promptFeedback.blockReason !== undefined;
  const stop = blocked ? 'content_filter' : stopFromGemini(candidate.finishReason, parts.some((p) => p.kind === 'tool_call'));
  return { id, parts, stop, stopSequence: null, usage: usageFromGemini(body.usageMetadata) };
}
