/**
 * `costrail prices check`: the shipped catalog against the LiteLLM copy and the genai-prices data
 * (every remaining disagreement explained, none stale), a genai-format file that is newer and
 * different (stale, exit 1), and the tolerance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPriceBook, loadPriceCheckNotes } from '../../src/pricing/catalog-loader.js';
import { checkPrices } from '../../src/cli/prices-check-command.js';
import type { ComparisonReport } from '../../src/pricing/catalog-comparison.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const LITELLM = join(REPO_ROOT, 'test', 'fixtures', 'reference', 'litellm_model_prices.json');
const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
// A Friday 10:00 in Beijing: DeepSeek peak hours, so the time-of-day windows are compared too.
const AT = '2026-11-20T02:00:00Z';
const book = loadPriceBook();
const readme = readFileSync(join(REPO_ROOT, 'data', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Disagreements with community catalogs'));

function assertAllExplained(r: ComparisonReport): void {
  assert.ok(r.compared_models > 150, `only ${r.compared_models} models compared`);
  assert.equal(r.stale, 0, JSON.stringify(r.disagreements.filter((d) => d.stale && !d.explained).slice(0, 5)));
  const unexplained = r.disagreements.filter((d) => d.explained === null).map((d) => `${d.provider}/${d.model} ${d.case}`);
  assert.deepEqual(unexplained, []);
  for (const d of r.disagreements) assert.ok(section.includes(`\`${d.model}\``), `data/README.md does not explain ${d.provider}/${d.model}`);
}

test('against the LiteLLM copy (taken 2026-07-24): the known price changes show, every disagreement is explained', () => {
  const r = checkPrices(book, { against: LITELLM, sourceDate: '2026-07-24', at: AT });
  assertAllExplained(r);
  // The check sees what changed after LiteLLM's snapshot: Luna's 80% cut.
  const luna = r.disagreements.find((d) => d.model === 'gpt-5.6-luna' && d.case === 'output 10k');
  assert.deepEqual(luna && [luna.ours, luna.theirs, luna.diff_pct], ['0.012', '0.06', '80.00']);
});

test('against the genai-prices data bundled with Costrail: every disagreement is explained', () => {
  assertAllExplained(checkPrices(book, { at: AT }));
});

test('every explanation on file names a disagreement that still exists (no stale notes)', () => {
  const seen = new Set<string>();
  for (const [src, r] of [['litellm', checkPrices(book, { against: LITELLM, sourceDate: '2026-07-24', at: AT })], ['genai-prices', checkPrices(book, { at: AT })]] as const) {
    for (const d of r.disagreements) seen.add(`${src}\u0000${d.provider}\u0000${d.model}`);
  }
  for (const e of loadPriceCheckNotes()) assert.ok(seen.has(`${e.source}\u0000${e.provider}\u0000${e.model}`), `no disagreement left for ${e.source} ${e.provider}/${e.model}`);
});

test('a genai-format file with a newer, different price makes the entry stale and the command exit 1; 0.4% is within tolerance', () => {
  const dir = mkdtempSync(join(tmpdir(), 'costrail-prices-check-'));
  try {
    const file = join(dir, 'genai-data.json');
    const providers = [
      {
        id: 'openai',
        name: 'OpenAI',
        api_pattern: 'x',
        models: [
          // gpt-4.1: 2 / 8 in the catalog since 2025-04-14; here 2.5 from 2026-10-01.
          { id: 'gpt-4.1', match: { equals: 'gpt-4.1' }, prices: [{ prices: { input_mtok: 2, output_mtok: 8 } }, { constraint: { type: 'start_date', start_date: '2026-10-01' }, prices: { input_mtok: 2.5, output_mtok: 8 } }] },
          // gpt-4.1-mini: 0.40 / 1.60 in the catalog; 0.4016 is 0.4% off, under the 0.5% line.
          { id: 'gpt-4.1-mini', match: { equals: 'gpt-4.1-mini' }, prices: { input_mtok: 0.4016, output_mtok: 1.6 } },
        ],
      },
    ];
    writeFileSync(file, JSON.stringify(providers));
    const r = checkPrices(book, { against: file, at: AT });
    assert.equal(r.compared_models >= 2, true);
    assert.deepEqual(
      r.disagreements.map((d) => [d.provider, d.model, d.case, d.ours, d.theirs, d.stale]),
      [['openai', 'gpt-4.1', 'input 10k', '0.02', '0.025', true]],
    );
    assert.equal(r.stale, 1);
    const cli = spawnSync(process.execPath, [BIN, 'prices', 'check', '--against', file, '--at', AT, '--json', '--data', dir], { encoding: 'utf8' });
    assert.equal(cli.status, 1, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as ComparisonReport).stale, 1);
    // `prices list --stale` lists exactly that model, with the reference's newer figure.
    const list = spawnSync(process.execPath, [BIN, 'prices', 'list', '--stale', '--against', file, '--json', '--data', dir], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    const models = (JSON.parse(list.stdout) as { models: { provider: string; model: string; stale: string }[] }).models;
    assert.deepEqual(models.map((m) => `${m.provider}/${m.model}`), ['openai/gpt-4.1']);
    assert.match(models[0]?.stale ?? '', /openai\/gpt-4\.1 from 2026-10-01: input 10k 0\.025 vs 0\.02/);
    // The same file checked before the newer period starts: nothing is stale.
    assert.equal(checkPrices(book, { against: file, at: '2026-09-01T00:00:00Z' }).stale, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
