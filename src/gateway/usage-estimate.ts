/**
 * Usage counted by Costrail when the provider reported none (client hung up mid-stream, or a
 * stream that carried no usage). Tokens are counted with gpt-tokenizer (o200k encoding): exact
 * for OpenAI's current models, an approximation for others, which is why such records say
 * `usage_source: "estimated"`.
 */
import { emptyUsage, type Usage } from '../providers/spec.js';

type Encode = (text: string) => number[];
let encoder: Encode | undefined;

async function encode(): Promise<Encode> {
  // Loaded on first estimate: the encoder's tables are large and most calls never need them.
  if (!encoder) encoder = (await import('gpt-tokenizer')).encode as Encode;
  return encoder;
}

/** Collects the prompt text of any of the supported request shapes. */
export function promptText(body: Record<string, unknown> | undefined): string {
  if (!body) return '';
  const parts: string[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (depth > 8) return;
    if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of ['text', 'content', 'input', 'parts', 'system', 'instructions', 'messages', 'contents', 'systemInstruction', 'prompt']) if (k in o) visit(o[k], depth + 1);
    }
  };
  for (const k of ['messages', 'input', 'contents', 'system', 'instructions', 'systemInstruction', 'prompt']) visit(body[k], 0);
  return parts.join('\n');
}

export async function estimateUsage(body: Record<string, unknown> | undefined, outputText: string): Promise<Usage> {
  const enc = await encode();
  const u = emptyUsage();
  u.input_tokens = enc(promptText(body)).length;
  u.output_tokens = outputText.length > 0 ? enc(outputText).length : 0;
  return u;
}
