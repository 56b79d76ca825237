/**
 * OpenAI chat.completions requests to and from the neutral model. Reading (client side) refuses
 * what no other shape can carry (n > 1, logprobs, logit_bias, audio, legacy `functions`); writing
 * (target side) refuses what chat.completions lacks (top_k, more than 4 stop sequences).
 */
import type { ChatPart, ChatRequest, ChatResponseFormat, ChatTool, ChatToolChoice, ChatTurn } from '../../chat-model.js';
import { isRecord, optArray, optNumber, optPositiveInt, optRecord, optString, parseDataUrl, str, type Json } from '../../json-shapes.js';
import { ShapeTranslationError, type TranslatedRequest } from '../../shape-translator.js';
import { mergeTurns } from '../turns.js';

const MAX_OPENAI_STOP = 4;

/** Fields that change the answer and that no other shape can express: refused, never dropped. */
function refuseInexpressible(body: Json): void {
  const n = optNumber(body, 'n');
  if (n !== undefined && n !== 1) throw new ShapeTranslationError('n > 1 (several choices) cannot be translated to another provider');
  if (body.logprobs === true || body.top_logprobs !== undefined && body.top_logprobs !== null) throw new ShapeTranslationError('logprobs cannot be translated to another provider');
  const bias = optRecord(body, 'logit_bias');
  if (bias && Object.keys(bias).length > 0) throw new ShapeTranslationError('logit_bias cannot be translated to another provider');
  if (body.functions !== undefined || body.function_call !== undefined) throw new ShapeTranslationError('legacy functions/function_call cannot be translated; use tools/tool_choice');
  if (body.audio !== undefined && body.audio !== null) throw new ShapeTranslationError('audio output cannot be translated to another provider');
  const modalities = optArray(body, 'modalities');
  if (modalities.some((m) => m !== 'text')) throw new ShapeTranslationError('modalities other than text cannot be translated to another provider');
  if (body.prediction !== undefined && body.prediction !== null) throw new ShapeTranslationError('prediction (predicted outputs) cannot be translated to another provider');
  if (body.web_search_options !== undefined && body.web_search_options !== null) throw new ShapeTranslationError('web_search_options cannot be translated to another provider');
}

/** Text of a system/developer/tool message: a string or an array of text parts. */
function plainText(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) throw new ShapeTranslationError(`${where}.content must be a string or an array of parts`);
  return content
    .map((p, i) => {
      if (!isRecord(p) || p.type !== 'text' || typeof p.text !== 'string') throw new ShapeTranslationError(`${where}.content[${i}] must be a text part`);
      return p.text;
    })
    .join('\n');
}

function userParts(content: unknown, where: string): ChatPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ kind: 'text', text: content }];
  if (!Array.isArray(content)) throw new ShapeTranslationError(`${where}.content must be a string or an array of parts`);
  return content.map((p, i): ChatPart => {
    const at = `${where}.content[${i}]`;
    if (!isRecord(p)) throw new ShapeTranslationError(`${at} must be an object`);
    if (p.type === 'text' && typeof p.text === 'string') return { kind: 'text', text: p.text };
    if (p.type === 'image_url') {
      const url = isRecord(p.image_url) ? str(p.image_url.url) : undefined;
      if (url === undefined) throw new ShapeTranslationError(`${at}.image_url.url must be a string`);
      const data = parseDataUrl(url);
      if (data) return { kind: 'image', mediaType: data.mediaType, data: data.data };
      if (url.startsWith('data:')) throw new ShapeTranslationError(`${at}.image_url.url: only base64 data URLs can be translated`);
      return { kind: 'image_url', url };
    }
    throw new ShapeTranslationError(`${at}: content part type ${JSON.stringify(p.type)} cannot be translated to another provider`);
  });
}

function assistantParts(m: Json, where: string): ChatPart[] {
  if (m.function_call !== undefined && m.function_call !== null) throw new ShapeTranslationError(`${where}.function_call cannot be translated; use tool_calls`);
  if (m.audio !== undefined && m.audio !== null) throw new ShapeTranslationError(`${where}.audio cannot be translated to another provider`);
  const parts: ChatPart[] = [];
  const content = m.content;
  if (typeof content === 'string') {
    if (content !== '') parts.push({ kind: 'text', text: content });
  } else if (Array.isArray(content)) {
    content.forEach((p, i) => {
      if (!isRecord(p)) throw new ShapeTranslationError(`${where}.content[${i}] must be an object`);
      const text = p.type === 'text' ? str(p.text) : p.type === 'refusal' ? str(p.refusal) : undefined;
      if (text === undefined) throw new ShapeTranslationError(`${where}.content[${i}] must be a text or refusal part`);
      if (text !== '') parts.push({ kind: 'text', text });
    });
  } else if (content !== null && content !== undefined) {
    throw new ShapeTranslationError(`${where}.content must be a string, an array of parts or null`);
  }
  optArray(m, 'tool_calls').forEach((c, i) => {
    const at = `${where}.tool_calls[${i}]`;
    if (!isRecord(c) || c.type !== 'function' || !isRecord(c.function)) throw new ShapeTranslationError(`${at} must be a function tool call`);
    const id = str(c.id);
    const name = str(c.function.name);
    const args = str(c.function.arguments) ?? '';
    if (id === undefined || name === undefined) throw new ShapeTranslationError(`${at} needs an id and a function name`);
    parts.push({ kind: 'tool_call', id, name, arguments: args });
  });
  return parts;
}

function decodeTools(body: Json): ChatTool[] {
  return optArray(body, 'tools').map((t, i): ChatTool => {
    if (!isRecord(t) || t.type !== 'function' || !isRecord(t.function)) throw new ShapeTranslationError(`tools[${i}]: only function tools can be translated to another provider`);
    const name = str(t.function.name);
    if (name === undefined || name === '') throw new ShapeTranslationError(`tools[${i}].function.name must be a non-empty string`);
    const parameters = t.function.parameters ?? { type: 'object', properties: {} };
    if (!isRecord(parameters)) throw new ShapeTranslationError(`tools[${i}].function.parameters must be an object`);
    const description = str(t.function.description);
    return description === undefined ? { name, parameters } : { name, description, parameters };
  });
}

function decodeToolChoice(body: Json): ChatToolChoice | undefined {
  const c = body.tool_choice;
  if (c === undefined || c === null) return undefined;
  if (c === 'auto' || c === 'none' || c === 'required') return c;
  if (isRecord(c) && c.type === 'function' && isRecord(c.function) && typeof c.function.name === 'string') return { name: c.function.name };
  throw new ShapeTranslationError('tool_choice must be "auto", "none", "required" or a named function');
}

function decodeResponseFormat(body: Json): ChatResponseFormat | undefined {
  const f = optRecord(body, 'response_format');
  if (f === undefined || f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'json_object' };
  if (f.type === 'json_schema' && isRecord(f.json_schema) && isRecord(f.json_schema.schema)) {
    return { type: 'json_schema', name: str(f.json_schema.name) ?? 'response', schema: f.json_schema.schema };
  }
  throw new ShapeTranslationError('response_format must be text, json_object or json_schema with a schema');
}

function decodeStop(body: Json): string[] {
  const s = body.stop;
  if (s === undefined || s === null) return [];
  if (typeof s === 'string') return [s];
  if (Array.isArray(s) && s.every((x) => typeof x === 'string')) return s as string[];
  throw new ShapeTranslationError('stop must be a string or an array of strings');
}

export function decodeOpenAIChatRequest(body: Json): ChatRequest {
  refuseInexpressible(body);
  const messages = optArray(body, 'messages');
  if (messages.length === 0) throw new ShapeTranslationError('messages must be a non-empty array');
  const system: string[] = [];
  const turns: ChatTurn[] = [];
  const callNames = new Map<string, string>();
  messages.forEach((raw, i) => {
    const where = `messages[${i}]`;
    if (!isRecord(raw)) throw new ShapeTranslationError(`${where} must be an object`);
    const role = raw.role;
    if (role === 'system' || role === 'developer') {
      // Anthropic and Gemini take one system prompt: every system message joins it, in order.
      const text = plainText(raw.content, where);
      if (text !== '') system.push(text);
    } else if (role === 'user') {
      turns.push({ role: 'user', parts: userParts(raw.content, where) });
    } else if (role === 'assistant') {
      const parts = assistantParts(raw, where);
      for (const p of parts) if (p.kind === 'tool_call') callNames.set(p.id, p.name);
      turns.push({ role: 'assistant', parts });
    } else if (role === 'tool') {
      const callId = str(raw.tool_call_id);
      if (callId === undefined) throw new ShapeTranslationError(`${where}.tool_call_id must be a string`);
      const name = callNames.get(callId);
      if (name === undefined) throw new ShapeTranslationError(`${where}.tool_call_id ${JSON.stringify(callId)} answers no earlier assistant tool call`);
      turns.push({ role: 'user', parts: [{ kind: 'tool_result', callId, name, content: plainText(raw.content, where), isError: false }] });
    } else {
      throw new ShapeTranslationError(`${where}.role ${JSON.stringify(role)} cannot be translated to another provider`);
    }
  });
  const parallel = body.parallel_tool_calls;
  return {
    system: system.length > 0 ? system.join('\n\n') : undefined,
    turns: mergeTurns(turns),
    tools: decodeTools(body),
    toolChoice: decodeToolChoice(body),
    parallelToolCalls: typeof parallel === 'boolean' ? parallel : undefined,
    maxTokens: optPositiveInt(body, 'max_completion_tokens') ?? optPositiveInt(body, 'max_tokens'),
    temperature: optNumber(body, 'temperature'),
    topP: optNumber(body, 'top_p'),
    topK: undefined,
    stop: decodeStop(body),
    responseFormat: decodeResponseFormat(body),
    presencePenalty: optNumber(body, 'presence_penalty'),
    frequencyPenalty: optNumber(body, 'frequency_penalty'),
    seed: optNumber(body, 'seed'),
    user: optString(body, 'user') ?? optString(body, 'safety_identifier'),
  };
}

function encodeUserTurn(parts: ChatPart[], out: Json[]): void {
  // chat.completions wants each tool result as its own `tool` message right after the assistant's calls.
  const rest: Json[] = [];
  for (const p of parts) {
    if (p.kind === 'tool_result') out.push({ role: 'tool', tool_call_id: p.callId, content: p.content });
    else if (p.kind === 'text') rest.push({ type: 'text', text: p.text });
    else if (p.kind === 'image') rest.push({ type: 'image_url', image_url: { url: `data:${p.mediaType};base64,${p.data}` } });
    else if (p.kind === 'image_url') rest.push({ type: 'image_url', image_url: { url: p.url } });
    else throw new ShapeTranslationError('a user turn cannot hold a tool call');
  }
  if (rest.length === 0) return;
  const textOnly = rest.every((p) => p.type === 'text');
  out.push({ role: 'user', content: textOnly ? rest.map((p) => p.text as string).join('\n') : rest });
}

function encodeAssistantTurn(parts: ChatPart[], out: Json[]): void {
  const text: string[] = [];
  const calls: Json[] = [];
  for (const p of parts) {
    if (p.kind === 'text') text.push(p.text);
    else if (p.kind === 'tool_call') calls.push({ id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments === '' ? '{}' : p.arguments } });
    else throw new ShapeTranslationError('an assistant turn can hold only text and tool calls for chat.completions');
  }
  const m: Json = { role: 'assistant', content: text.length > 0 ? text.join('') : null };
  if (calls.length > 0) m.tool_calls = calls;
  out.push(m);
}

export function encodeOpenAIChatRequest(req: ChatRequest, targetModel: string, stream: boolean): TranslatedRequest {
  if (req.topK !== undefined) throw new ShapeTranslationError('top_k cannot be translated to OpenAI chat.completions');
  if (req.stop.length > MAX_OPENAI_STOP) throw new ShapeTranslationError(`OpenAI chat.completions takes at most ${MAX_OPENAI_STOP} stop sequences`);
  const messages: Json[] = [];
  if (req.system !== undefined) messages.push({ role: 'system', content: req.system });
  for (const t of req.turns) {
    if (t.role === 'user') encodeUserTurn(t.parts, messages);
    else encodeAssistantTurn(t.parts, messages);
  }
  const body: Json = { model: targetModel, messages };
  // max_completion_tokens: the only limit reasoning models accept (max_tokens is deprecated there).
  if (req.maxTokens !== undefined) body.max_completion_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.stop.length > 0) body.stop = req.stop;
  if (req.presencePenalty !== undefined) body.presence_penalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) body.frequency_penalty = req.frequencyPenalty;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.user !== undefined) body.user = req.user;
  if (req.tools.length > 0) {
    body.tools = req.tools.map((t) => ({ type: 'function', function: { name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), parameters: t.parameters } }));
    if (req.parallelToolCalls === false) body.parallel_tool_calls = false;
  }
  const c = req.toolChoice;
  if (c !== undefined) body.tool_choice = typeof c === 'string' ? c : { type: 'function', function: { name: c.name } };
  const f = req.responseFormat;
  if (f?.type === 'json_object') body.response_format = { type: 'json_object' };
  else if (f?.type === 'json_schema') body.response_format = { type: 'json_schema', json_schema: { name: f.name, schema: f.schema } };
  if (stream) {
    body.stream = true;
    // The client's shape reports usage at the end of every stream, so the upstream must send it.
    body.stream_options = { include_usage: true };
  }
  return { path: '/v1/chat/completions', body };
}
