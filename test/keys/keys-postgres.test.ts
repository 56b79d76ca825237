/**
 * The keys domain on the PostgreSQL store, as two instances sharing one database (and one
 * COSTRAIL_MASTER_KEY): a key and a credential set on one are honoured by the other after its
 * periodic reload; a revocation on one refuses calls on the other; last use flows back.
 * Runs in a schema of its own; with CI=true an unreachable server fails the run, else it skips.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pg from 'pg';
import { isGatewayError } from '../../src/gateway/call-policy.js';
import type { Route } from '../../src/gateway/route.js';
import { KeyService } from '../../src/keys/key-service.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { PG_URL, postgresAvailable } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp-dir.js';

const URL = PG_URL;
const SCHEMA = `costrail_keys_t${process.pid}_${randomBytes(3).toString('hex')}`;


const available = await postgresAvailable('the PostgreSQL keys tests');

after(async () => {
  if (!available) return;
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await c.end();
});

const route = (): Route => ({ provider: 'openai', api: 'chat.completions', upstreamPath: '/chat/completions', urlStream: false }) as Route;
const req = (secret: string) => ({ headers: { authorization: `Bearer ${secret}` }, url: '/v1/chat/completions' }) as unknown as IncomingMessage;

test('two instances on one PostgreSQL database share keys, credentials, revocations and last use', { skip: !available && 'PostgreSQL not reachable' }, async () => {
  const env = { COSTRAIL_MASTER_KEY: randomBytes(32).toString('base64') };
  const storeA = await PostgresStore.open(URL, { schema: SCHEMA, maxConnections: 2 });
  const storeB = await PostgresStore.open(URL, { schema: SCHEMA, maxConnections: 2 });
  const a = await KeyService.open({ store: storeA, dataDir: tempDir('keys-pg-a-'), env, syncIntervalMs: 3_600_000, changeCheckMs: 3_600_000 });
  const b = await KeyService.open({ store: storeB, dataDir: tempDir('keys-pg-b-'), env, syncIntervalMs: 3_600_000, changeCheckMs: 3_600_000 });
  try {
    await a.credentials.set('openai', 'sk-shared-held');
    const { key, secret } = await a.keys.create({ defaults: { team: 'search' }, models: ['gpt-4o*'] });
    assert.ok(isGatewayError(b.keys.identify(req(secret), route())), 'B has not reloaded yet');
    await b.sync(); // what B's timer does on a shared store
    const id = b.keys.identify(req(secret), route());
    assert.ok(!isGatewayError(id), JSON.stringify(id));
    assert.deepEqual([id.key_id, id.defaults?.attribution, id.allowedModels, id.upstreamAuth], [key.id, { team: 'search' }, ['gpt-4o*'], { authorization: 'Bearer sk-shared-held' }]);

    await b.sync(); // flushes B's last use
    await a.keys.revoke(key.id);
    await a.sync();
    assert.ok(a.keys.get(key.id)?.last_used_at, "B's last use reached A");
    await b.sync();
    const refused = b.keys.identify(req(secret), route());
    assert.ok(isGatewayError(refused) && refused.status === 401, 'revoked on A, refused on B');

    const tok = await b.tokens.create('dash', { team: 'search' });
    await a.sync();
    assert.deepEqual(a.tokens.authenticate(tok.secret)?.scope, { team: 'search' });
  } finally {
    await a.close();
    await b.close();
    await storeA.close();
    await storeB.close();
  }
});
