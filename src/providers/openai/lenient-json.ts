/**
 * JSON with trailing commas, as in OpenAI's documentation examples (the Batch object example
 * has `"batch_description": "Nightly eval job",}`). Only commas that directly precede a closing
 * bracket, outside strings, are dropped; anything else must be strict JSON.
 */
import { ProviderPayloadError } from '../spec.js';

export function stripTrailingCommas(text: string): string {
  let out = '';
  let copiedTo = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
    } else if (c === 44 /* , */) {
      let j = i + 1;
      while (j < text.length && isJsonSpace(text.charCodeAt(j))) j++;
      const next = text.charCodeAt(j);
      if (next === 125 /* } */ || next === 93 /* ] */) {
        out += text.slice(copiedTo, i);
        copiedTo = i + 1;
      }
    }
  }
  return copiedTo === 0 ? text : out + text.slice(copiedTo);
}

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Parses JSON that may contain trailing commas; throws ProviderPayloadError when still invalid. */
export function parseLenientJson(text: string): unknown {
  try {
    return JSON.parse(stripTrailingCommas(text));
  } catch (e) {
    throw new ProviderPayloadError(`not JSON even without trailing commas: ${(e as Error).message}`);
  }
}
