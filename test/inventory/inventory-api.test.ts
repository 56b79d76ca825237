/**
 * The inventory surface end to end through a running server: `costrail import expenses` via
 * POST /api/import/expenses, the review queue (list, confirm, reject), rules and sources, and
 * refusals of bad input that change nothing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ExpenseImportResultSchema } from '../../src/inventory/inventory-api-schemas.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import type { ExpenseLine, SpendSource } from '../../src/store/spend-source.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  // Async spawn: a server in this process must keep answering.
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, COSTRAIL_ADMIN_TOKEN: '' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

const CSV = 'Date,Merchant,Amount,Currency,Cardholder,Department\n2026-11-02,OPENAI *CHATGPT SUBSCR,20.00,USD,ana@example.com,sales\n2026-11-03,ACME NEURAL LABS,49.00,USD,ben@example.com,eng\n2026-11-03,GPTZERO HELPER,9.00,USD,cy@example.com,eng\n2026-11-04,UBER *TRIP,31.20,USD,ana@example.com,sales\n2026-11-05,CLAUDE.AI,18.00,EUR,ana@example.com,sales\n';

describe('inventory through a running server', () => {
  let rt: CostrailRuntime;
  let data: string;
  let file: string;
  const api = async <T>(method: 'GET' | 'POST', p: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await request(`${rt.url}${p}`, { method, headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.statusCode, body: (await res.body.json()) as T };
  };
  before(async () => {
    const dir = tempDir('costrail-inventory-api-');
    data = join(dir, 'data');
    file = join(dir, 'card.csv');
    fs.writeFileSync(file, CSV);
    rt = await startCostrail({ port: 0, dataDir: data, quiet: true, upstreams: {}, advertise: true });
  });
  after(async () => {
    await rt.close();
  });

  it('imports through the API with rates, idempotently', async () => {
    const first = await cli(['import', 'expenses', file, '--data', data, '--rates', 'EUR=1.1', '--json']);
    assert.equal(first.code, 0, first.err);
    const r = ExpenseImportResultSchema.parse(JSON.parse(first.out));
    assert.deepEqual([r.rows, r.matched, r.review, r.ignored, r.inserted, r.unconverted], [5, 2, 2, 1, 4, 0]);
    const again = await cli(['import', 'expenses', file, '--data', data]);
    assert.match(again.out, /read 5 rows: 2 AI lines matched .* 0 new lines stored/);
    const { body } = await api<{ sources: SpendSource[] }>('GET', '/api/inventory/sources');
    assert.deepEqual(body.sources.map((s) => s.vendor), ['Anthropic', 'OpenAI']);
  });

  it('confirms and rejects queued lines', async () => {
    const { body } = await api<{ lines: ExpenseLine[] }>('GET', '/api/inventory/review');
    const acme = body.lines.find((l) => l.descriptor === 'ACME NEURAL LABS')!;
    const gptzero = body.lines.find((l) => l.descriptor === 'GPTZERO HELPER')!;
    const yes = await cli(['inventory', 'review', acme.line_hash, '--confirm', 'Acme/Acme Copilot/coding_assistant', '--data', data]);
    assert.match(yes.out, /matched/);
    assert.equal((await api('POST', `/api/inventory/review/${gptzero.line_hash}`, { reject: true })).status, 200);
    assert.equal((await api('POST', '/api/inventory/review/nope', { reject: true })).status, 404);
    assert.equal((await api('POST', `/api/inventory/review/${gptzero.line_hash}`, { confirm: { vendor: 'x', product: 'y', category: 'snacks' } })).status, 400);
    assert.deepEqual((await api<{ lines: ExpenseLine[] }>('GET', '/api/inventory/review')).body.lines, []);
    const bad = await cli(['inventory', 'review', acme.line_hash, '--data', data]);
    assert.notEqual(bad.code, 0);
  });

  it('rules apply to later imports; bad input is refused and changes nothing', async () => {
    const added = await cli(['inventory', 'rules', 'add', 'WIDGET BOT', '--vendor', 'Widget', '--product', 'Widget Bot', '--category', 'agent_platform', '--data', data]);
    assert.equal(added.code, 0, added.err);
    const f2 = file.replace('card.csv', 'card2.csv');
    fs.writeFileSync(f2, 'date,merchant,amount\n2026-11-09,WIDGET BOT INC,12\n');
    const r = ExpenseImportResultSchema.parse(JSON.parse((await cli(['import', 'expenses', f2, '--data', data, '--json'])).out));
    assert.deepEqual(r.matched_by, { rule: 1, catalog: 0 });
    const before = (await api<{ sources: SpendSource[] }>('GET', '/api/inventory/sources')).body.sources.length;
    fs.writeFileSync(f2, 'date,merchant,amount\n2026-11-09,CURSOR AI,twelve\n');
    const refused = await cli(['import', 'expenses', f2, '--data', data]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.err, /invalid row.*nothing imported/);
    assert.equal((await api<{ sources: SpendSource[] }>('GET', '/api/inventory/sources')).body.sources.length, before);
    assert.equal((await api('POST', '/api/inventory/rules', { pattern: '*', vendor: 'x', product: 'y', category: 'other' })).status, 400);
  });

  it('report ai-spend and GET /api/ai-spend give the exact total of confirmed expense spend; bad queries are 400s', async () => {
    const out = await cli(['report', 'ai-spend', '--from', '2026-11-01', '--to', '2026-12-01', '--by', 'vendor', '--json', '--data', data]);
    assert.equal(out.code, 0, out.err);
    const r = JSON.parse(out.out) as { total: string; rows: { key: string; amount_usd: string }[] };
    // ChatGPT $20 + Claude €18 × 1.1 + Acme $49 (confirmed) + Widget $12 (rule); GPTZERO rejected.
    assert.equal(r.total, '100.8');
    assert.deepEqual(r.rows.map((x) => x.key), ['Acme', 'OpenAI', 'Anthropic', 'Widget']);
    assert.equal((await api('GET', '/api/ai-spend?from=2026-11-01&to=2026-12-01&by=snacks')).status, 400);
    assert.equal((await api('GET', '/api/ai-spend?from=2026-12-01&to=2026-11-01')).status, 400);
    const bad = await cli(['report', 'ai-spend', '--from', 'yesterday', '--to', '2026-12-01', '--data', data]);
    assert.equal(bad.code, 2);
  });

  it('inventory findings through the CLI and the route', async () => {
    const out = await cli(['inventory', 'findings', '--as-of', '2026-12-01', '--json', '--data', data]);
    assert.equal(out.code, 0, out.err);
    const r = JSON.parse(out.out) as { as_of: string; findings: { kind: string; team: string | null; monthly_usd: string }[] };
    assert.equal(r.as_of, '2026-12-01T00:00:00.000Z');
    // sales pays OpenAI ($20) and Anthropic (€18 × 1.1 = $19.8) chat assistants: keep OpenAI, save $19.8.
    assert.deepEqual(r.findings.map((f) => [f.kind, f.team, f.monthly_usd]), [['overlapping_tools', 'sales', '19.8']]);
    assert.equal((await api('GET', '/api/inventory/findings?as_of=soon')).status, 400);
  });
});
