/**
 * Reconciliation to the last digit: a ledger and bills (imported through the real importers) with
 * planted unmetered spend, a negotiated discount, a discount line, tax, a credit, unpriced calls
 * and a day-boundary shift; every gap must be explained exactly.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { importBillingFile } from '../../src/billing/billing-import.js';
import { parseReconciliationQuery, reconcile, type ReconciliationFigures } from '../../src/billing/reconciliation.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import type { Store } from '../../src/store/store.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

let n = 0;
function call(provider: string, model: string, at: string, total: string | null, over: Partial<LedgerRecord> = {}): LedgerRecord {
  const base = makeRecord(++n);
  return {
    ...base,
    provider,
    model,
    started_at: at,
    ended_at: at,
    cost: total === null ? null : { ...base.cost!, total, input: total, cache_read: '0', output: '0' },
    priced: total !== null,
    price_version: total === null ? null : base.price_version,
    unpriced_reason: total === null ? 'unknown_model' : null,
    attribution: { ...base.attribution, project: 'proj_abc', team: null },
    key_id: null,
    ...over,
  };
}

const t = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;
function costsPage(buckets: { day: string; results: { value: string; line_item: string; project_id: string }[] }[]): unknown {
  return {
    object: 'page',
    data: buckets.map((b) => ({
      object: 'bucket',
      start_time: t(b.day),
      end_time: t(b.day) + 86400,
      results: b.results.map((r) => ({ object: 'organization.costs.result', amount: { value: Number(r.value), currency: 'usd' }, line_item: r.line_item, project_id: r.project_id, quantity: null, quantity_unit: null })),
    })),
    has_more: false,
    next_page: null,
  };
}

const FOCUS_HEADER = 'BilledCost,BillingAccountId,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargeCategory,ChargeClass,ChargeDescription,ChargePeriodStart,ChargePeriodEnd,ProviderName,InvoiceIssuerName,ServiceName,SubAccountId';
const focusLine = (cost: string, category: string, description: string, day: string): string =>
  `${cost},org-1,USD,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,${category},,${description},${day}T00:00:00Z,${day}T23:59:59Z,OpenAI,OpenAI,OpenAI API,`;

let store: Store;
before(async () => {
  store = await DuckDbStore.open(tempDir('costrail-recon-'));
  const dir = tempDir('costrail-recon-files-');
  await store.insertRecords([
    call('openai', 'gpt-4o', '2026-11-05T09:00:00Z', '6', { attribution: { ...makeRecord(0).attribution, project: 'proj_abc', team: 'search' } }),
    call('openai', 'gpt-4o', '2026-11-05T10:00:00Z', '4'),
    call('openai', 'gpt-4o', '2026-11-06T10:00:00Z', '5'),
    call('openai', 'gpt-new', '2026-11-05T11:00:00Z', null),
    call('anthropic', 'claude-sonnet-4-20250514', '2026-11-05T23:59:30Z', '2', { attribution: { ...makeRecord(0).attribution, project: 'wrkspc_1', team: null } }),
    call('anthropic', 'claude-sonnet-4-20250514', '2026-11-06T12:00:00Z', '1', { attribution: { ...makeRecord(0).attribution, project: 'wrkspc_1', team: null } }),
  ]);
  const openai = path.join(dir, 'openai-costs.json');
  fs.writeFileSync(
    openai,
    JSON.stringify([
      costsPage([
        {
          day: '2026-11-05',
          results: [
            { value: '8', line_item: 'gpt-4o, input', project_id: 'proj_abc' },
            { value: '3.5', line_item: 'gpt-4o, input', project_id: 'proj_shadow' },
            { value: '0.75', line_item: 'gpt-new, output', project_id: 'proj_abc' },
          ],
        },
      ]),
      costsPage([{ day: '2026-11-06', results: [{ value: '4', line_item: 'gpt-4o, input', project_id: 'proj_abc' }] }]),
    ]),
  );
  assert.equal((await importBillingFile(store, openai)).status, 'imported');
  const focus = path.join(dir, 'openai-focus.csv');
  fs.writeFileSync(focus, [FOCUS_HEADER, focusLine('1.19', 'Tax', 'Sales tax', '2026-11-05'), focusLine('-2.00', 'Credit', 'Promotional credit', '2026-11-05'), focusLine('-0.40', 'Adjustment', 'Volume discount', '2026-11-06')].join('\n') + '\n');
  assert.equal((await importBillingFile(store, focus)).status, 'imported');
  const anthropic = path.join(dir, 'anthropic.json');
  const bucket = (day: string, cents: string): unknown => ({ starting_at: `${day}T00:00:00Z`, ending_at: `${day}T00:00:00Z`.replace(day, nextDay(day)), results: [{ currency: 'USD', amount: cents, workspace_id: 'wrkspc_1', description: null, cost_type: 'tokens', context_window: '0-200k', model: 'claude-sonnet-4-20250514', service_tier: 'standard', token_type: 'uncached_input_tokens', inference_geo: null }] });
  fs.writeFileSync(anthropic, JSON.stringify({ data: [bucket('2026-11-05', '150'), bucket('2026-11-06', '150')], has_more: false, next_page: null }));
  assert.equal((await importBillingFile(store, anthropic)).status, 'imported');
});
after(async () => {
  await store.close();
});

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

const query = (by = 'provider,day', tz = 'UTC'): ReturnType<typeof parseReconciliationQuery> => parseReconciliationQuery({ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', by, tz });
const kinds = (f: ReconciliationFigures): Record<string, string> => Object.fromEntries(f.explained.map((e) => [e.kind, e.amount]));

describe('reconcile', () => {
  it('explains every dollar of each provider-day gap', async () => {
    const q = query();
    assert.ok(!('error' in q));
    const r = await reconcile(store, q);
    const row = (provider: string, day: string): ReconciliationFigures => {
      const found = r.rows.find((x) => x.provider === provider && x.day === day);
      assert.ok(found, `${provider} ${day}`);
      return found;
    };
    const o5 = row('openai', '2026-11-05');
    assert.deepEqual([o5.observed, o5.billed, o5.gap, o5.gap_pct], ['10', '11.44', '1.44', 12.59]);
    assert.deepEqual(kinds(o5), { unmetered_account: '3.5', price_difference: '-2', credit: '-2', tax: '1.19', unpriced_calls: '0.75' });
    assert.match(o5.explained.find((e) => e.kind === 'unmetered_account')!.detail, /proj_shadow \(\$3\.5\)/);
    assert.match(o5.explained.find((e) => e.kind === 'price_difference')!.detail, /gpt-4o billed at 0\.8000× .* costrail prices override set --provider openai --models gpt-4o --percent 20\.0/);

    const o6 = row('openai', '2026-11-06');
    assert.deepEqual([o6.observed, o6.billed, o6.gap], ['5', '3.6', '-1.4']);
    assert.deepEqual(kinds(o6), { price_difference: '-1', discount: '-0.4' });

    const a5 = row('anthropic', '2026-11-05');
    const a6 = row('anthropic', '2026-11-06');
    assert.deepEqual([a5.observed, a5.billed, a5.gap, kinds(a5)], ['2', '1.5', '-0.5', { timing: '-0.5' }]);
    assert.deepEqual([a6.observed, a6.billed, a6.gap, kinds(a6)], ['1', '1.5', '0.5', { timing: '0.5' }]);

    assert.deepEqual([r.total.observed, r.total.billed, r.total.gap], ['18', '18.04', '0.04']);
    assert.deepEqual(kinds(r.total), { unmetered_account: '3.5', price_difference: '-3', credit: '-2', tax: '1.19', discount: '-0.4', unpriced_calls: '0.75' });
    // Usage billed 19.25, of it on metered accounts 15.75; 40% of openai's observed cost carries a team: 12.75 × 0.4 = 5.1.
    assert.deepEqual(r.coverage, { metered_pct: 81.82, attributed_pct: 26.49 });
    for (const f of [...r.rows, r.total]) {
      const explained = f.explained.reduce((s, e) => s + Number(e.amount), 0);
      assert.ok(Math.abs(explained - Number(f.gap)) < 1e-9, `${JSON.stringify(f)} fully explained`);
    }
  });

  it('splits by model or account', async () => {
    const byModel = await reconcile(store, query('provider,day,model') as Exclude<ReturnType<typeof query>, { error: string }>);
    const gptNew = byModel.rows.find((x) => x.model === 'gpt-new');
    assert.deepEqual(gptNew && [gptNew.day, gptNew.observed, gptNew.billed, kinds(gptNew)], ['2026-11-05', '0', '0.75', { unpriced_calls: '0.75' }]);
    const byAccount = await reconcile(store, query('provider,day,account') as Exclude<ReturnType<typeof query>, { error: string }>);
    const shadow = byAccount.rows.find((x) => x.account === 'proj_shadow');
    assert.deepEqual(shadow && [shadow.observed, shadow.billed, kinds(shadow)], ['0', '3.5', { unmetered_account: '3.5' }]);
    assert.equal(byAccount.total.gap, '0.04');
  });

  it('buckets days in the requested time zone', async () => {
    const r = await reconcile(store, query('provider,day', 'America/New_York') as Exclude<ReturnType<typeof query>, { error: string }>);
    // 23:59:30 UTC on the 5th is the afternoon of the 5th in New York; midnight UTC bills land on the 4th/5th.
    assert.deepEqual(r.rows.filter((x) => x.provider === 'anthropic').map((x) => [x.day, x.observed, x.billed]), [
      ['2026-11-04', '0', '1.5'],
      ['2026-11-05', '2', '1.5'],
      ['2026-11-06', '1', '0'],
    ]);
    assert.equal(r.total.gap, '0.04');
  });

  it('refuses bad queries with a reason', () => {
    assert.deepEqual(parseReconciliationQuery({ from: '2026-11-01' }), { error: 'from and to are required (ISO 8601)' });
    assert.match((parseReconciliationQuery({ from: '2026-11-02', to: '2026-11-01' }) as { error: string }).error, /after/);
    assert.match((parseReconciliationQuery({ from: '2026-11-01', to: '2026-11-02', by: 'provider,team' }) as { error: string }).error, /model or account/);
    assert.match((parseReconciliationQuery({ from: '2026-11-01', to: '2026-11-02', tz: 'Mars/Olympus' }) as { error: string }).error, /time zone/);
  });
});
