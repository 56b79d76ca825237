/**
 * Unpriced means unpriced: a call to a model with no known price reads "unpriced (N calls)" in
 * showback and reprice output, never $0.00; refused calls, provider errors and model listings used
 * nothing billable and are not counted as unpriced.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { showbackHtml } from '../../src/reports/showback-html.js';
import { showbackMarkdown } from '../../src/reports/showback-markdown.js';
import { buildShowback } from '../../src/reports/showback.js';
import { costOrUnpriced } from '../../src/analytics/unpriced-label.js';
import { repriceLedger } from '../../src/ledger-admin/reprice.js';
import { emptyAttribution, type LedgerRecord } from '../../src/ledger/ledger-record.js';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

function call(id: string, team: string, over: Partial<LedgerRecord>): LedgerRecord {
  return makeRecord(0, { id, started_at: '2026-10-05T10:00:00.000Z', attribution: { ...emptyAttribution(), team }, ...over });
}

let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'costrail-unpriced-'));
  const store = await DuckDbStore.open(dir);
  await store.insertRecords([
    call('priced', 'search', {}),
    // Used tokens, but no price is known for the model: unpriced.
    call('finetune-1', 'search', { model: 'ft:acme-private-1', model_requested: 'ft:acme-private-1', cost: null, priced: false, price_version: null, unpriced_reason: 'model unknown' }),
    call('finetune-2', 'research', { model: 'ft:acme-private-1', model_requested: 'ft:acme-private-1', cost: null, priced: false, price_version: null, unpriced_reason: 'model unknown' }),
    // Used nothing billable: refused, a provider error, a model listing.
    call('blocked', 'research', { status: 'blocked', http_status: 429, usage: null, usage_source: null, cost: null, priced: false, price_version: null, model: null, error: { type: 'budget_exceeded', message: 'over' } }),
    call('error', 'research', { status: 'error', http_status: 500, usage: null, usage_source: null, cost: null, priced: false, price_version: null, model: null }),
    call('models', 'research', { api: 'models', usage: null, usage_source: null, cost: null, priced: false, price_version: null, model: null, model_requested: null }),
  ]);
  await store.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('costOrUnpriced: unknown cost is named, never $0.00', () => {
  const usd = (v: string) => `$${v}`;
  assert.equal(costOrUnpriced('0', 3, usd), 'unpriced (3 calls)');
  assert.equal(costOrUnpriced('0', 1, usd), 'unpriced (1 call)');
  assert.equal(costOrUnpriced('1.5', 2, usd), '$1.5 + unpriced (2 calls)');
  assert.equal(costOrUnpriced('0', 0, usd), '$0');
});

test('showback: an owner and a model line made only of unpriced calls read "unpriced (N calls)"; refused and failed calls are not unpriced', async () => {
  const store = await DuckDbStore.open(dir);
  try {
    const r = await buildShowback(store, { period: '2026-10', by: ['team'] });
    assert.equal(r.totals.unpriced_requests, 2, 'only the two fine-tune calls are unpriced');
    const md = showbackMarkdown(r);
    assert.match(md, /\| ft:acme-private-1 \| unpriced \(1 call\) \|/);
    assert.doesNotMatch(md, /\| ft:acme-private-1 \| \$0\.00/);
    // research has only the unpriced fine-tune call plus calls that cost nothing: its direct spend is unknown, not $0.00.
    assert.match(md, /\| research \| unpriced \(1 call\) \|/);
    // search mixes a priced call and an unpriced one.
    assert.match(md, /\| search \| \$0\.\d\d \+ unpriced \(1 call\) \|/);
    const html = showbackHtml(r);
    assert.match(html, /<td>research<\/td><td class="n">unpriced \(1 call\)<\/td>/);
  } finally {
    await store.close();
  }
});

test('reprice: a model still without a price reports its calls as unpriced, and the CLI table does not print $0.00 for it', async () => {
  const store = await DuckDbStore.open(dir);
  try {
    const r = await repriceLedger(store, { from: '2026-10-01', to: '2026-11-01', dryRun: true, book: loadPriceBook({ dataDir: dir }) });
    const line = r.models.find((m) => m.model === 'ft:acme-private-1');
    assert.equal(line?.old_unpriced, 2);
    assert.equal(line?.new_unpriced, 2);
    assert.equal(r.skipped.no_usage, 3, 'blocked, error and the model listing have no usage to price');
  } finally {
    await store.close();
  }
  const out = spawnSync(process.execPath, [BIN, 'reprice', '--from', '2026-10-01', '--to', '2026-11-01', '--dry-run', '--data', dir], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const row = out.stdout.split('\n').find((l) => l.includes('ft:acme-private-1')) ?? '';
  assert.match(row, /unpriced \(2 calls\)/);
  assert.doesNotMatch(row, /\$0\.00\s+\$0\.00/);
});
