/**
 * Anthropic Messages requests and their answers' stop reasons. The stable prefix follows Anthropic's
 * cache order (tools, system, messages): the tools and system, and, when a message block carries a
 * `cache_control` breakpoint, every message up to and including the last one that does.
 */
import { firstCount, lengthOf, requestShape, type RequestShape } from '../request-shape.js';
import { asRecord, responseIdValue, type ApiKind } from '../spec.js';

function hasBreakpoint(message: unknown): boolean {
  const content = asRecord(message)?.content;
  return Array.isArray(content) && content.some((b) => asRecord(b)?.cache_control !== undefined);
}

export function anthropicRequestShape(body: Record<string, unknown>, api: ApiKind, model?: string): RequestShape | undefined {
  if (api !== 'messages') return undefined;
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  let last = -1;
  for (let i = messages.length - 1; i >= 0 && last < 0; i--) if (hasBreakpoint(messages[i])) last = i;
  return requestShape(api, model, body, {
    prefix: [body.tools, body.system, ...messages.slice(0, last + 1)],
    messages: lengthOf(body.messages),
    tools: lengthOf(body.tools),
    maxOutput: firstCount(body, 'max_tokens'),
  });
}

/** The message id (`msg_…`). */
export function anthropicResponseId(body: Record<string, unknown>): string | undefined {
  return responseIdValue(body.id);
}

export function anthropicFinishReason(body: Record<string, unknown>): string | undefined {
  return typeof body.stop_reason === 'string' ? body.stop_reason : undefined;
}
