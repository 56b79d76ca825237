/** Master key loading, sealing of provider credentials, expiry parsing and model patterns. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadMasterKey, MASTER_KEY_FILE, parseMasterKey, SecretBox } from '../../src/keys/master-key.js';
import { parseExpiry } from '../../src/keys/expiry.js';
import { modelAllowed } from '../../src/gateway/model-allow-list.js';
import { tempDir } from '../helpers/temp-dir.js';

test('COSTRAIL_MASTER_KEY: 32 bytes as hex or base64; anything else is refused with the fix', () => {
  const raw = randomBytes(32);
  assert.deepEqual(parseMasterKey(raw.toString('hex')), raw);
  assert.deepEqual(parseMasterKey(raw.toString('base64')), raw);
  assert.deepEqual(parseMasterKey(` ${raw.toString('base64url')}\n`), raw);
  for (const bad of ['short', randomBytes(16).toString('base64'), randomBytes(31).toString('hex'), 'not base64 !!']) assert.throws(() => parseMasterKey(bad), /32 bytes.*openssl rand/);
  const fromEnv = loadMasterKey(tempDir('mk-'), { COSTRAIL_MASTER_KEY: raw.toString('hex') });
  assert.deepEqual([fromEnv.key, fromEnv.source], [raw, 'env']);
});

test('key file: created once with 0600, reused, permissions narrowed if widened', () => {
  const dir = tempDir('mk-');
  const first = loadMasterKey(dir, {});
  assert.equal(first.created, true);
  const file = join(dir, MASTER_KEY_FILE);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readFileSync(file, 'utf8').trim(), first.key.toString('base64'));
  chmodSync(file, 0o644);
  const again = loadMasterKey(dir, {});
  assert.deepEqual([again.created, again.narrowedPermissions, again.key.equals(first.key)], [false, true, true]);
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test('sealed secrets: round trip, not in clear, bound to their provider, tamper-evident, wrong key named', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.seal('sk-provider-secret', 'openai');
  assert.ok(!sealed.includes('sk-provider-secret'));
  assert.notEqual(box.seal('sk-provider-secret', 'openai'), sealed, 'a fresh IV each time');
  assert.equal(box.open(sealed, 'openai'), 'sk-provider-secret');
  assert.throws(() => box.open(sealed, 'anthropic'));
  const parts = sealed.split('.');
  const ct = Buffer.from(parts[4] ?? '', 'base64url');
  ct[0] = (ct[0] ?? 0) ^ 1;
  assert.throws(() => box.open([...parts.slice(0, 4), ct.toString('base64url')].join('.'), 'openai'));
  assert.throws(() => new SecretBox(randomBytes(32)).open(sealed, 'openai'), /another master key.*COSTRAIL_MASTER_KEY/);
});

test('expiry: durations and future ISO dates; the past and nonsense are explained', () => {
  const now = Date.parse('2026-11-27T00:00:00Z');
  assert.equal(parseExpiry('30d', now), now + 30 * 86_400_000);
  assert.equal(parseExpiry('12h', now), now + 12 * 3_600_000);
  assert.equal(parseExpiry('90m', now), now + 90 * 60_000);
  assert.equal(parseExpiry('2w', now), now + 14 * 86_400_000);
  assert.equal(parseExpiry('2027-01-31', now), Date.parse('2027-01-31'));
  assert.match(String(parseExpiry('2020-01-01', now)), /in the past/);
  assert.match(String(parseExpiry('0d', now)), /future/);
  assert.match(String(parseExpiry('tomorrow', now)), /duration like 30d/);
});

test('model allow-list patterns: exact, wildcard, case-insensitive, provider-qualified', () => {
  assert.ok(modelAllowed(['gpt-4o-mini'], 'openai', 'gpt-4o-mini'));
  assert.ok(!modelAllowed(['gpt-4o-mini'], 'openai', 'gpt-4o'));
  assert.ok(!modelAllowed(['gpt-4o'], 'openai', 'gpt-4o-mini'), 'no implicit prefix match');
  assert.ok(modelAllowed(['claude-*'], 'anthropic', 'Claude-3-5-haiku-20241022'));
  assert.ok(modelAllowed(['gpt-4o*'], 'openai', 'gpt-4o-2024-08-06'));
  assert.ok(modelAllowed(['anthropic/*'], 'anthropic', 'claude-opus-4'));
  assert.ok(!modelAllowed(['anthropic/*'], 'openai', 'claude-opus-4'));
  assert.ok(!modelAllowed(['gpt.4o'], 'openai', 'gpt-4o'), 'dots are literal');
});
