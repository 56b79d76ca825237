/**
 * Anthropic messages requests to and from the neutral model. Writing (target side): max_tokens is
 * required by Anthropic, so a request without a limit gets DEFAULT_ANTHROPIC_MAX_TOKENS; JSON mode,
 * which Messages lacks, becomes one forced tool whose input is the JSON answer (read back as text
 * by the response and stream decoders); sampling Anthropic cannot do (temperature above 1,
 * presence/frequency penalties) is refused.
 */
import type { ChatPart, ChatRequest, ChatResponseFormat, ChatTool, ChatToolChoice, ChatTurn } from '../../chat-model.js';
import { argumentsObject, isRecord, optArray, optNumber, optPositiveInt, optRecord, str, type Json } from '../../json-shapes.js';
import { ShapeTranslationError, type TranslatedRequest } from '../../shape-translator.js';
import { mergeTurns } from '../turns.js';

/** Anthropic requires max_tokens; 4096 is the largest limit every current Claude model accepts. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/** The forced tool that carries a JSON-mode answer (reserved: a client tool of this name is refused). */
export const JSON_ANSWER_TOOL = 'costrail_json_answer';

/** Anthropic tool ids must match ^[a-zA-Z0-9_-]+$; other providers' ids are rewritten the same way on both sides. */
export function anthropicToolId(id: string): string {
  const clean = id.replace(/[^A-Za-z0-9_-]/g, '_');
  return clean === '' ? 'toolu_translated' : clean;
}

function toolResultText(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (content === undefined || content === null) return '';
  if (!Array.isArray(content)) throw new ShapeTranslationError(`${where}.content must be a string or an array of blocks`);
  return content
    .map((b, i) => {
      if (!isRecord(b) || b.type !== 'text' || typeof b.text !== 'string') throw new ShapeTranslationError(`${where}.content[${i}]: only text tool results can be translated to another provider`);
      return b.text;
    })
    .join('\n');
}

function decodeBlocks(content: unknown, role: 'user' | 'assistant', where: string, callNames: Map<string, string>): ChatPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ kind: 'text', text: content }];
  if (!Array.isArray(content)) throw new ShapeTranslationError(`${where}.content must be a string or an array of blocks`);
  const parts: ChatPart[] = [];
  content.forEach((b, i) => {
    const at = `${where}.content[${i}]`;
    if (!isRecord(b)) throw new ShapeTranslationError(`${at} must be an object`);
    if (b.type === 'text' && typeof b.text === 'string') {
      if (b.text !== '') parts.push({ kind: 'text', text: b.text });
    } else if (b.type === 'image' && isRecord(b.source)) {
      const s = b.source;
      if (s.type === 'base64' && typeof s.media_type === 'string' && typeof s.data === 'string') parts.push({ kind: 'image', mediaType: s.media_type, data: s.data });
      else if (s.type === 'url' && typeof s.url === 'string') parts.push({ kind: 'image_url', url: s.url });
      else throw new ShapeTranslationError(`${at}: only base64 and url image sources can be translated to another provider`);
    } else if (b.type === 'tool_use' && role === 'assistant') {
      const id = str(b.id);
      const name = str(b.name);
      if (id === undefined || name === undefined) throw new ShapeTranslationError(`${at} needs an id and a name`);
      callNames.set(id, name);
      parts.push({ kind: 'tool_call', id, name, arguments: JSON.stringify(isRecord(b.input) ? b.input : {}) });
    } else if (b.type === 'tool_result' && role === 'user') {
      const callId = str(b.tool_use_id);
      if (callId === undefined) throw new ShapeTranslationError(`${at}.tool_use_id must be a string`);
      const name = callNames.get(callId);
      if (name === undefined) throw new ShapeTranslationError(`${at}.tool_use_id ${JSON.stringify(callId)} answers no earlier tool_use`);
      parts.push({ kind: 'tool_result', callId, name, content: toolResultText(b.content, at), isError: b.is_error === true });
    } else if ((b.type === 'thinking' || b.type === 'redacted_thinking') && role === 'assistant') {
      // Earlier reasoning is signed for Anthropic only; another provider can neither check nor use it.
    } else {
      throw new ShapeTranslationError(`${at}: block type ${JSON.stringify(b.type)} cannot be translated to another provider`);
    }
  });
  return parts;
}

function decodeSystem(system: unknown): string | undefined {
  if (system === undefined || system === null) return undefined;
  if (typeof system === 'string') return system === '' ? undefined : system;
  if (!Array.isArray(system)) throw new ShapeTranslationError('system must be a string or an array of text blocks');
  const texts = system.map((b, i) => {
    if (!isRecord(b) || b.type !== 'text' || typeof b.text !== 'string') throw new ShapeTranslationError(`system[${i}] must be a text block`);
    return b.text;
  });
  return texts.length > 0 ? texts.join('\n\n') : undefined;
}

function decodeTools(body: Json): ChatTool[] {
  return optArray(body, 'tools').map((t, i): ChatTool => {
    if (!isRecord(t) || (t.type !== undefined && t.type !== 'custom')) throw new ShapeTranslationError(`tools[${i}]: server and client-defined Anthropic tools (${JSON.stringify(isRecord(t) ? t.type : t)}) cannot be translated to another provider`);
    const name = str(t.name);
    if (name === undefined || name === '') throw new ShapeTranslationError(`tools[${i}].name must be a non-empty string`);
    if (!isRecord(t.input_schema)) throw new ShapeTranslationError(`tools[${i}].input_schema must be an object`);
    const description = str(t.description);
    return description === undefined ? { name, parameters: t.input_schema } : { name, description, parameters: t.input_schema };
  });
}

function decodeToolChoice(body: Json): { choice: ChatToolChoice | undefined; parallel: boolean | undefined } {
  const c = optRecord(body, 'tool_choice');
  if (c === undefined) return { choice: undefined, parallel: undefined };
  const parallel = c.disable_parallel_tool_use === true ? false : undefined;
  if (c.type === 'auto') return { choice: 'auto', parallel };
  if (c.type === 'any') return { choice: 'required', parallel };
  if (c.type === 'none') return { choice: 'none', parallel };
  if (c.type === 'tool' && typeof c.name === 'string') return { choice: { name: c.name }, parallel };
  throw new ShapeTranslationError('tool_choice.type must be auto, any, tool (with a name) or none');
}

function decodeOutputFormat(body: Json): ChatResponseFormat | undefined {
  const f = optRecord(body, 'output_format');
  if (f === undefined) return undefined;
  if (f.type === 'json_schema' && isRecord(f.schema)) return { type: 'json_schema', name: 'response', schema: f.schema };
  throw new ShapeTranslationError('output_format must be json_schema with a schema');
}

export function decodeAnthropicRequest(body: Json): ChatRequest {
  const thinking = optRecord(body, 'thinking');
  if (thinking !== undefined && thinking.type !== 'disabled') throw new ShapeTranslationError('extended thinking cannot be translated to another provider');
  for (const field of ['mcp_servers', 'container', 'context_management']) {
    if (body[field] !== undefined && body[field] !== null) throw new ShapeTranslationError(`${field} cannot be translated to another provider`);
  }
  const messages = optArray(body, 'messages');
  if (messages.length === 0) throw new ShapeTranslationError('messages must be a non-empty array');
  const callNames = new Map<string, string>();
  const turns: ChatTurn[] = messages.map((m, i) => {
    const where = `messages[${i}]`;
    if (!isRecord(m) || (m.role !== 'user' && m.role !== 'assistant')) throw new ShapeTranslationError(`${where}.role must be user or assistant`);
    return { role: m.role, parts: decodeBlocks(m.content, m.role, where, callNames) };
  });
  const stop = optArray(body, 'stop_sequences');
  if (!stop.every((s) => typeof s === 'string')) throw new ShapeTranslationError('stop_sequences must be strings');
  const { choice, parallel } = decodeToolChoice(body);
  const metadata = optRecord(body, 'metadata');
  return {
    system: decodeSystem(body.system),
    turns: mergeTurns(turns),
    tools: decodeTools(body),
    toolChoice: choice,
    parallelToolCalls: parallel,
    maxTokens: optPositiveInt(body, 'max_tokens'),
    temperature: optNumber(body, 'temperature'),
    topP: optNumber(body, 'top_p'),
    topK: optPositiveInt(body, 'top_k'),
    stop: stop as string[],
    responseFormat: decodeOutputFormat(body),
    presencePenalty: undefined,
    frequencyPenalty: undefined,
    seed: undefined,
    user: metadata !== undefined ? str(metadata.user_id) : undefined,
  };
}

function encodeParts(t: ChatTurn): Json[] {
  const results: Json[] = [];
  const rest: Json[] = [];
  for (const p of t.parts) {
    if (p.kind === 'text') rest.push({ type: 'text', text: p.text });
    else if (p.kind === 'image') rest.push({ type: 'image', source: { type: 'base64', media_type: p.mediaType, data: p.data } });
    else if (p.kind === 'image_url') rest.push({ type: 'image', source: { type: 'url', url: p.url } });
    else if (p.kind === 'tool_call') rest.push({ type: 'tool_use', id: anthropicToolId(p.id), name: p.name, input: argumentsObject(p.arguments) });
    // Anthropic wants a user turn's tool results before anything else in it.
    else results.push({ type: 'tool_result', tool_use_id: anthropicToolId(p.callId), content: p.content, ...(p.isError ? { is_error: true } : {}) });
  }
  return [...results, ...rest];
}

function encodeToolChoice(c: ChatToolChoice | undefined, parallel: boolean | undefined): Json | undefined {
  const disable = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (c === undefined) return parallel === false ? { type: 'auto', ...disable } : undefined;
  if (c === 'none') return { type: 'none' };
  if (c === 'auto') return { type: 'auto', ...disable };
  if (c === 'required') return { type: 'any', ...disable };
  return { type: 'tool', name: c.name, ...disable };
}

export function encodeAnthropicRequest(req: ChatRequest, targetModel: string, stream: boolean): TranslatedRequest {
  if (req.temperature !== undefined && (req.temperature < 0 || req.temperature > 1)) throw new ShapeTranslationError('temperature outside 0 to 1 cannot be translated to Anthropic (above 1 is OpenAI and Gemini only)');
  if ((req.presencePenalty ?? 0) !== 0 || (req.frequencyPenalty ?? 0) !== 0) throw new ShapeTranslationError('presence_penalty and frequency_penalty cannot be translated to Anthropic');
  if (req.tools.some((t) => t.name === JSON_ANSWER_TOOL)) throw new ShapeTranslationError(`the tool name ${JSON_ANSWER_TOOL} is reserved by Costrail's translation`);
  const body: Json = {
    model: targetModel,
    max_tokens: req.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    messages: req.turns.map((t) => ({ role: t.role, content: encodeParts(t) })),
  };
  if (req.system !== undefined) body.system = req.system;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.topK !== undefined) body.top_k = req.topK;
  if (req.stop.length > 0) body.stop_sequences = req.stop;
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  const tools: Json[] = req.tools.map((t) => ({ name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), input_schema: t.parameters }));
  let choice = encodeToolChoice(req.toolChoice, req.tools.length > 0 ? req.parallelToolCalls : undefined);
  const f = req.responseFormat;
  if (f !== undefined) {
    if (tools.length > 0) throw new ShapeTranslationError('JSON mode together with tools cannot be translated to Anthropic');
    const schema = f.type === 'json_schema' ? f.schema : { type: 'object' };
    if (schema.type !== 'object') throw new ShapeTranslationError('a JSON schema whose root is not an object cannot be translated to Anthropic');
    tools.push({ name: JSON_ANSWER_TOOL, description: 'Give the complete answer as this JSON object.', input_schema: schema });
    choice = { type: 'tool', name: JSON_ANSWER_TOOL };
  }
  if (tools.length > 0) body.tools = tools;
  if (choice !== undefined && tools.length > 0) body.tool_choice = choice;
  if (stream) body.stream = true;
  return { path: '/v1/messages', body };
}
