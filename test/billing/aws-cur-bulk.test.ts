/**
 * The AWS CUR bulk path (one DuckDB statement, src/billing/aws-cur-bulk.ts) against the per-line
 * mapping it replaces: on a CUR with every shape the per-line importer handles — block units,
 * wide and exponent amounts, offsets, JSON and list tags, unknown types, bad dates, other services —
 * both give the same lines, to the last digit, and the same bad lines with the same reasons.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsCurParser } from '../../src/billing/aws-cur.js';
import { mapCurInBulk } from '../../src/billing/aws-cur-bulk.js';
import { importBillingFile } from '../../src/billing/billing-import.js';
import { Decimal } from '../../src/pricing/decimal.js';
import type { BilledLine } from '../../src/store/billed-line.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const HEADER = 'bill_payer_account_id,bill_billing_period_start_date,line_item_usage_account_id,line_item_iam_principal,line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,line_item_product_code,line_item_usage_type,line_item_usage_amount,pricing_unit,line_item_unblended_cost,line_item_currency_code,line_item_line_item_description,resource_tags';
const q = (s: string): string => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const row = (o: Partial<Record<string, string>>): string =>
  [
    o.payer ?? '111111111111',
    o.period ?? '2026-08-01T00:00:00Z',
    o.account ?? '123456789012',
    o.principal ?? '',
    o.type ?? 'Usage',
    o.start ?? '2026-08-03T00:00:00Z',
    o.end ?? '2026-08-03T01:00:00Z',
    o.product ?? 'AmazonBedrock',
    o.usage ?? 'USE1-Claude4.6Sonnet-output-tokens',
    o.amount ?? '68.579',
    o.unit ?? '1K tokens',
    o.cost ?? '1.131',
    o.currency ?? 'USD',
    o.description ?? '',
    o.tags ?? '',
  ]
    .map(q)
    .join(',');

const ROWS = [
  row({ principal: 'arn:aws:sts::1:assumed-role/Chat/s1', usage: 'USW2-anthropic.claude-opus-4-8-mantle-cache-write-tokens-standard', amount: '1629.5' }),
  row({ usage: 'USE1-NovaLite-input-tokens', unit: 'tokens', amount: '123456', cost: '0.000000123456789012' }),
  row({ usage: 'USE1-NovaLite-input-tokens', unit: '1M tokens', amount: '0.25', tags: 'search' }),
  row({ product: 'AmazonEC2', usage: 'BoxUsage:m5.large', unit: 'Hrs', amount: '24' }),
  row({ usage: 'APS1-Llama3-70B-cache-read-input-token-count', unit: 'Requests', amount: '7', tags: '{"user_team":"ads"}' }),
  row({ usage: 'USW2-TitanEmbed', unit: '', amount: '', tags: '{"team":5}' }),
  row({ cost: '12345678901.123456789', start: '2026-08-03T02:00:00+02:00', end: '2026-08-03T03:00:00+02:00', currency: 'eur' }),
  row({ cost: '1.5e-05', description: 'exponent amount' }),
  row({ cost: '+3', tags: '[{"key":"team","value":"ml"}]' }),
  row({ start: '2026-08-04', end: '2026-08-05', period: '' }),
  row({ start: '2026-08-04 10:30:00', end: '2026-08-04 11:30:00.123456' }),
  row({ type: 'Tax', usage: 'USE1-Claude4.6Sonnet-output-tokens', amount: '', unit: '', cost: '7.82' }),
  row({ type: 'Credit', cost: '-10', amount: '', unit: '' }),
  row({ type: 'SavingsPlanNegation', cost: '-0.5' }),
  row({ type: 'RIFee', cost: '100' }),
  row({ type: 'Weird', cost: '1' }),
  row({ start: '4/1/25' }),
  row({ cost: 'abc' }),
  row({ amount: '1.5', unit: '1.5K tokens' }),
  row({ start: '2026-02-30T00:00:00Z' }),
];

let store: Store;
let dir: string;
let file: string;
before(async () => {
  dir = tempDir('costrail-cur-bulk-');
  file = path.join(dir, 'cur.csv');
  fs.writeFileSync(file, [HEADER, ...ROWS].join('\n') + '\n');
  store = await DuckDbStore.open(path.join(dir, 'store'));
});
after(async () => {
  await store.close();
});

/** As the store hands them back: decimals in their shortest form. */
function normalised(l: BilledLine): BilledLine {
  const d = (v: string | null): string | null => (v === null ? null : Decimal.parse(v).toString());
  return { ...l, quantity: d(l.quantity), amount: d(l.amount) ?? '0', amount_usd: d(l.amount_usd) };
}

describe('AWS CUR bulk mapping', () => {
  it('maps plain lines in SQL and leaves the odd and bad ones to the per-line mapping', async () => {
    const scratch = tempDir('costrail-cur-bulk-scratch-');
    const r = await mapCurInBulk(file, scratch);
    assert.equal(r.rows, ROWS.length);
    assert.equal(r.skipped, 1);
    assert.equal(r.firstMapped?.line, 2);
    assert.equal(r.firstMapped?.billingAccount, '111111111111');
    // exponent, '+3' with list tags, unknown type, three bad dates/amounts, fractional block unit, Feb 30.
    assert.deepEqual(
      r.perLine.map((p) => p.line),
      [9, 10, 17, 18, 19, 20, 21],
    );
    assert.equal(r.mappedLines, ROWS.length - 1 - 7);
  });

  it('imports exactly the lines and bad-line reasons of the per-line importer', async () => {
    const expected: BilledLine[] = [];
    const invalid: { line: number; error: string }[] = [];
    for await (const batch of awsCurParser.parse(file)) {
      for (const p of batch) {
        if (p.error !== undefined) invalid.push({ line: p.line, error: p.error });
        expected.push(...p.lines);
      }
    }
    const refused = await importBillingFile(store, file);
    assert.equal(refused.status, 'refused');
    assert.deepEqual(refused.invalid, invalid);
    assert.equal(await store.billed.count(), 0);

    const r = await importBillingFile(store, file, { skipInvalid: true });
    assert.equal(r.status, 'imported');
    assert.equal(r.rows, ROWS.length);
    assert.equal(r.skipped, 1);
    assert.equal(r.source, 'aws-cur:111111111111');
    assert.deepEqual(r.invalid, invalid);
    assert.equal(r.lines, expected.length);
    assert.deepEqual(await store.billed.lines(r.import_id), expected.map(normalised));
    const again = await importBillingFile(store, file, { skipInvalid: true });
    assert.equal(again.status, 'already_imported');
  });
});
