/**
 * OpenAI Chat Completions streams carry no usage unless the request sets
 * stream_options.include_usage (pricing_rules.md section 1, streaming rules), so the gateway
 * turns it on and strips the extra usage chunk (choices: []) when the client had not asked for it.
 */

/**
 * Sets stream_options.include_usage = true on a streaming chat request (mutating `body`).
 * Returns true when it changed the request, i.e. the client will not expect the usage chunk.
 * Non-streaming requests are left alone: OpenAI rejects stream_options without stream: true.
 */
export function ensureStreamUsage(body: Record<string, unknown>): boolean {
  if (body.stream !== true) return false;
  const opts = body.stream_options;
  if (typeof opts === 'object' && opts !== null && !Array.isArray(opts)) {
    const rec = opts as Record<string, unknown>;
    if (rec.include_usage === true) return false;
    rec.include_usage = true;
    return true;
  }
  body.stream_options = { include_usage: true };
  return true;
}
