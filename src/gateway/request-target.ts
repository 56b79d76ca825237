/**
 * The request target as the gateway reads it. Only origin-form (`/path?query`) is a gateway
 * call: an absolute-form target (`POST munity://x/v1/messages`) once became part of the upstream
 * URL, so the provider's host was whatever the client wrote, and the operator's key went there.
 * Absolute-form, authority-form (`host:443`) and asterisk-form (`*`) are refused.
 *
 * The path is normalised as the WHATWG URL parser normalises it on the way out (dot segments,
 * `%2e%2e`, backslashes), so the path that is routed and checked is the path that is sent.
 */
const PARSE_BASE = 'http://gateway.invalid';

/**
 * A path, without query, of bytes the WHATWG parser neither percent-encodes nor normalises (no
 * `%`, `\\`, `?`, `#`, blanks, controls or non-ASCII): it parses to itself unless a segment is `.` or `..`.
 */
const UNCHANGED_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

/** The normalised path and query of an origin-form target; undefined for any other form. */
export function originFormPath(target: string): string | undefined {
  if (target.charCodeAt(0) !== 47 /* / */) return undefined;
  // The common target (`/v1/chat/completions`) is one the parser would return unchanged: skip it.
  if (UNCHANGED_PATH.test(target) && !DOT_SEGMENT.test(target)) return target;
  let u: URL;
  try {
    // Concatenated, not resolved against a base: `//evil.example/x` stays a path here.
    u = new URL(PARSE_BASE + target);
  } catch {
    return undefined;
  }
  if (u.origin !== PARSE_BASE) return undefined;
  return u.pathname + u.search;
}

/** The path of any target, only to pick the error dialect of its refusal (never to route). */
export function pathForRefusal(target: string): string {
  const own = originFormPath(target);
  if (own !== undefined) return own;
  try {
    return new URL(target).pathname;
  } catch {
    return '/';
  }
}
