/**
 * What the All AI spend page reads, through a running server over the dashboard's seed: the trend
 * adds up to the total, by=status splits it into sanctioned / shadow / under review, /api/seats
 * flags idle and duplicate seats, a rejected queued line stays out, and a team-scoped token reads
 * its own team only (and may not write).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { Decimal } from '../../src/pricing/decimal.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import type { ExpenseLine } from '../../src/store/spend-source.js';
import { tempDir } from '../helpers/temp-dir.js';
import { seedAiSpend } from '../web/ai-spend-seed.js';

const DAY = 86_400_000;
type Rows = { rows: { key: string | null; amount_usd: string }[]; total: string };

describe('All AI spend views through the API', () => {
  let rt: CostrailRuntime;
  let q: string;
  const call = async <T>(method: 'GET' | 'POST', p: string, body?: unknown, token = rt.adminToken): Promise<{ status: number; body: T }> => {
    const res = await request(`${rt.url}${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.statusCode, body: (await res.body.json()) as T };
  };
  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-ai-spend-views-'), quiet: true, upstreams: {} });
    await seedAiSpend(rt.store);
    const now = Date.now();
    const d = new Date(now);
    q = new URLSearchParams({ from: new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)).toISOString(), to: new Date(Math.floor(now / DAY) * DAY + DAY).toISOString() }).toString();
  });
  after(async () => {
    await rt.close();
  });

  it('the trend adds up to the total; status splits it exactly', async () => {
    const total = (await call<Rows>('GET', `/api/ai-spend?${q}`)).body;
    const trend = (await call<{ rows: { total: string; by_category: { amount_usd: string }[] }[]; total: string }>('GET', `/api/ai-spend/trend?${q}&granularity=week`)).body;
    assert.equal(total.total, '393.99');
    assert.equal(trend.total, total.total);
    for (const r of trend.rows) assert.equal(Decimal.sum(r.by_category.map((c) => Decimal.parse(c.amount_usd))).toString(), r.total);
    const status = (await call<Rows>('GET', `/api/ai-spend?${q}&by=status`)).body;
    // Sanctioned: ChatGPT 60 + Claude 40; shadow: Midjourney 90; the rest is still under review.
    assert.deepEqual(Object.fromEntries(status.rows.map((r) => [r.key, r.amount_usd])), { sanctioned: '100', unsanctioned: '90', under_review: '203.99' });
    assert.equal((await call('GET', `/api/ai-spend/trend?${q}&granularity=year`)).status, 400);
  });

  it('flags idle and duplicate seats', async () => {
    const { body } = await call<{ seats: { person: string; idle: boolean; duplicate: boolean; duplicate_of: string[]; monthly_usd: string | null }[] }>('GET', '/api/seats');
    const by = Object.fromEntries(body.seats.map((s) => [s.person, s]));
    assert.deepEqual(body.seats.filter((s) => s.idle).map((s) => s.person), ['ola@example.com', 'pat@example.com']);
    assert.deepEqual(by['ben@example.com']?.duplicate_of, ['Anysphere (card)'], 'pays Cursor personally while holding a Copilot seat');
    assert.equal(by['kim@example.com']?.duplicate, false);
    assert.equal(by['ola@example.com']?.monthly_usd, '19');
  });

  it('rejecting a queued line keeps it out and adds no rule', async () => {
    const queue = (await call<{ lines: ExpenseLine[] }>('GET', '/api/inventory/review')).body.lines;
    const writerly = queue.find((l) => l.descriptor.includes('WRITERLY'));
    assert.ok(writerly);
    const r = await call<{ state: string; rule: unknown }>('POST', `/api/inventory/review/${writerly.line_hash}`, { reject: true });
    assert.deepEqual([r.status, r.body.state, r.body.rule], [200, 'rejected', null]);
    const again = await call<{ error: { message: string } }>('POST', `/api/inventory/review/${writerly.line_hash}`, { confirm: { vendor: 'Writerly', product: 'Writerly', category: 'content' } });
    assert.equal(again.status, 400, 'a decided line is no longer in the queue');
    assert.equal((await call<Rows>('GET', `/api/ai-spend?${q}`)).body.total, '393.99');
    assert.deepEqual((await call<{ rules: unknown[] }>('GET', '/api/inventory/rules')).body.rules, []);
  });

  it('a team-scoped token reads its team only and cannot decide', async () => {
    const created = await call<{ secret: string }>('POST', '/api/tokens', { name: 'marketing', scope: { team: 'marketing' } });
    const token = created.body.secret;
    const team = (await call<Rows>('GET', `/api/ai-spend?${q}&by=vendor`, undefined, token)).body;
    // Marketing: ChatGPT 20, Midjourney 90, Jasper 49.
    assert.equal(team.total, '159');
    assert.equal((await call('GET', `/api/ai-spend?${q}&team=sales`, undefined, token)).status, 403);
    const queue = (await call<{ lines: ExpenseLine[] }>('GET', '/api/inventory/review', undefined, token)).body.lines;
    assert.deepEqual(queue.map((l) => l.cost_centre), []);
    const seats = (await call<{ seats: unknown[] }>('GET', '/api/seats', undefined, token)).body.seats;
    assert.deepEqual(seats, []);
    const admin = (await call<{ lines: ExpenseLine[] }>('GET', '/api/inventory/review')).body.lines;
    assert.ok(admin[0]);
    assert.equal((await call('POST', `/api/inventory/review/${admin[0].line_hash}`, { reject: true }, token)).status, 403);
    const feature = await call<{ secret: string }>('POST', '/api/tokens', { name: 'feature', scope: { feature: 'chat' } });
    assert.equal((await call('GET', `/api/ai-spend?${q}`, undefined, feature.body.secret)).status, 403);
  });
});
