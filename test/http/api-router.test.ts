/** The management API's edge: bearer auth, admin-only routes, OpenAPI, coded JSON errors; and portable domain SQL. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { z } from 'zod';
import { startCostrail } from '../../src/server/costrail-runtime.js';
import { ApiRouter } from '../../src/http/api-router.js';
import { TokenAuthenticator } from '../../src/http/principal.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { tempDir } from '../helpers/temp-dir.js';

async function call(url: string, method: string, token?: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(url, { method: method as 'GET', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

test('admin token: created once with 0600 in the data folder, required on /api, reused on restart', async () => {
  const data = tempDir('costrail-api-');
  const saved = process.env.COSTRAIL_ADMIN_TOKEN;
  delete process.env.COSTRAIL_ADMIN_TOKEN;
  try {
    const rt = await startCostrail({ port: 0, dataDir: data, quiet: true, upstreams: {} });
    try {
      assert.equal(rt.adminTokenCreated, true);
      assert.equal(statSync(join(data, 'admin-token')).mode & 0o777, 0o600);
      assert.equal(readFileSync(join(data, 'admin-token'), 'utf8').trim(), rt.adminToken);
      const anon = await call(`${rt.url}/api/whoami`, 'GET');
      assert.equal(anon.status, 401);
      assert.equal((anon.json['error'] as { code: string }).code, 'unauthorized');
      const wrong = await call(`${rt.url}/api/whoami`, 'GET', rt.adminToken + 'x');
      assert.equal(wrong.status, 401);
      const me = await call(`${rt.url}/api/whoami`, 'GET', rt.adminToken);
      assert.equal(me.status, 200);
      assert.equal(me.json['kind'], 'admin');
      const missing = await call(`${rt.url}/api/nothing-here`, 'GET', rt.adminToken);
      assert.equal(missing.status, 404);
      const spec = await call(`${rt.url}/api/openapi.json`, 'GET');
      assert.equal(spec.status, 200);
      assert.ok((spec.json['paths'] as Record<string, unknown>)['/api/whoami']);
    } finally {
      await rt.close();
    }
    const again = await startCostrail({ port: 0, dataDir: data, quiet: true, upstreams: {} });
    try {
      assert.equal(again.adminTokenCreated, false);
      assert.equal(again.adminToken, readFileSync(join(data, 'admin-token'), 'utf8').trim());
    } finally {
      await again.close();
    }
  } finally {
    if (saved !== undefined) process.env.COSTRAIL_ADMIN_TOKEN = saved;
  }
});

test('router: body validation names the field, wrong method is 405, scoped tokens cannot reach admin routes', async () => {
  const auth = new TokenAuthenticator('admin-secret');
  auth.addSource({ authenticate: (t) => (t === 'team-token' ? { kind: 'scoped', token_id: 't1', scope: { team: 'search' } } : undefined) });
  const api = new ApiRouter(auth);
  api.add({ method: 'POST', path: '/api/things', summary: 'make a thing', tag: 'Test', body: z.object({ name: z.string().min(1) }), handler: (r) => ({ status: 201, body: { made: r.body.name } }) });
  api.add({ method: 'GET', path: '/api/things/{id}', summary: 'read a thing', tag: 'Test', access: 'read', handler: (r) => ({ body: { id: r.params['id'], scope: r.principal.scope } }) });
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => void api.handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const bad = await call(`${base}/api/things`, 'POST', 'admin-secret', { name: '' });
    assert.equal(bad.status, 400);
    assert.match((bad.json['error'] as { message: string }).message, /^name: /);
    const ok = await call(`${base}/api/things`, 'POST', 'admin-secret', { name: 'a' });
    assert.deepEqual([ok.status, ok.json], [201, { made: 'a' }]);
    assert.equal((await call(`${base}/api/things`, 'DELETE', 'admin-secret')).status, 405);
    assert.equal((await call(`${base}/api/things`, 'POST', 'team-token', { name: 'a' })).status, 403);
    const read = await call(`${base}/api/things/a%20b`, 'GET', 'team-token');
    assert.deepEqual(read.json, { id: 'a b', scope: { team: 'search' } });
    const spec = api.openApi() as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    assert.ok(spec.paths['/api/things']?.['post']?.requestBody);
  } finally {
    server.close();
  }
});

test('portable domain SQL on the embedded store: per-domain migrations once, exact BIGINT and DECIMAL, transactions roll back', async () => {
  const data = tempDir('costrail-sql-');
  const store = await DuckDbStore.open(data);
  try {
    const migrations = [{ version: 1, name: 'things', duckdb: 'CREATE TABLE things (id VARCHAR PRIMARY KEY, n BIGINT, usd DECIMAL(38,18), ok BOOLEAN)', postgres: 'unused here' }];
    await store.migrateDomain('test', migrations);
    await store.migrateDomain('test', migrations); // second run is a no-op, not a "table exists" error
    await store.sql.execute('INSERT INTO things VALUES ($1, $2, $3, $4)', ['a', 9007199254740993n, '0.000000000000000001', true]);
    const rows = await store.sql.query('SELECT * FROM things WHERE id = $1', ['a']);
    assert.deepEqual(rows, [{ id: 'a', n: '9007199254740993', usd: '0.000000000000000001', ok: true }]);
    await assert.rejects(
      store.sql.transaction(async (tx) => {
        await tx.execute('INSERT INTO things VALUES ($1, $2, $3, $4)', ['b', 1, '1', false]);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal((await store.sql.query('SELECT count(*) AS n FROM things')).at(0)?.['n'], '1');
  } finally {
    await store.close();
  }
});
