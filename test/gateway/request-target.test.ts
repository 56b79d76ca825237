/**
 * originFormPath skips the URL parser for targets it would return unchanged: that shortcut must
 * give, for every target, exactly what the parser gives (the path that is routed is the path that is sent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { originFormPath } from '../../src/gateway/request-target.js';

/** What the WHATWG parser makes of an origin-form target (the rule before the shortcut). */
function parsed(target: string): string | undefined {
  if (!target.startsWith('/')) return undefined;
  const u = new URL('http://gateway.invalid' + target);
  return u.origin === 'http://gateway.invalid' ? u.pathname + u.search : undefined;
}

const TARGETS = [
  '/v1/chat/completions',
  '/v1beta/models/gemini-1.5-flash:streamGenerateContent',
  '/openai/v1/responses',
  '/v1/../admin',
  '/v1/./chat/completions',
  '/v1/chat/..',
  '/v1/chat/.',
  '/.',
  '/..',
  '/v1/.../x',
  '/v1/..x/y',
  '/v1/%2e%2e/admin',
  '/v1/%2E/x',
  '/v1\\..\\admin',
  '//evil.example/v1/chat/completions',
  '/v1/chat completions',
  '/v1/chat/completions?x=1',
  '/v1/chat/completions#frag',
  '/v1/caf\u00e9',
  "/v1/a'b(c)*d+e,f;g=h!i$j&k@l~m",
  '/v1/a"b<c>d`e{f}g',
  '/v1/tab\there',
];

test('the shortcut answers exactly as the URL parser for plain, dotted, encoded and hostile targets', () => {
  for (const t of TARGETS) assert.equal(originFormPath(t), parsed(t), t);
});

test('dot segments are still resolved and encoded dots still decoded as segments', () => {
  assert.equal(originFormPath('/v1/../admin'), '/admin');
  assert.equal(originFormPath('/v1/%2e%2e/admin'), '/admin');
  assert.equal(originFormPath('/v1/chat/completions'), '/v1/chat/completions');
});
