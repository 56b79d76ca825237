/**
 * `x-sim-tool-call: 1`: when the request declares tools, the simulated model answers with one
 * call to the first declared tool instead of text, in each provider's own shape (so translation
 * and SDK tests see real tool-call answers, streamed and not). The arguments are
 * `{"query": <the first words of the text it would have written>}`, streamed in two pieces.
 */
export interface SimToolCall {
  name: string;
  args: { query: string };
  /** The arguments' JSON text, and the same text cut in two for streams. */
  json: string;
  pieces: [string, string];
}

export function simToolCall(enabled: boolean, toolName: unknown, text: string): SimToolCall | undefined {
  if (!enabled || typeof toolName !== 'string' || toolName === '') return undefined;
  const args = { query: text.split(' ').slice(0, 3).join(' ') };
  const json = JSON.stringify(args);
  const cut = Math.floor(json.length / 2);
  return { name: toolName, args, json, pieces: [json.slice(0, cut), json.slice(cut)] };
}
