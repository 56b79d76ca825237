/**
 * The response schemas that document the management API (OpenAPI, docs/http-api.md) describe
 * what the routes really return: each body parses with its schema and nothing is stripped (a
 * field the schema does not know would vanish in the parse and fail the comparison).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { ZodType } from 'zod';
import { AlertListSchema } from '../../src/alerts/alerts-api-schemas.js';
import { EventsPageSchema, SpendResponseSchema } from '../../src/analytics/ledger-api-schemas.js';
import { CreatedKeySchema, CreatedTokenSchema, KeyListSchema, KeyResponseSchema, TokenListSchema, TokenResponseSchema } from '../../src/keys/keys-api-schemas.js';
import { BudgetListSchema, BudgetStatusSchema, DeletedSchema } from '../../src/policy/policy-api-schemas.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { ledgerSample } from '../analytics/ledger-sample.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('management API response schemas', () => {
  let rt: CostrailRuntime;
  const call = async (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const res = await request(rt.url + path, {
      method,
      headers: { authorization: `Bearer ${rt.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.statusCode, json: await res.body.json() };
  };
  const conforms = (schema: ZodType, json: unknown, what: string): void => {
    const parsed = schema.safeParse(json);
    assert.ok(parsed.success, `${what}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))}`);
    assert.deepEqual(parsed.data, json, `${what}: the schema drops or changes fields`);
  };

  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-api-schemas-'), quiet: true, upstreams: {} });
    await rt.store.insertRecords(ledgerSample());
  });
  after(() => rt.close());

  it('ledger: events and spend', async () => {
    const events = await call('GET', '/api/events?limit=50');
    assert.equal(events.status, 200);
    assert.ok((events.json as { events: unknown[] }).events.length > 0);
    conforms(EventsPageSchema, events.json, 'GET /api/events');
    const spend = await call('GET', '/api/spend?group_by=team,model,tag:experiment&granularity=day');
    assert.equal(spend.status, 200);
    conforms(SpendResponseSchema, spend.json, 'GET /api/spend');
  });

  it('budgets', async () => {
    const created = await call('POST', '/api/budgets', { name: 'search monthly', scope: { team: 'search' }, limit_usd: '25.00' });
    assert.equal(created.status, 201);
    conforms(BudgetStatusSchema, created.json, 'POST /api/budgets');
    const tokens = await call('POST', '/api/budgets', { name: 'tokens daily', period: 'day', limit_tokens: 1000000, action: 'notify' });
    conforms(BudgetStatusSchema, tokens.json, 'POST /api/budgets (tokens)');
    const list = await call('GET', '/api/budgets');
    assert.equal((list.json as { budgets: unknown[] }).budgets.length, 2);
    conforms(BudgetListSchema, list.json, 'GET /api/budgets');
    const id = (created.json as { id: string }).id;
    conforms(BudgetStatusSchema, (await call('GET', `/api/budgets/${id}`)).json, 'GET /api/budgets/{id}');
    conforms(DeletedSchema, (await call('DELETE', `/api/budgets/${id}`)).json, 'DELETE /api/budgets/{id}');
  });

  it('keys and tokens', async () => {
    const key = await call('POST', '/api/keys', { name: 'search bot', team: 'search', tags: { tier: 'gold' }, models: ['gpt-4o*'], expires: '30d', end_pass_through: true });
    assert.equal(key.status, 201);
    conforms(CreatedKeySchema, key.json, 'POST /api/keys');
    const id = (key.json as { key: { id: string } }).key.id;
    conforms(KeyListSchema, (await call('GET', '/api/keys')).json, 'GET /api/keys');
    conforms(KeyResponseSchema, (await call('GET', `/api/keys/${id}`)).json, 'GET /api/keys/{id}');
    conforms(KeyResponseSchema, (await call('DELETE', `/api/keys/${id}`)).json, 'DELETE /api/keys/{id}');
    const token = await call('POST', '/api/tokens', { name: 'search dashboard', scope: { team: 'search' } });
    assert.equal(token.status, 201);
    conforms(CreatedTokenSchema, token.json, 'POST /api/tokens');
    conforms(TokenListSchema, (await call('GET', '/api/tokens')).json, 'GET /api/tokens');
    conforms(TokenResponseSchema, (await call('DELETE', `/api/tokens/${(token.json as { token: { id: string } }).token.id}`)).json, 'DELETE /api/tokens/{id}');
  });

  it('alerts', async () => {
    conforms(AlertListSchema, (await call('GET', '/api/alerts')).json, 'GET /api/alerts');
  });

  it('the OpenAPI document describes the success bodies, not only "200: OK"', async () => {
    const doc = (await call('GET', '/api/openapi.json')).json as { paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>> };
    for (const [path, method, status] of [['/api/events', 'get', '200'], ['/api/spend', 'get', '200'], ['/api/budgets', 'post', '201'], ['/api/keys', 'get', '200'], ['/api/tokens', 'post', '201'], ['/api/alerts', 'get', '200']] as const) {
      assert.ok(doc.paths[path]?.[method]?.responses[status]?.content, `${method.toUpperCase()} ${path} ${status} has a body schema`);
    }
  });
});
