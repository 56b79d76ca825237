/**
 * Gemini generateContent requests and their answers' finish reasons. The stable prefix is the
 * systemInstruction and the tools (function declarations count one tool each).
 */
import { firstCount, lengthOf, requestShape, type RequestShape } from '../request-shape.js';
import { asRecord, responseIdValue, type ApiKind } from '../spec.js';

/** Tools are entries of `tools`; an entry of functionDeclarations counts each declaration. */
function toolCount(tools: unknown): number | null {
  if (!Array.isArray(tools)) return null;
  let n = 0;
  for (const t of tools) {
    const decls = asRecord(t)?.functionDeclarations;
    n += Array.isArray(decls) ? decls.length : 1;
  }
  return n;
}

export function geminiRequestShape(body: Record<string, unknown>, api: ApiKind, model?: string): RequestShape | undefined {
  if (api !== 'generateContent') return undefined;
  return requestShape(api, model, body, {
    prefix: [body.systemInstruction, body.tools],
    messages: lengthOf(body.contents),
    tools: toolCount(body.tools),
    maxOutput: firstCount(asRecord(body.generationConfig), 'maxOutputTokens'),
  });
}

/** `responseId` of a generateContent body. */
export function geminiResponseId(body: Record<string, unknown>): string | undefined {
  return responseIdValue(body.responseId);
}

/** The last candidate list's first `finishReason` (a stream's last chunk carries it). */
export function geminiFinishReason(body: Record<string, unknown>): string | undefined {
  const first = Array.isArray(body.candidates) ? asRecord(body.candidates[0]) : undefined;
  return typeof first?.finishReason === 'string' ? first.finishReason : undefined;
}
