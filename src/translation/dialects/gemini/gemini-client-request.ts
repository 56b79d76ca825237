/**
 * Gemini generateContent requests read into the neutral model (client side: a Gemini SDK whose
 * call is served by another provider). Gemini function calls usually have no ids: each gets one,
 * and a functionResponse answers the earliest unanswered call of the same name in the model turn
 * before it. Gemini-only features (Google Search and code execution tools, cached contents,
 * candidateCount > 1, logprobs, audio/image output) are refused.
 */
import type { ChatPart, ChatRequest, ChatResponseFormat, ChatTool, ChatToolChoice, ChatTurn } from '../../chat-model.js';
import { isRecord, optArray, optRecord, str, type Json } from '../../json-shapes.js';
import { ShapeTranslationError } from '../../shape-translator.js';
import { mergeTurns } from '../turns.js';

/** Deeper schemas are refused: no real schema nests this far, and the walk below must not overflow the stack. */
const MAX_SCHEMA_DEPTH = 64;

/** Gemini's OpenAPI-style schemas spell types in capitals (Type.OBJECT); JSON Schema wants lower case. */
function jsonSchema(v: unknown, depth = 0): unknown {
  if (depth > MAX_SCHEMA_DEPTH) throw new ShapeTranslationError(`a schema nested deeper than ${MAX_SCHEMA_DEPTH} levels cannot be translated`);
  if (Array.isArray(v)) return v.map((x) => jsonSchema(x, depth + 1));
  if (!isRecord(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === 'type' && typeof x === 'string' ? x.toLowerCase() : jsonSchema(x, depth + 1);
  return out;
}

function systemText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (!isRecord(v)) throw new ShapeTranslationError('systemInstruction must be a Content object');
  const texts = optArray(v, 'parts').map((p, i) => {
    if (!isRecord(p) || typeof p.text !== 'string') throw new ShapeTranslationError(`systemInstruction.parts[${i}] must be a text part`);
    return p.text;
  });
  return texts.length > 0 ? texts.join('\n') : undefined;
}

function resultText(response: unknown): { content: string; isError: boolean } {
  const r = isRecord(response) ? response : {};
  if (typeof r.error === 'string' && Object.keys(r).length === 1) return { content: r.error, isError: true };
  if (typeof r.output === 'string' && Object.keys(r).length === 1) return { content: r.output, isError: false };
  if ('output' in r && Object.keys(r).length === 1) return { content: JSON.stringify(r.output), isError: false };
  return { content: JSON.stringify(r), isError: false };
}

function decodeContents(body: Json): ChatTurn[] {
  const contents = Array.isArray(body.contents) ? body.contents : isRecord(body.contents) ? [body.contents] : [];
  if (contents.length === 0) throw new ShapeTranslationError('contents must be a non-empty array');
  /** Calls of the latest model turn not yet answered, oldest first. */
  let pending: { id: string; name: string }[] = [];
  return contents.map((c, ci): ChatTurn => {
    const where = `contents[${ci}]`;
    if (!isRecord(c)) throw new ShapeTranslationError(`${where} must be an object`);
    const role = c.role === 'model' ? 'assistant' : 'user';
    if (role === 'assistant') pending = [];
    const parts: ChatPart[] = [];
    optArray(c, 'parts').forEach((raw, pi) => {
      const at = `${where}.parts[${pi}]`;
      if (!isRecord(raw)) throw new ShapeTranslationError(`${at} must be an object`);
      if (raw.thought === true) return; // the model's own reasoning, meaningful only to Gemini
      if (typeof raw.text === 'string') {
        if (raw.text !== '') parts.push({ kind: 'text', text: raw.text });
      } else if (isRecord(raw.inlineData)) {
        const mime = str(raw.inlineData.mimeType) ?? '';
        const data = str(raw.inlineData.data);
        if (!mime.startsWith('image/') || data === undefined) throw new ShapeTranslationError(`${at}: only inline images can be translated to another provider`);
        parts.push({ kind: 'image', mediaType: mime, data });
      } else if (isRecord(raw.functionCall) && role === 'assistant') {
        const name = str(raw.functionCall.name);
        if (name === undefined) throw new ShapeTranslationError(`${at}.functionCall.name must be a string`);
        const id = str(raw.functionCall.id) ?? `call_${ci}_${pi}`;
        pending.push({ id, name });
        parts.push({ kind: 'tool_call', id, name, arguments: JSON.stringify(isRecord(raw.functionCall.args) ? raw.functionCall.args : {}) });
      } else if (isRecord(raw.functionResponse) && role === 'user') {
        const name = str(raw.functionResponse.name);
        const byId = str(raw.functionResponse.id);
        const i = pending.findIndex((p) => (byId !== undefined ? p.id === byId : p.name === name));
        if (i < 0) throw new ShapeTranslationError(`${at}.functionResponse answers no function call of the model turn before it`);
        const call = pending.splice(i, 1)[0]!;
        parts.push({ kind: 'tool_result', callId: call.id, name: call.name, ...resultText(raw.functionResponse.response) });
      } else {
        throw new ShapeTranslationError(`${at}: this part cannot be translated to another provider`);
      }
    });
    return { role, parts };
  });
}

function decodeTools(body: Json): ChatTool[] {
  const tools: ChatTool[] = [];
  optArray(body, 'tools').forEach((t, i) => {
    if (!isRecord(t) || Object.keys(t).some((k) => k !== 'functionDeclarations')) throw new ShapeTranslationError(`tools[${i}]: only functionDeclarations can be translated to another provider`);
    optArray(t, 'functionDeclarations').forEach((d, j) => {
      const name = isRecord(d) ? str(d.name) : undefined;
      if (!isRecord(d) || name === undefined) throw new ShapeTranslationError(`tools[${i}].functionDeclarations[${j}].name must be a string`);
      const schema = d.parametersJsonSchema ?? jsonSchema(d.parameters) ?? { type: 'object', properties: {} };
      if (!isRecord(schema)) throw new ShapeTranslationError(`tools[${i}].functionDeclarations[${j}].parameters must be an object`);
      const description = str(d.description);
      tools.push(description === undefined ? { name, parameters: schema } : { name, description, parameters: schema });
    });
  });
  return tools;
}

function decodeToolChoice(body: Json): ChatToolChoice | undefined {
  const config = optRecord(body, 'toolConfig');
  const f = config === undefined ? undefined : optRecord(config, 'functionCallingConfig');
  if (f === undefined || f.mode === undefined || f.mode === 'AUTO' || f.mode === 'MODE_UNSPECIFIED') return f?.mode === 'AUTO' ? 'auto' : undefined;
  if (f.mode === 'NONE') return 'none';
  if (f.mode === 'ANY') {
    const allowed = optArray(f, 'allowedFunctionNames');
    if (allowed.length === 0) return 'required';
    if (allowed.length === 1 && typeof allowed[0] === 'string') return { name: allowed[0] };
    throw new ShapeTranslationError('allowedFunctionNames with more than one name cannot be translated to another provider');
  }
  throw new ShapeTranslationError(`functionCallingConfig.mode ${JSON.stringify(f.mode)} cannot be translated to another provider`);
}

function num(gen: Json, field: string): number | undefined {
  const v = gen[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ShapeTranslationError(`generationConfig.${field} must be a number`);
  return v;
}

function decodeFormat(gen: Json): ChatResponseFormat | undefined {
  if (gen.responseMimeType === undefined || gen.responseMimeType === 'text/plain') return undefined;
  if (gen.responseMimeType !== 'application/json') throw new ShapeTranslationError(`responseMimeType ${JSON.stringify(gen.responseMimeType)} cannot be translated to another provider`);
  const schema = gen.responseJsonSchema ?? jsonSchema(gen.responseSchema);
  return isRecord(schema) ? { type: 'json_schema', name: 'response', schema } : { type: 'json_object' };
}

export function decodeGeminiRequest(body: Json): ChatRequest {
  if (body.cachedContent !== undefined) throw new ShapeTranslationError('cachedContent cannot be translated to another provider');
  const gen = optRecord(body, 'generationConfig') ?? {};
  const candidates = num(gen, 'candidateCount');
  if (candidates !== undefined && candidates !== 1) throw new ShapeTranslationError('candidateCount > 1 cannot be translated to another provider');
  if (gen.responseLogprobs === true || gen.logprobs !== undefined) throw new ShapeTranslationError('logprobs cannot be translated to another provider');
  if (optArray(gen, 'responseModalities').some((m) => m !== 'TEXT')) throw new ShapeTranslationError('responseModalities other than TEXT cannot be translated to another provider');
  if (gen.speechConfig !== undefined) throw new ShapeTranslationError('speechConfig cannot be translated to another provider');
  const stop = optArray(gen, 'stopSequences');
  if (!stop.every((s) => typeof s === 'string')) throw new ShapeTranslationError('generationConfig.stopSequences must be strings');
  const max = num(gen, 'maxOutputTokens');
  return {
    system: systemText(body.systemInstruction),
    turns: mergeTurns(decodeContents(body)),
    tools: decodeTools(body),
    toolChoice: decodeToolChoice(body),
    parallelToolCalls: undefined,
    maxTokens: max !== undefined && max > 0 ? Math.floor(max) : undefined,
    temperature: num(gen, 'temperature'),
    topP: num(gen, 'topP'),
    topK: num(gen, 'topK'),
    stop: stop as string[],
    responseFormat: decodeFormat(gen),
    presencePenalty: num(gen, 'presencePenalty'),
    frequencyPenalty: num(gen, 'frequencyPenalty'),
    seed: num(gen, 'seed'),
    user: undefined,
  };
}
