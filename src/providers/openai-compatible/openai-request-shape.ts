/**
 * OpenAI-shaped requests (Chat Completions, Responses) and their answers' finish reasons.
 * The stable prefix is the system and developer messages (Responses: `instructions` too) and the tools.
 */
import { firstCount, lengthOf, requestShape, type RequestShape } from '../request-shape.js';
import { asRecord, responseIdValue, type ApiKind } from '../spec.js';

const PREFIX_ROLES = new Set(['system', 'developer']);

function prefixMessages(items: unknown): unknown[] {
  if (!Array.isArray(items)) return [];
  return items.filter((m) => PREFIX_ROLES.has(String(asRecord(m)?.role)));
}

export function openAiRequestShape(body: Record<string, unknown>, api: ApiKind, model?: string): RequestShape | undefined {
  if (api === 'chat.completions') {
    const tools = body.tools ?? body.functions;
    return requestShape(api, model, body, {
      prefix: [...prefixMessages(body.messages), tools],
      messages: lengthOf(body.messages),
      tools: lengthOf(tools),
      maxOutput: firstCount(body, 'max_completion_tokens', 'max_tokens'),
    });
  }
  if (api === 'responses') {
    const input = body.input;
    return requestShape(api, model, body, {
      prefix: [body.instructions, ...prefixMessages(input), body.tools],
      messages: typeof input === 'string' ? 1 : lengthOf(input),
      tools: lengthOf(body.tools),
      maxOutput: firstCount(body, 'max_output_tokens'),
    });
  }
  return undefined;
}

/** Chat (`chatcmpl-…`) and Responses (`resp_…`): the body's `id`; other APIs carry none that names one call. */
export function openAiResponseId(body: Record<string, unknown>, api: ApiKind): string | undefined {
  if (api !== 'chat.completions' && api !== 'responses') return undefined;
  return responseIdValue(body.id);
}

/** Chat: the first choice's `finish_reason`; Responses: `status`, with `incomplete_details.reason` after a colon. */
export function openAiFinishReason(body: Record<string, unknown>, api: ApiKind): string | undefined {
  if (api === 'chat.completions') {
    const first = Array.isArray(body.choices) ? asRecord(body.choices[0]) : undefined;
    return typeof first?.finish_reason === 'string' ? first.finish_reason : undefined;
  }
  if (api === 'responses') {
    if (typeof body.status !== 'string') return undefined;
    const reason = asRecord(body.incomplete_details)?.reason;
    return typeof reason === 'string' ? `${body.status}:${reason}` : body.status;
  }
  return undefined;
}
