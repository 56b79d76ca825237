/** `costrail keys` and `costrail tokens` as a user runs them, on a data folder with no server running. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

function costrail(args: string[], input?: string): { code: number; out: string; err: string } {
  const env = { ...process.env };
  delete env['COSTRAIL_ADMIN_TOKEN'];
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input, env });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('keys create / list / revoke, provider-credential set from stdin, tokens create / revoke', () => {
  const data = tempDir('costrail-keys-cli-');
  // Pass-through mode: the first key ends it, so without a terminal to ask at, it takes --yes.
  const unconfirmed = costrail(['keys', 'create', '--data', data, '--team', 'search']);
  assert.equal(unconfirmed.code, 2);
  assert.match(unconfirmed.err, /pass-through mode.*401.*--yes.*COSTRAIL_PASS_THROUGH=true/);
  assert.equal(costrail(['keys', 'list', '--data', data, '--json']).out.trim(), '[]', 'nothing was created');
  const created = costrail(['keys', 'create', '--data', data, '--team', 'search', '--feature', 'answer', '--prompt-version', 'v3', '--models', 'gpt-4o-mini, claude-*', '--expires', '30d', '--tag', 'tier=gold', '--allow-endpoint', 'GET /openai/v1/files*', '--allow-endpoint', '/openai/v1/batches*', '--yes', '--json']);
  assert.equal(created.code, 0, created.err);
  const { key, secret } = JSON.parse(created.out) as { key: { id: string; team: string; prompt_version: string; models: string[]; tags: Record<string, string>; expires_at: string; allowed_endpoints: string[] }; secret: string };
  assert.match(secret, /^cr_/);
  assert.deepEqual([key.team, key.prompt_version, key.models, key.tags], ['search', 'v3', ['gpt-4o-mini', 'claude-*'], { tier: 'gold' }]);
  assert.deepEqual(key.allowed_endpoints, ['GET /openai/v1/files*', '/openai/v1/batches*']);
  assert.ok(Date.parse(key.expires_at) > Date.now() + 29 * 86_400_000);

  const set = costrail(['keys', 'provider-credential', 'set', '--provider', 'openai', '--secret', '-', '--data', data], 'sk-from-stdin-991\n');
  assert.equal(set.code, 0, set.err);
  const creds = costrail(['keys', 'provider-credential', 'list', '--data', data, '--json']);
  assert.deepEqual((JSON.parse(creds.out) as { provider: string }[]).map((c) => c.provider), ['openai']);
  assert.ok(!creds.out.includes('sk-from-stdin-991'));

  const listed = costrail(['keys', 'list', '--data', data]);
  assert.equal(listed.code, 0);
  assert.match(listed.out, new RegExp(`${key.id}.*active.*search`));
  assert.ok(!listed.out.includes(secret));

  const bad = costrail(['keys', 'create', '--data', data, '--expires', 'soon']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^costrail: expires: .*30d/);

  assert.equal(costrail(['keys', 'revoke', key.id, '--data', data]).code, 0);
  const after = JSON.parse(costrail(['keys', 'list', '--data', data, '--json']).out) as { id: string; status: string }[];
  assert.equal(after.find((k) => k.id === key.id)?.status, 'revoked');

  const tok = costrail(['tokens', 'create', '--name', 'search dashboard', '--scope', 'team=search', '--data', data, '--json']);
  assert.equal(tok.code, 0, tok.err);
  const t = JSON.parse(tok.out) as { token: { id: string; scope: Record<string, string> }; secret: string };
  assert.deepEqual(t.token.scope, { team: 'search' });
  assert.equal(costrail(['tokens', 'revoke', t.token.id, '--data', data]).code, 0);
  assert.match(costrail(['tokens', 'list', '--data', data]).out, new RegExp(`${t.token.id}.*revoked.*team=search`));
});
