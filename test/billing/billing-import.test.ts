/**
 * Each billing export format imported from files built from the shared examples
 * (test/fixtures/billing, shapes from ../shared/fixtures/billing and the providers' docs).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { detectBillingFormat } from '../../src/billing/detect-billing-format.js';
import { importBillingFile } from '../../src/billing/billing-import.js';
import { parseAzureMeter } from '../../src/billing/azure-cost.js';
import { parseBedrockUsageType } from '../../src/billing/aws-cur.js';
import { parseGcpSku } from '../../src/billing/gcp-billing.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURES = path.join(process.cwd(), 'test', 'fixtures', 'billing');
const fixture = (name: string): string => path.join(FIXTURES, name);

let store: Store;
before(async () => {
  store = await DuckDbStore.open(tempDir('costrail-billing-'));
});
after(async () => {
  await store.close();
});

async function linesOf(importId: string): Promise<Awaited<ReturnType<Store['billed']['lines']>>> {
  return store.billed.lines(importId);
}

describe('format detection', () => {
  for (const [file, format] of [
    ['openai-costs.json', 'openai-costs'],
    ['anthropic-cost-report.json', 'anthropic-cost-report'],
    ['aws-cur2-bedrock.csv', 'aws-cur'],
    ['azure-cost.csv', 'azure-cost'],
    ['gcp-billing.jsonl', 'gcp-billing'],
    ['focus-v1.2-saas.csv', 'focus'],
  ] as const) {
    it(`${file} is ${format}`, async () => {
      assert.equal(await detectBillingFormat(fixture(file)), format);
    });
  }
  it('refuses a file of no known shape, saying so', async () => {
    const f = path.join(tempDir('costrail-billing-x-'), 'x.csv');
    fs.writeFileSync(f, 'a,b\n1,2\n');
    await assert.rejects(detectBillingFormat(f), /no header of a known billing export/);
  });
});

describe('importers', () => {
  it('OpenAI Costs API pages: dollars as numbers, line_item split into model and token class', async () => {
    const r = await importBillingFile(store, fixture('openai-costs.json'));
    assert.equal(r.status, 'imported');
    assert.equal(r.format, 'openai-costs');
    assert.equal(r.lines, 4);
    const lines = await linesOf(r.import_id);
    assert.deepEqual(
      lines.map((l) => [l.line, l.account, l.model, l.token_class, l.amount, l.amount_usd, l.currency, l.charge_start.slice(0, 10)]),
      [
        [1, null, null, null, '0.06', '0.06', 'USD', '2024-11-01'],
        [2, 'proj_abc', null, 'input', '0.06', '0.06', 'USD', '2024-11-02'],
        [3, 'proj_abc', 'gpt-4o-2024-08-06', 'output', '0.18', '0.18', 'USD', '2024-11-02'],
        [4, 'proj_unmetered', 'gpt-4o-2024-08-06', 'input', '1.25', '1.25', 'USD', '2024-11-02'],
      ],
    );
    assert.equal(lines[1]?.quantity, '10000');
    assert.equal(lines[1]?.unit, 'tokens');
  });

  it('Anthropic cost report: amounts are cents as decimal strings, divided by 100 exactly', async () => {
    const r = await importBillingFile(store, fixture('anthropic-cost-report.json'));
    assert.equal(r.format, 'anthropic-cost-report');
    const lines = await linesOf(r.import_id);
    assert.deepEqual(
      lines.map((l) => [l.amount, l.model, l.token_class, l.account, l.service]),
      [
        ['0.54702', 'claude-sonnet-4-20250514', 'input', 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ', 'tokens'],
        ['0.273034', 'claude-sonnet-4-20250514', 'cache_read', 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ', 'tokens'],
        ['0.12', null, null, 'wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ', 'web_search'],
      ],
    );
    assert.equal(lines[0]?.charge_start, '2026-08-01T00:00:00.000Z');
    assert.equal(lines[0]?.charge_end, '2026-08-02T00:00:00.000Z');
  });

  it('AWS CUR 2.0: Bedrock lines only, line types as charge kinds, units kept per line', async () => {
    const r = await importBillingFile(store, fixture('aws-cur2-bedrock.csv'));
    assert.equal(r.format, 'aws-cur');
    assert.equal(r.source, 'aws-cur:111111111111');
    assert.equal(r.rows, 11);
    assert.equal(r.skipped, 1);
    const lines = await linesOf(r.import_id);
    assert.equal(lines.length, 10);
    assert.ok(lines.every((l) => l.provider === 'bedrock'));
    assert.deepEqual(lines[0] && [lines[0].line, lines[0].model, lines[0].token_class, lines[0].quantity, lines[0].unit, lines[0].amount], [2, 'anthropic.claude-opus-4-8', 'cache_write', '1629500', 'tokens', '11.2029']);
    assert.deepEqual(lines[4] && [lines[4].model, lines[4].token_class, lines[4].quantity, lines[4].unit], ['claude4.6sonnet', 'output', '4800000', 'tokens']);
    assert.deepEqual(lines.slice(-2).map((l) => [l.line, l.charge_kind, l.amount, l.model]), [
      [11, 'tax', '7.82', null],
      [12, 'credit', '-10', null],
    ]);
    assert.equal(lines[0]?.invoice_period, '2026-08');
    assert.equal(lines[0]?.account, 'arn:aws:sts::123456789012:assumed-role/ChatApp/session-1');
  });

  it('AWS CUR 2.0 as Parquet imports the same lines as the CSV', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const dir = tempDir('costrail-billing-pq-');
    const parquet = path.join(dir, 'cur.parquet');
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    // Typed columns as Data Exports writes them (timestamps, doubles), not text.
    await conn.run(`COPY (SELECT * FROM read_csv('${fixture('aws-cur2-bedrock.csv')}', header = true)) TO '${parquet}' (FORMAT parquet)`);
    conn.closeSync();
    inst.closeSync();
    const s = await DuckDbStore.open(tempDir('costrail-billing-pq-store-'));
    try {
      const r = await importBillingFile(s, parquet);
      assert.equal(r.format, 'aws-cur');
      const csv = await importBillingFile(store, fixture('aws-cur2-bedrock.csv'));
      const fromCsv = await linesOf(csv.import_id);
      assert.deepEqual(await s.billed.lines(r.import_id), fromCsv);
    } finally {
      await s.close();
    }
  });

  it('Azure cost details: model and token class from the meter, 1K units to tokens, team from tags', async () => {
    const r = await importBillingFile(store, fixture('azure-cost.csv'));
    assert.equal(r.format, 'azure-cost');
    assert.equal(r.skipped, 1);
    const lines = await linesOf(r.import_id);
    assert.deepEqual(
      lines.map((l) => [l.line, l.model, l.token_class, l.quantity, l.unit, l.amount, l.team, l.account]),
      [
        [2, 'gpt-4o-1120', 'input', '864000', 'tokens', '2.16', 'search', 'aoai-prod'],
        [3, 'gpt-4o-1120', 'output', '72334', 'tokens', '0.72334', 'search', 'aoai-prod'],
        [4, 'gpt-4o-1120', 'cache_read', '400000', 'tokens', '0.5', 'search', 'aoai-prod'],
      ],
    );
    assert.equal(lines[0]?.provider, 'azure');
  });

  it('GCP billing export rows: Vertex AI only, SKU parsed, credits as their own lines', async () => {
    const r = await importBillingFile(store, fixture('gcp-billing.jsonl'));
    assert.equal(r.format, 'gcp-billing');
    assert.equal(r.source, 'gcp-billing:012345-6789AB-CDEF01');
    assert.equal(r.skipped, 1);
    const lines = await linesOf(r.import_id);
    assert.deepEqual(
      lines.map((l) => [l.line, l.charge_kind, l.model, l.token_class, l.amount, l.team, l.invoice_period]),
      [
        [1, 'usage', 'gemini-2.5-flash', 'input', '1.2143', 'search', '2026-08'],
        [2, 'usage', 'gemini-2.5-flash', 'output', '2.5', 'search', '2026-08'],
        [2, 'credit', 'gemini-2.5-flash', null, '-0.5', 'search', '2026-08'],
      ],
    );
    // The label on the row wins over the project's label only when it names a team: here only the project does.
    assert.equal(lines[0]?.account, 'my-ai-prod');
  });

  it('FOCUS 1.2: ChargeCategory as kind, ProviderName as provider', async () => {
    const r = await importBillingFile(store, fixture('focus-v1.2-saas.csv'));
    assert.equal(r.format, 'focus');
    const lines = await linesOf(r.import_id);
    assert.deepEqual(
      lines.map((l) => [l.line, l.provider, l.charge_kind, l.amount, l.quantity, l.unit]),
      [
        [2, 'acmecorp', 'commitment_purchase', '200000', null, null],
        [3, 'acmecorp', 'usage', '0', '245', 'Execution'],
        [4, 'acmecorp', 'usage', '0', '5', 'Execution'],
        [5, 'acmecorp', 'usage', '0', '120', 'Workflow operation'],
      ],
    );
  });
});

describe('bad lines, idempotence, replacement', () => {
  it('reports bad lines by number with the reason and imports nothing, unless skip-invalid', async () => {
    const s = await DuckDbStore.open(tempDir('costrail-billing-bad-'));
    try {
      const refused = await importBillingFile(s, fixture('focus-spec-example-dates.csv'));
      assert.equal(refused.status, 'refused');
      assert.deepEqual(refused.invalid.map((i) => i.line), [2, 3, 4, 5]);
      assert.match(refused.invalid[0]!.error, /ChargePeriodStart is not an ISO 8601 date or time \(got "4\/1\/25"\)/);
      assert.equal(await s.billed.count(), 0);
      assert.deepEqual(await s.billed.imports(), []);

      const dir = tempDir('costrail-billing-mixed-');
      const mixed = path.join(dir, 'openai.json');
      const doc = JSON.parse(fs.readFileSync(fixture('openai-costs.json'), 'utf8')) as { pages: { data: { results: { amount: unknown }[] }[] }[] };
      doc.pages[1]!.data[0]!.results[1]!.amount = { value: 'lots', currency: 'usd' };
      fs.writeFileSync(mixed, JSON.stringify(doc));
      const strict = await importBillingFile(s, mixed);
      assert.deepEqual(strict.invalid, [{ line: 3, error: 'amount.value is not a decimal number (got "lots")' }]);
      assert.equal(await s.billed.count(), 0);
      const lenient = await importBillingFile(s, mixed, { skipInvalid: true });
      assert.equal(lenient.status, 'imported');
      assert.equal(lenient.lines, 3);
      assert.equal(await s.billed.count(), 3);
    } finally {
      await s.close();
    }
  });

  it('the same export twice changes nothing; a later export of the period replaces it', async () => {
    const s = await DuckDbStore.open(tempDir('costrail-billing-idem-'));
    try {
      const first = await importBillingFile(s, fixture('anthropic-cost-report.json'));
      const again = await importBillingFile(s, fixture('anthropic-cost-report.json'));
      assert.equal(again.status, 'already_imported');
      assert.equal(again.import_id, first.import_id);
      assert.equal(await s.billed.count(), 3);

      const dir = tempDir('costrail-billing-restated-');
      const restated = path.join(dir, 'restated.json');
      const doc = JSON.parse(fs.readFileSync(fixture('anthropic-cost-report.json'), 'utf8')) as { data: { results: { amount: string }[] }[] };
      doc.data[0]!.results = doc.data[0]!.results.slice(0, 1);
      doc.data[0]!.results[0]!.amount = '60';
      fs.writeFileSync(restated, JSON.stringify(doc));
      const later = await importBillingFile(s, restated);
      assert.equal(later.replaced, 3);
      const totals = await s.billed.totals({ from: '2026-08-01T00:00:00Z', to: '2026-08-02T00:00:00Z' });
      assert.deepEqual(totals.map((t) => t.amount_usd), ['0.6']);
    } finally {
      await s.close();
    }
  });
});

describe('name parsing', () => {
  it('Bedrock usage types', () => {
    assert.deepEqual(parseBedrockUsageType('USW2-Claude4.6Sonnet-cache-write-input-token-count'), { model: 'claude4.6sonnet', token_class: 'cache_write' });
    assert.deepEqual(parseBedrockUsageType('USE1-NovaLite-input-tokens'), { model: 'novalite', token_class: 'input' });
  });
  it('Azure meters', () => {
    assert.deepEqual(parseAzureMeter('gpt 4.1 Inp Data Zone Tokens'), { model: 'gpt-4.1', token_class: 'input' });
    assert.deepEqual(parseAzureMeter('5.4 cd inp Gl'), { model: '5.4', token_class: 'cache_read' });
    assert.deepEqual(parseAzureMeter('5.4 opt Gl'), { model: '5.4', token_class: 'output' });
  });
  it('GCP SKUs', () => {
    assert.deepEqual(parseGcpSku('Gemini 2.5 Flash GA Thinking Text Output - Predictions'), { model: 'gemini-2.5-flash', token_class: 'reasoning' });
    assert.deepEqual(parseGcpSku('Gemini 2.5 Flash GA Input Text Caching'), { model: 'gemini-2.5-flash', token_class: 'cache_read' });
    assert.deepEqual(parseGcpSku('Gemini 3 Flash Text Input Caching Storage'), { model: 'gemini-3-flash', token_class: 'cache_storage' });
  });
});
