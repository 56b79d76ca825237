/**
 * The gateway on a PostgreSQL ledger behind a TCP proxy the test controls (cut, reset, restore),
 * in front of the real shared server. A connection reset must never crash the process; with the
 * database down the gateway keeps answering and the spool keeps every record; when it returns,
 * the writer commits them by itself. Calls acknowledged vs records committed must be equal
 * (printed for the closing note). `serve` must also start with the database unreachable.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { dropSchemas, PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { startTcpFaultProxy, type TcpFaultProxy } from '../helpers/tcp-fault-proxy.js';

const available = await postgresAvailable('the PostgreSQL fault-injection tests');
const schemas: string[] = [];
const dirs: string[] = [];
let sim: Simulator;
let proxy: TcpFaultProxy;

before(async () => {
  if (!available) return;
  sim = await startSimulator();
  const target = new URL(PG_URL);
  proxy = await startTcpFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
});

after(async () => {
  if (!available) return;
  await proxy.close();
  await sim.close();
  await dropSchemas(schemas);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function freshSchema(): string {
  const s = `costrail_faults_${process.pid}_${randomBytes(3).toString('hex')}`;
  schemas.push(s);
  return s;
}

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-pgfaults-'));
  dirs.push(d);
  return d;
}

/** Records in the schema, read on a direct connection (not through the proxy). */
async function committed(schema: string): Promise<number> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".ledger`);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await c.end();
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, limitMs = 90_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs with COSTRAIL_DATABASE_URL/SCHEMA pointing at the proxy (openStore reads the environment). */
async function withDatabaseEnv<T>(schema: string, fn: () => Promise<T>): Promise<T> {
  const saved = { url: process.env.COSTRAIL_DATABASE_URL, schema: process.env.COSTRAIL_DATABASE_SCHEMA };
  process.env.COSTRAIL_DATABASE_URL = proxy.proxiedUrl(PG_URL);
  process.env.COSTRAIL_DATABASE_SCHEMA = schema;
  try {
    return await fn();
  } finally {
    if (saved.url === undefined) delete process.env.COSTRAIL_DATABASE_URL;
    else process.env.COSTRAIL_DATABASE_URL = saved.url;
    if (saved.schema === undefined) delete process.env.COSTRAIL_DATABASE_SCHEMA;
    else process.env.COSTRAIL_DATABASE_SCHEMA = saved.schema;
  }
}

const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Summarise the quarterly spend' }] });
const callGateway = (url: string): Promise<Response> => fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' }, body: chat });

describe('PostgreSQL faults', { skip: !available }, () => {
  it('a reset on a client taken with pool.connect() does not crash the process', async () => {
    const store = await PostgresStore.open(proxy.proxiedUrl(PG_URL), { schema: freshSchema(), maxConnections: 2 });
    try {
      const client = await store.pool.connect();
      const ended = new Promise<void>((r) => client.once('end', () => r()));
      proxy.reset();
      // Without an error listener on the checked-out client, its 'error' event is an uncaught exception here.
      await ended;
      client.release(true);
      assert.equal(await store.countRecords(), 0, 'the pool reconnects for the next query');
    } finally {
      await store.close();
    }
  });

  it('resets and an outage under load: the gateway keeps answering, nothing is lost, nothing doubled', async () => {
    const schema = freshSchema();
    const rt: CostrailRuntime = await withDatabaseEnv(schema, () => startCostrail({ port: 0, dataDir: tempDir(), upstreams: { openai: `${sim.url}/v1` }, quiet: true }));
    let acknowledged = 0;
    let answeredOk = 0;
    let sent = 0;
    const total = 400;
    let spoolPeak = 0;
    try {
      const worker = async (): Promise<void> => {
        while (sent < total) {
          const n = ++sent;
          // Faults at fixed points of the load, not on timers: resets, then a cut spanning 100 calls.
          if (n === 60 || n === 330) proxy.reset();
          if (n === 150) proxy.cut();
          if (n === 250) {
            spoolPeak = rt.writer.stats().spoolDepth;
            proxy.restore();
          }
          const res = await callGateway(rt.url);
          await res.arrayBuffer();
          acknowledged++;
          if (res.status === 200) answeredOk++;
        }
      };
      await Promise.all(Array.from({ length: 6 }, worker));
      assert.equal(answeredOk, total, 'every call was answered 200 through resets and the outage');
      assert.ok(spoolPeak > 0, 'records waited in the spool during the outage');

      // A second outage, watched from /healthz: degraded (200: calls still served), naming the store and since when.
      proxy.cut();
      for (let i = 0; i < 5; i++) {
        const res = await callGateway(rt.url);
        await res.arrayBuffer();
        acknowledged++;
        assert.equal(res.status, 200);
      }
      type Health = { status: string; dependencies: { ledger_store: { status: string; since: string | null } } };
      let seen: Health | undefined;
      await until('healthz to report the store unreachable', async () => {
        const res = await fetch(`${rt.url}/healthz`);
        seen = (await res.json()) as Health;
        return res.status === 200 && seen.status === 'degraded';
      });
      assert.equal(seen?.dependencies.ledger_store.status, 'unreachable');
      assert.ok(!Number.isNaN(Date.parse(seen?.dependencies.ledger_store.since ?? '')));
      proxy.restore();
      // No flush() here: the writer must commit by itself once the database is back (retry with back-off).
      await until('the spool to drain', () => rt.writer.stats().spoolDepth === 0);
      const inLedger = await committed(schema);
      console.log(`postgres faults (2 resets + 2 cuts): calls acknowledged ${acknowledged}, records committed ${inLedger}, spool peak ${spoolPeak}, store failures retried ${rt.writer.stats().failures}`);
      assert.equal(inLedger, acknowledged, 'one record per acknowledged call: nothing lost, nothing doubled');
      const health = (await (await fetch(`${rt.url}/healthz`)).json()) as { status: string };
      assert.equal(health.status, 'ok');
    } finally {
      proxy.restore();
      await rt.close();
    }
  });

  it('serve starts with PostgreSQL unreachable: /healthz degraded, calls refused 503 and recorded, full start when it returns', async () => {
    const schema = freshSchema();
    const port = await freePort();
    const dataDir = tempDir();
    proxy.cut();
    const url = `http://127.0.0.1:${port}`;
    const starting = withDatabaseEnv(schema, () => startCostrail({ port, dataDir, upstreams: { openai: `${sim.url}/v1` }, quiet: true, waitForDatabase: true }));
    let rt: CostrailRuntime | undefined;
    try {
      await until('the waiting server to listen', async () => (await fetch(`${url}/healthz`).catch(() => undefined)) !== undefined, 20_000);
      const waiting = await fetch(`${url}/healthz`);
      assert.equal(waiting.status, 503);
      const h = (await waiting.json()) as { status: string; dependencies: { ledger_database: { status: string; since: string } } };
      assert.equal(h.status, 'degraded');
      assert.equal(h.dependencies.ledger_database.status, 'unreachable');
      assert.ok(!Number.isNaN(Date.parse(h.dependencies.ledger_database.since)), 'says since when');

      const refused = await callGateway(url);
      assert.equal(refused.status, 503);
      assert.equal(((await refused.json()) as { error: { type: string } }).error.type, 'ledger_database_unavailable', 'OpenAI error shape on an OpenAI route');

      proxy.restore();
      rt = await starting;
      assert.equal(rt.url, url, 'the same socket keeps serving');
      const ok = await callGateway(url);
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();
      await rt.writer.flush();
      assert.equal(await committed(schema), 2, 'the refusal while waiting and the call after are both in the ledger');
      assert.equal(((await (await fetch(`${url}/healthz`)).json()) as { status: string }).status, 'ok');
    } finally {
      proxy.restore();
      rt ??= await starting;
      await rt.close();
    }
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
