/**
 * Budgets scoped on a category or vendor, evaluated on imported spend through a running server:
 * refused with a hard-cap action or gateway fields, shown with spent/limit, and a card import that
 * takes a coding_assistant budget past 80% announces exactly one threshold with exact amounts; a
 * re-import of the same file announces nothing; a review confirmation that passes 100% announces
 * once more.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { ThresholdEvent } from '../../src/policy/policy-service.js';
import type { BudgetStatus } from '../../src/policy/budget-status.js';
import type { ExpenseImportResult } from '../../src/inventory/expense-import.js';
import type { ExpenseLine } from '../../src/store/spend-source.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { tempDir } from '../helpers/temp-dir.js';

// Lines dated today (UTC), so they fall in the budget's current month whenever the test runs.
const today = new Date().toISOString().slice(0, 10);
const HEADER = 'Date,Merchant,Amount,Currency,Cardholder,Department\n';
const FIRST = `${HEADER}${today},PADDLE.NET* CURSOR,20.00,USD,ana@example.com,eng\n${today},PADDLE.NET* CURSOR,20.00,USD,ben@example.com,eng\n${today},OPENAI *CHATGPT SUBSCR,20.00,USD,ana@example.com,eng\n${today},UBER *TRIP,31.20,USD,ana@example.com,eng\n`;
const SECOND = `${HEADER}${today},PADDLE.NET* CURSOR,25.50,USD,cy@example.com,eng\n${today},PADDLE.NET* CURSOR,20.00,USD,dee@example.com,eng\n${today},ACME NEURAL LABS 4411,20.00,USD,eve@example.com,eng\n`;

describe('vendor and category budgets on imported spend', () => {
  let rt: CostrailRuntime;
  const events: ThresholdEvent[] = [];
  const api = async <T>(method: 'GET' | 'POST', p: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: T }> => {
    const res = await request(`${rt.url}${p}`, { method, headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': contentType }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.statusCode, body: (await res.body.json()) as T };
  };
  const importCsv = (csv: string, file: string) => api<ExpenseImportResult>('POST', `/api/import/expenses?file=${file}`, csv, 'text/csv');

  before(async () => {
    rt = await startCostrail({ port: 0, dataDir: join(tempDir('costrail-imported-budgets-'), 'data'), quiet: true, upstreams: {} });
    rt.context.policy.onThreshold((e) => events.push(e));
  });
  after(async () => {
    await rt.close();
  });

  it('refuses hard caps, token limits and gateway fields on a vendor or category scope, with a clear message', async () => {
    const block = await api<{ error: { message: string } }>('POST', '/api/budgets', { name: 'x', scope: { category: 'coding_assistant' }, limit_usd: '100', action: 'block' });
    assert.equal(block.status, 400);
    assert.match(JSON.stringify(block.body), /cannot block or downgrade calls: use \\"action\\": \\"notify\\"/);
    const downgrade = await api('POST', '/api/budgets', { name: 'x', scope: { vendor: 'Anysphere' }, limit_usd: '100', action: 'downgrade', downgrade_to: 'gpt-4o-mini' });
    assert.equal(downgrade.status, 400);
    const mixed = await api<unknown>('POST', '/api/budgets', { name: 'x', scope: { category: 'coding_assistant', model: 'gpt-4o' }, limit_usd: '100' });
    assert.equal(mixed.status, 400);
    assert.match(JSON.stringify(mixed.body), /may add only team/);
    const tokens = await api('POST', '/api/budgets', { name: 'x', scope: { category: 'coding_assistant' }, limit_tokens: 1000 });
    assert.equal(tokens.status, 400);
    const bogus = await api<unknown>('POST', '/api/budgets', { name: 'x', scope: { category: 'copilots' }, limit_usd: '100' });
    assert.equal(bogus.status, 400);
    assert.match(JSON.stringify(bogus.body), /category must be one of/);
    const list = await api<{ budgets: BudgetStatus[] }>('GET', '/api/budgets');
    assert.deepEqual(list.body.budgets, []);
  });

  it('a card import past 80% alerts once with exact amounts; a re-import does not alert again', async () => {
    const created = await api<BudgetStatus>('POST', '/api/budgets', { id: 'coding', name: 'Coding assistants', scope: { category: 'coding_assistant' }, period: 'month', limit_usd: '100.00' });
    assert.equal(created.status, 201);
    assert.equal(created.body.action, 'notify');
    assert.equal(created.body.spent, '0');

    const first = await importCsv(FIRST, 'first.csv');
    assert.equal(first.status, 200);
    assert.equal(first.body.matched, 3);
    assert.equal(events.length, 0, '40.00 of 100.00 crosses no threshold (ChatGPT is not coding_assistant)');

    const second = await importCsv(SECOND, 'second.csv');
    assert.equal(second.body.inserted, 3);
    assert.equal(events.length, 1, 'one alert: 50% and 80% were crossed by one import');
    const crossed: ThresholdEvent | undefined = events[0];
    assert.ok(crossed);
    assert.deepEqual({ ...crossed, at: undefined, period_start: undefined, resets_at: undefined }, { budget_id: 'coding', budget_name: 'Coding assistants', scope: { category: 'coding_assistant' }, threshold: 0.8, unit: 'usd', spent: '85.5', limit: '100', action: 'notify', at: undefined, period_start: undefined, resets_at: undefined });

    const again = await importCsv(SECOND, 'second.csv');
    assert.equal(again.body.inserted, 0);
    assert.equal(await rt.context.policy.evaluateImportedBudgets(), 0);
    assert.equal(events.length, 1, 'the re-import adds nothing and announces nothing');

    const { body } = await api<BudgetStatus>('GET', '/api/budgets/coding');
    assert.deepEqual([body.spent, body.reserved, body.remaining, body.thresholds_crossed], ['85.5', '0', '14.5', [0.5, 0.8]]);
  });

  it('confirming a queued line as a coding assistant takes the budget past 100%: one more alert', async () => {
    const queue = await api<{ lines: ExpenseLine[] }>('GET', '/api/inventory/review');
    const acme = queue.body.lines.find((l) => l.descriptor.startsWith('ACME NEURAL'));
    assert.ok(acme);
    const decided = await api<{ state: string; rule: { pattern: string } | null }>('POST', `/api/inventory/review/${acme.line_hash}`, { confirm: { vendor: 'Acme Neural', product: 'Acme Code', category: 'coding_assistant' } });
    assert.equal(decided.status, 200);
    assert.equal(decided.body.rule?.pattern, 'ACME NEURAL LABS');
    assert.equal(events.length, 2);
    assert.deepEqual([events[1]?.threshold, events[1]?.spent], [1, '105.5']);
  });

  it('a vendor budget counts that vendor only, and gateway budgets are untouched', async () => {
    const v = await api<BudgetStatus>('POST', '/api/budgets', { id: 'cursor', name: 'Cursor', scope: { vendor: 'anysphere' }, limit_usd: '1000' });
    assert.equal(v.body.spent, '85.5');
    const g = await api<BudgetStatus>('POST', '/api/budgets', { id: 'eng', name: 'Eng gateway', scope: { team: 'eng' }, limit_usd: '10' });
    assert.deepEqual([g.body.action, g.body.spent], ['block', '0']);
  });
});
