/**
 * Issue 19's "done when": a realistic month of one company's exports (test/fixtures/inventory,
 * written by scripts/inventory-fixture.mjs: ~2,800 card lines and ~380 expense lines, mostly not
 * AI; two seat lists; GPU usage as a CSV and as vLLM scrapes) imported through the real importers.
 * The findings carry the dollar figures worked out by hand from the fixture's planted lines, and the
 * one total counts every dollar once — the same OpenAI spend sits in the ledger, in a Costs API
 * import and as a card charge for prepaid credits; a seat plan's run-rate sits beside the card charge
 * that pays it; GPU hours sit beside the RunPod top-up that pays them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { aiSpend } from '../../src/inventory/ai-spend.js';
import { importExpensesFile } from '../../src/inventory/expense-import.js';
import { importGpuUsageFile } from '../../src/inventory/gpu-usage-import.js';
import { inventoryFindings } from '../../src/inventory/inventory-findings.js';
import { importSeatsFile } from '../../src/inventory/seat-import.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import type { BilledLine } from '../../src/store/billed-line.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import type { SpendSource } from '../../src/store/spend-source.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeRecord } from '../store/ledger-fixtures.js';

const F = (name: string): string => join(process.cwd(), 'test', 'fixtures', 'inventory', name);
const NOV = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };
const who = (name: string): string => `${name}@acme.example`;

describe('every door: a month of card, expense, seat and GPU exports', () => {
  let store: Store;
  let unknownAiLines = 0;
  before(async () => {
    store = await DuckDbStore.open(tempDir('costrail-every-door-'));
    const card = await importExpensesFile(store, F('card-2026-11.csv'), { channel: 'card' });
    unknownAiLines = fs.readFileSync(F('card-2026-11.csv'), 'utf8').split('\n').filter((l) => /,(ACME NEURAL LABS|GPTZERO HELPER|SP \* WRITERLY AI),/.test(l)).length;
    // 15 planted AI lines; the AI-looking unknowns wait for review; everything else is not AI.
    assert.deepEqual([card.status, card.rows, card.matched, card.review, card.ignored + card.matched + card.review], ['imported', 2795, 15, unknownAiLines, 2795]);
    const expenses = await importExpensesFile(store, F('expenses-2026-11.csv'), { channel: 'expense' });
    assert.deepEqual([expenses.status, expenses.rows, expenses.matched, expenses.review, expenses.unconverted], ['imported', 385, 5, 0, 0]);
    assert.equal((await importSeatsFile(store, F('seats-chatgpt.csv'))).seats, 12);
    assert.equal((await importSeatsFile(store, F('seats-coding.csv'))).seats, 16);
    assert.equal((await importGpuUsageFile(store, F('gpu-usage-2026-11.csv'))).inserted, 60);
    assert.equal((await importGpuUsageFile(store, F('vllm-qwen3-32b.prom'), { instanceType: 'A100-80GB', gpus: 2, hourlyUsd: '1.79', team: 'research', vendor: 'Lambda' })).inserted, 30);

    // What the finance team tells Costrail about its plans (PUT /api/inventory/sources/{id}).
    const set = async (id: string, over: Partial<SpendSource>): Promise<void> => {
      const s = (await store.inventory.sources()).find((x) => x.source_id === id);
      assert.ok(s, `source ${id}`);
      await store.inventory.upsertSource({ ...s, status: 'sanctioned', billing_model: 'seat', ...over });
    };
    await set('openai/chatgpt-enterprise/ap-invoice', { seats_purchased: 12, run_rate_usd: '720', renewal_date: '2026-12-20', owner_team: 'it' });
    // Cursor Teams is billed to dana's company card: her $400 Cursor charge is the plan.
    await set('anysphere/cursor-teams/ap-invoice', { seats_purchased: 10, run_rate_usd: '400', owner_person: who('dana'), owner_team: 'engineering' });
    await set('github-microsoft/copilot-business/ap-invoice', { seats_purchased: 6, run_rate_usd: '114', owner_team: 'engineering' });
    await set('midjourney/midjourney/card', { status: 'unsanctioned', billing_model: null });

    // The same OpenAI usage three ways: metered in the ledger ($4 + $6 on Nov 5, $2.50 on Nov 6),
    // billed by the Costs API ($10.40 for Nov 5), and paid by the $500 card top-up of API credits.
    const rec = (i: number, started: string, total: string): LedgerRecord => {
      const r = makeRecord(i, { started_at: started, provider: 'openai' });
      return { ...r, cost: Object.assign({}, r.cost, { total }) as LedgerRecord['cost'] };
    };
    await store.insertRecords([rec(1, '2026-11-05T10:00:00.000Z', '4'), rec(2, '2026-11-05T11:00:00.000Z', '6'), rec(3, '2026-11-06T09:00:00.000Z', '2.5')]);
    const billed: BilledLine = { provider: 'openai', account: 'proj_1', service: 'OpenAI API', model: 'gpt-4o', charge_kind: 'usage', token_class: 'input', quantity: null, unit: null, amount: '10.4', currency: 'USD', amount_usd: '10.4', charge_start: '2026-11-05T00:00:00.000Z', charge_end: '2026-11-05T23:59:59.999Z', invoice_period: '2026-11', team: null, description: null, line: 1 };
    await store.billed.begin({ import_id: 'costs', format: 'openai-costs', source: 'openai-costs', file: 'costs.json' });
    await store.billed.append('costs', [billed]);
    await store.billed.commit('costs');
  });
  after(() => store.close());

  it('finds the planted waste with the dollars worked out by hand', async () => {
    const findings = await inventoryFindings(store, NOV.to);
    const got = findings.map((f) => [f.kind, f.vendor ?? `${f.team}/${f.category}`, f.monthly_usd]).sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));
    assert.deepEqual(got, [
      // gus and hal expense Cursor Pro ($20 each) while Cursor Teams exists; dana's $400 is the plan itself.
      ['duplicate_channel', 'Anysphere', '40'],
      // cara, dev, eli and fay pay ChatGPT Plus ($20 each) while ChatGPT Enterprise and the API org exist.
      ['duplicate_channel', 'OpenAI', '80'],
      // ivy holds a Cursor seat and expenses Cursor Pro: $20.
      ['duplicate_seat', 'Anysphere', '20'],
      // jay, ken and liam hold Cursor ($400 / 10 = $40) and Copilot ($114 / 6 = $19) seats: 3 × $19.
      ['duplicate_seat', 'Anysphere + GitHub (Microsoft)', '57'],
      // ana and ben hold ChatGPT Enterprise seats and pay ChatGPT Plus: 2 × $20.
      ['duplicate_seat', 'OpenAI', '40'],
      // Cursor: ned (Oct 2) and oli (never) idle, 2 × $40.
      ['idle_seats', 'Anysphere', '80'],
      // Copilot: una (Oct 20) idle, $19.
      ['idle_seats', 'GitHub (Microsoft)', '19'],
      // ChatGPT Enterprise: vic, wes and xena idle, 3 × ($720 / 12 = $60).
      ['idle_seats', 'OpenAI', '180'],
      // marketing pays ChatGPT ($20) and Claude (€18 = $19.44) for chat: keep ChatGPT.
      ['overlapping_tools', 'marketing/chat_assistant', '19.44'],
      // marketing pays Jasper (2 × $49) and Copy.ai ($36) for content: keep Jasper.
      ['overlapping_tools', 'marketing/content', '36'],
      // ChatGPT Enterprise renews Dec 20, within 60 days: its run-rate is at stake.
      ['renewal', 'OpenAI', '720'],
      // Midjourney is marked unsanctioned: 2 × $30.
      ['unsanctioned_vendor', 'Midjourney', '60'],
    ]);
  });

  it('adds everything up once: ledger, bill, card and expense lines, seat plans and GPUs', async () => {
    const r = await aiSpend(store, { ...NOV, by: 'category' });
    assert.deepEqual(r.parts, {
      // Nov 6 from the ledger; Nov 5's $4 + $6 replaced by the bill's $10.40.
      ledger: '2.5',
      billed: '10.4',
      // ChatGPT Plus 6 × $20 + Midjourney $60 + Jasper $98 + Copy.ai $36 + Otter $16.99 + $19.05
      // + Cursor Pro 3 × $20 + Claude $19.44; not the $500 API credits, the $400 Cursor Teams charge
      // or the $500 RunPod top-up.
      expenses: '429.48',
      // ChatGPT Enterprise $720 + Cursor Teams $400 + Copilot $114: one whole month each.
      seats: '1234',
      // $12,240 (H100) + $619.20 (L40S) + $2,577.60 (A100, from the scrapes).
      gpu: '15436.8',
    });
    assert.equal(r.total, '17113.18');
    assert.deepEqual([r.excluded_prepaid, r.excluded_seat_charges, r.excluded_gpu_payments, r.unconverted_lines], ['500', '400', '500', 0]);
    assert.deepEqual(r.rows, [
      { key: 'gpu_compute', amount_usd: '15436.8' },
      { key: 'chat_assistant', amount_usd: '859.44' },
      { key: 'coding_assistant', amount_usd: '574' },
      { key: 'content', amount_usd: '194' },
      { key: 'meeting_bot', amount_usd: '36.04' },
      { key: 'model_api', amount_usd: '12.9' },
    ]);
    const byVendor = await aiSpend(store, { ...NOV, by: 'vendor' });
    assert.equal(byVendor.total, r.total);
    const vendor = (k: string): string | undefined => byVendor.rows.find((x) => x.key === k)?.amount_usd;
    // RunPod: the L40S hours only (the top-up pays for them); CoreWeave and Lambda from the GPU lines.
    assert.deepEqual([vendor('RunPod'), vendor('CoreWeave'), vendor('Lambda'), vendor('Anysphere')], ['619.2', '12240', '2577.6', '460']);
    // The OpenAI API dollars once: Nov 5 as billed ($10.40), Nov 6 as metered ($2.50); the $500 card
    // top-up that paid for them is not there. OpenAI the SaaS vendor: ChatGPT Plus 6 × $20 and the
    // ChatGPT Enterprise run-rate $720.
    assert.deepEqual([vendor('openai'), vendor('OpenAI')], ['12.9', '840']);
  });

  it('a window of half a month prorates the seat plans by the day', async () => {
    const r = await aiSpend(store, { from: '2026-11-01T00:00:00.000Z', to: '2026-11-16T00:00:00.000Z', by: 'channel' });
    // 15 of November's 30 days: exactly half of $1,234.
    assert.equal(r.parts.seats, '617');
  });
});
