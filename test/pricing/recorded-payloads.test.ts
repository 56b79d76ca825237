/**
 * Real responses recorded in other projects' test cassettes (test/fixtures/recorded/, sources and
 * licences in recorded.meta.json): `costrail cost` must price each one to exactly the figure worked
 * out in its meta from the provider's documented usage rules and the catalog's rates at `at`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCost } from '../../src/cli/cost-command.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

interface RecordedCase {
  case_id: string;
  file: string;
  provider: string;
  model: string;
  stream: boolean;
  at: string;
  arithmetic: string;
  expected_total: string;
  source: { repository: string; commit: string; path: string; licence: string };
}

const DIR = join(REPO_ROOT, 'test', 'fixtures', 'recorded');
const cases = (JSON.parse(readFileSync(join(DIR, 'recorded.meta.json'), 'utf8')) as { cases: RecordedCase[] }).cases;

test('at least 30 recorded payloads, every provider family in the set, streams among them, each with its source', () => {
  assert.ok(cases.length >= 30, `only ${cases.length}`);
  assert.ok(cases.some((c) => c.stream) && cases.some((c) => !c.stream));
  for (const c of cases) {
    assert.match(c.source.commit, /^[0-9a-f]{40}$/);
    assert.ok(c.source.licence.length > 0 && c.source.path.length > 0);
  }
});

for (const c of cases) {
  test(`${c.case_id}: priced to the hand-worked ${c.expected_total} (${c.arithmetic})`, () => {
    // Bedrock Converse and Cohere do not echo the model: the request named it.
    const named = c.provider === 'bedrock' || c.provider === 'cohere' ? c.model : undefined;
    const out = runCost(join(DIR, c.file), { provider: c.provider, at: c.at, data: '/nonexistent-costrail-data', ...(named ? { model: named } : {}) }) as {
      priced: boolean;
      cost: { total: string } | null;
      reason?: string;
    };
    assert.equal(out.priced, true, out.reason);
    assert.equal(Decimal.parse(out.cost?.total ?? 'NaN').cmp(Decimal.parse(c.expected_total)), 0, `costrail ${out.cost?.total} vs hand ${c.expected_total}`);
  });
}
