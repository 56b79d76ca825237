/**
 * Webhook signing secrets and SMTP passwords are stored sealed (AES-256-GCM under the master key),
 * never in clear; channels added by an earlier version in clear are sealed at the next start, and
 * delivery still gets the real secret.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startCostrail } from '../../src/server/costrail-runtime.js';
import type { CostrailRuntime } from '../../src/server/costrail-runtime.js';

const SECRET = 'shh-webhook-signing-secret-42';
const PASSWORD = 'smtp-password-do-not-store';

const rawRows = async (rt: CostrailRuntime): Promise<string> => (await rt.store.sql.query('SELECT id, body FROM alert_channels')).map((r) => String(r['body'])).join('\n');

test('channel secrets are sealed at rest, and clear ones from an earlier version are sealed at start', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-channel-secrets-'));
  try {
    let rt = await startCostrail({ port: 0, dataDir, quiet: true });
    try {
      const post = (body: unknown) => fetch(`${rt.url}/api/alert-channels`, { method: 'POST', headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const hook = await post({ type: 'webhook', url: 'http://127.0.0.1:9/hook', secret: SECRET });
      assert.equal(hook.status, 201);
      assert.equal(((await hook.json()) as Record<string, unknown>)['secret'], '***');
      assert.equal((await post({ type: 'email', smtp: { host: '127.0.0.1', port: 25, user: 'u', password: PASSWORD }, from: 'a@x.example', to: ['b@x.example'] })).status, 201);
      const stored = await rawRows(rt);
      assert.doesNotMatch(stored, new RegExp(SECRET));
      assert.doesNotMatch(stored, new RegExp(PASSWORD));
      assert.match(stored, /"secret_sealed":"v1\./);
      // Delivery reads them back in clear.
      const channels = await rt.alerts.repo.channels();
      assert.deepEqual(channels.map((c) => (c.type === 'webhook' ? c.secret : c.type === 'email' ? c.smtp.password : null)), [SECRET, PASSWORD]);
      // A row as an earlier version wrote it: the secret in clear.
      await rt.store.sql.execute('INSERT INTO alert_channels (id, body, created_at) VALUES ($1, $2, $3)', ['legacy', JSON.stringify({ id: 'legacy', type: 'webhook', url: 'http://127.0.0.1:9/old', secret: `${SECRET}-legacy` }), Date.now()]);
    } finally {
      await rt.close();
    }
    rt = await startCostrail({ port: 0, dataDir, quiet: true });
    try {
      assert.doesNotMatch(await rawRows(rt), new RegExp(SECRET), 'the legacy clear secret was sealed at start');
      const legacy = (await rt.alerts.repo.channels()).find((c) => c.id === 'legacy');
      assert.equal(legacy?.type === 'webhook' ? legacy.secret : undefined, `${SECRET}-legacy`);
    } finally {
      await rt.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
