/**
 * `costrail serve`'s settings resolve in one place: the config file is strict (a misspelt key stops
 * the start and is named), `keys:` and `retention_days` are part of the one schema, the retention
 * flag (or its variable, folded in by the CLI) wins over the file, and environment values reach
 * the sections that take them (pass-through mode, held credentials, policy counters).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveServeSettings } from '../../src/config/serve-settings.js';
import { policySettingsFrom } from '../../src/config/policy-settings.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('costrail-config-');
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('an unknown key in the config file is refused with its full name, at every level', () => {
  const top = file('top.yaml', 'retention_day: 30\n');
  assert.throws(() => resolveServeSettings({ config: top }, {}), (e: Error) => e.message.startsWith(`${top}: unknown key "retention_day"`) && e.message.includes('retention_days'));
  const nested = file('nested.yaml', 'providers:\n  openai:\n    base_ur: http://127.0.0.1:1/v1\n');
  assert.throws(() => resolveServeSettings({ config: nested }, {}), /unknown key "providers\.openai\.base_ur"/);
  const keys = file('keys.yaml', 'keys:\n  pass_thru: true\n');
  assert.throws(() => resolveServeSettings({ config: keys }, {}), /unknown key "keys\.pass_thru"/);
});

test('retention: flag (or COSTRAIL_RETENTION_DAYS) over the file; bad values name their source', () => {
  const path = file('retention.yaml', 'retention_days: 400\n');
  assert.equal(resolveServeSettings({ config: path }, {}).retentionDays, 400);
  assert.equal(resolveServeSettings({ config: path, retentionDays: '30' }, {}).retentionDays, 30);
  assert.equal(resolveServeSettings({}, {}).retentionDays, undefined);
  assert.throws(() => resolveServeSettings({ retentionDays: '0' }, {}), /--retention-days must be a positive integer, not "0"/);
  assert.throws(() => resolveServeSettings({ config: file('bad-retention.yaml', 'retention_days: 1.5\n') }, {}), /retention_days: must be a positive integer/);
});

test('keys: from the same file; COSTRAIL_PASS_THROUGH overrides it; held credentials read from the named variable', () => {
  const path = file('keys-ok.yaml', 'keys:\n  pass_through: false\n  provider_credentials:\n    openai: { env: HELD_OPENAI }\n');
  const s = resolveServeSettings({ config: path }, { HELD_OPENAI: 'sk-held' });
  assert.equal(s.keys.passThrough, false);
  assert.deepEqual(s.keys.providerCredentials, { openai: 'sk-held' });
  assert.equal(resolveServeSettings({ config: path }, { HELD_OPENAI: 'sk-held', COSTRAIL_PASS_THROUGH: 'true' }).keys.passThrough, true);
  assert.throws(() => resolveServeSettings({ config: path }, {}), /HELD_OPENAI is not set/);
});

test('policy settings come from the environment as typed values', () => {
  assert.deepEqual(policySettingsFrom({}), {});
  assert.deepEqual(policySettingsFrom({ COSTRAIL_REDIS_URL: 'redis://127.0.0.1:6379', COSTRAIL_REDIS_TIMEOUT_MS: '250', COSTRAIL_RESERVATION_CEILING_USD: '2', COSTRAIL_POLICY_SYNC_MS: '500' }), {
    redis: { url: 'redis://127.0.0.1:6379', prefix: 'costrail:', timeoutMs: 250 },
    reservationCeilingUsd: '2',
    syncIntervalMs: 500,
  });
});
