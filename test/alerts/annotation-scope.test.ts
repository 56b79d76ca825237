/** A team-scoped API token reads only the annotations inside its scope, never other teams'. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startCostrail } from '../../src/server/costrail-runtime.js';

test('GET /api/annotations with a scoped token shows only annotations inside its scope', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-annotations-'));
  const rt = await startCostrail({ port: 0, dataDir, quiet: true });
  try {
    const api = async (method: string, p: string, token: string, body?: unknown) => {
      const res = await fetch(rt.url + p, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const window = { from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' };
    for (const [scope, note] of [
      [{ team: 'search' }, 'search launch'],
      [{ team: 'search', feature: 'answer' }, 'answer load test'],
      [{ team: 'growth' }, 'growth secret launch'],
      [{}, 'company-wide event'],
    ] as const) {
      assert.equal((await api('POST', '/api/annotations', rt.adminToken, { scope, note, ...window })).status, 201);
    }
    const { secret } = await rt.context.keys.tokens.create('search dashboard', { team: 'search' });
    const seen = await api('GET', '/api/annotations', secret);
    assert.equal(seen.status, 200);
    const notes = (seen.body['annotations'] as { note: string }[]).map((a) => a.note).sort();
    assert.deepEqual(notes, ['answer load test', 'search launch']);
    const all = await api('GET', '/api/annotations', rt.adminToken);
    assert.equal((all.body['annotations'] as unknown[]).length, 4);
  } finally {
    await rt.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
