/**
 * Gemini generateContent requests from the neutral model (target side). Tool calls carry no ids
 * in Gemini; a tool result is matched by the function's name, which the neutral model resolved
 * from the call. Images must be inline bytes (a URL is refused: Gemini takes only its own file
 * URIs). JSON mode maps to responseMimeType/responseJsonSchema natively.
 */
import type { ChatPart, ChatRequest, ChatToolChoice } from '../../chat-model.js';
import { argumentsObject, type Json } from '../../json-shapes.js';
import { ShapeTranslationError, type TranslatedRequest } from '../../shape-translator.js';

const MAX_GEMINI_STOP = 5;

/**
 * Gemini 3 checks a thought signature on every function call in the history; calls made by
 * another provider have none. Google documents this value for histories from other models.
 */
const FOREIGN_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

function toolResultResponse(content: string, isError: boolean): Json {
  if (isError) return { error: content };
  try {
    const v: unknown = JSON.parse(content);
    return { output: v };
  } catch {
    return { output: content };
  }
}

function encodePart(p: ChatPart, signCalls: boolean): Json {
  switch (p.kind) {
    case 'text':
      return { text: p.text };
    case 'image':
      return { inlineData: { mimeType: p.mediaType, data: p.data } };
    case 'image_url':
      throw new ShapeTranslationError('an image URL cannot be translated to Gemini (send the image as base64 data)');
    case 'tool_call': {
      const part: Json = { functionCall: { name: p.name, args: argumentsObject(p.arguments) } };
      if (signCalls) part.thoughtSignature = FOREIGN_THOUGHT_SIGNATURE;
      return part;
    }
    case 'tool_result':
      return { functionResponse: { name: p.name, response: toolResultResponse(p.content, p.isError) } };
  }
}

function toolConfig(c: ChatToolChoice): Json {
  if (c === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (c === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (c === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [c.name] } };
}

export function geminiPath(model: string, stream: boolean): string {
  const m = encodeURIComponent(model.startsWith('models/') ? model.slice('models/'.length) : model);
  return stream ? `/v1beta/models/${m}:streamGenerateContent?alt=sse` : `/v1beta/models/${m}:generateContent`;
}

export function encodeGeminiRequest(req: ChatRequest, targetModel: string, stream: boolean): TranslatedRequest {
  if (req.stop.length > MAX_GEMINI_STOP) throw new ShapeTranslationError(`Gemini takes at most ${MAX_GEMINI_STOP} stop sequences`);
  const signCalls = /gemini-3/.test(targetModel);
  const body: Json = {
    contents: req.turns.map((t) => ({ role: t.role === 'assistant' ? 'model' : 'user', parts: t.parts.map((p) => encodePart(p, signCalls)) })),
  };
  if (req.system !== undefined) body.systemInstruction = { parts: [{ text: req.system }] };
  if (req.tools.length > 0) {
    body.tools = [{ functionDeclarations: req.tools.map((t) => ({ name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), parametersJsonSchema: t.parameters })) }];
    if (req.toolChoice !== undefined) body.toolConfig = toolConfig(req.toolChoice);
  }
  const gen: Json = {};
  if (req.maxTokens !== undefined) gen.maxOutputTokens = req.maxTokens;
  if (req.temperature !== undefined) gen.temperature = req.temperature;
  if (req.topP !== undefined) gen.topP = req.topP;
  if (req.topK !== undefined) gen.topK = req.topK;
  if (req.stop.length > 0) gen.stopSequences = req.stop;
  if (req.presencePenalty !== undefined) gen.presencePenalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) gen.frequencyPenalty = req.frequencyPenalty;
  if (req.seed !== undefined) gen.seed = req.seed;
  if (req.responseFormat !== undefined) {
    gen.responseMimeType = 'application/json';
    if (req.responseFormat.type === 'json_schema') gen.responseJsonSchema = req.responseFormat.schema;
  }
  if (Object.keys(gen).length > 0) body.generationConfig = gen;
  return { path: geminiPath(targetModel, stream), body };
}
