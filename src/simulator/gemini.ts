/**
 * Gemini Developer API: models/{model}:generateContent and :streamGenerateContent, shaped like
 * test/fixtures/providers/gemini_*. Streams are SSE with `?alt=sse` (what @google/genai asks
 * for) and a chunked JSON array without it (the REST default).
 *
 * usageMetadata follows Gemini's counters: promptTokenCount includes cachedContentTokenCount;
 * thoughtsTokenCount sits outside candidatesTokenCount; every stream chunk carries running totals.
 * Thinking models (gemini-2.5*, gemini-3*) think 64 tokens unless `x-sim-reasoning-tokens` or a
 * `thinkingBudget: 0` says otherwise.
 */
import type { ServerResponse } from 'node:http';
import { nextId, outputTarget, sendJson, writeStream, type SimControls, type StreamEvent } from './context.js';
import { countPromptTokens, generateOutput } from './tokens.js';
import { simToolCall } from './tool-call.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});

function partsTexts(content: unknown, out: string[]): void {
  if (typeof content === 'string') return void out.push(content);
  const parts = rec(content).parts;
  if (Array.isArray(parts)) for (const p of parts) if (typeof rec(p).text === 'string') out.push(rec(p).text as string);
}

/** systemInstruction parts, then every content's text parts. */
export function geminiTexts(body: Rec): string[] {
  const out: string[] = [];
  partsTexts(body.systemInstruction, out);
  const contents = Array.isArray(body.contents) ? body.contents : [body.contents];
  for (const c of contents) partsTexts(c, out);
  return out;
}

export function isThinkingModel(model: string): boolean {
  return /^gemini-(2\.5|3)/.test(model);
}

export async function generateContent(res: ServerResponse, c: SimControls, body: Rec, model: string, stream: boolean, sse: boolean): Promise<void> {
  const gen = rec(body.generationConfig);
  const prompt = countPromptTokens(geminiTexts(body));
  const cached = Math.min(c.cachedTokens, prompt);
  const budget = rec(gen.thinkingConfig).thinkingBudget;
  const thoughts = isThinkingModel(model) && budget !== 0 ? (c.reasoningTokens ?? 64) : 0;
  const target = outputTarget(c, gen.maxOutputTokens);
  const out = generateOutput(prompt, target.tokens, c.chunks);
  const responseId = nextId('');

  const usage = (candidates: number): Rec => {
    const u: Rec = {
      promptTokenCount: prompt,
      candidatesTokenCount: candidates,
      totalTokenCount: prompt + candidates + thoughts,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
    };
    if (cached > 0) {
      u.cachedContentTokenCount = cached;
      u.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: cached }];
    }
    if (thoughts > 0) u.thoughtsTokenCount = thoughts;
    return u;
  };
  const declarations = rec(Array.isArray(body.tools) ? body.tools[0] : undefined).functionDeclarations;
  const call = simToolCall(c.toolCall, rec(Array.isArray(declarations) ? declarations[0] : undefined).name, out.text);
  const chunk = (text: string, candidates: number, finish: boolean): Rec => {
    const parts = call ? [{ functionCall: { name: call.name, args: call.args } }] : [{ text }];
    const candidate: Rec = { content: { parts, role: 'model' }, index: 0 };
    if (finish) candidate.finishReason = target.limited ? 'MAX_TOKENS' : 'STOP';
    const r: Rec = { candidates: [candidate] };
    if (!c.noUsage) r.usageMetadata = usage(candidates);
    r.modelVersion = model;
    r.responseId = responseId;
    return r;
  };

  if (!stream) return sendJson(res, c, chunk(out.text, out.tokens, true));
  // A function call arrives whole, in one chunk (as from Gemini).
  if (call) return writeStream(res, c, [{ data: chunk('', out.tokens, true), delta: true }], sse ? 'sse' : 'json-array');
  const events: StreamEvent[] = out.pieces.map((piece, i) => ({
    data: chunk(piece, out.cumulative[i] ?? out.tokens, i === out.pieces.length - 1),
    delta: true,
  }));
  await writeStream(res, c, events, sse ? 'sse' : 'json-array');
}

export function geminiModels(res: ServerResponse, c: SimControls): void {
  const ids = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash'];
  const models = ids.map((id) => ({
    name: `models/${id}`, displayName: id, inputTokenLimit: 1048576, outputTokenLimit: 65536,
    supportedGenerationMethods: ['generateContent', 'countTokens'],
  }));
  sendJson(res, c, { models });
}
