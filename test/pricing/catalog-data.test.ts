/** The shipped catalog (data/prices.json): format, provenance, ordering, uniqueness and fixture coverage. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CatalogSchema, type Catalog, type ModelPrice, type RateKey } from '../../src/pricing/catalog-schema.js';
import { listCases, loadMeta } from '../helpers/fixtures.js';

const raw: unknown = JSON.parse(readFileSync(join(process.cwd(), 'data', 'prices.json'), 'utf8'));
const parsed = CatalogSchema.safeParse(raw);
const catalog: Catalog = parsed.success ? parsed.data : { version: 'invalid', models: [] };

const REQUIRED_PROVIDERS = [
  'openai', 'azure', 'anthropic', 'gemini', 'vertex', 'bedrock', 'mistral', 'cohere', 'deepseek', 'xai', 'groq', 'together',
];

/** Fixture metas name providers the way the corpus does; the catalog uses Costrail ids. */
const FIXTURE_PROVIDER: Record<string, string> = {
  'azure-openai': 'azure',
  'aws-bedrock': 'bedrock',
  'google-ai-studio': 'gemini',
  'google-vertex-ai': 'vertex',
};

/** Fixture rate names -> catalog rate kinds. */
const FIXTURE_RATE: Record<string, RateKey> = {
  input_uncached: 'input',
  input: 'input',
  text_input: 'input',
  text_video_uncached: 'input',
  output: 'output',
  text_output: 'output',
  cache_read: 'cache_read',
  text_video_cached: 'cache_read',
  cache_write: 'cache_write',
  cache_write_5m: 'cache_write',
  audio_input: 'audio_input',
  audio_uncached: 'audio_input',
  audio_cached: 'audio_cache_read',
};

const BEDROCK_GEO = /^(us-gov|us|eu|apac|jp|au|ca)\./;

function keyOf(provider: string, name: string): string {
  return `${provider}\u0000${name.toLowerCase()}`;
}

const byName = new Map<string, ModelPrice>();
for (const m of catalog.models) for (const n of [m.model, ...(m.aliases ?? [])]) byName.set(keyOf(m.provider, n), m);

/** Decimal string or number -> integer count of 1e-12 USD, so comparisons never touch floats. */
function scaled(v: string | number): bigint {
  const [i = '0', f = ''] = String(v).split('.');
  return BigInt(i) * 10n ** 12n + BigInt((f + '0'.repeat(12)).slice(0, 12));
}

test('data/prices.json validates against CatalogSchema', () => {
  assert.equal(parsed.success, true, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3)));
  assert.match(catalog.version, /^\d{4}-\d{2}-\d{2}\.\d+$/);
});

test('at least 100 models across all required providers', () => {
  assert.ok(catalog.models.length >= 100, `only ${catalog.models.length}`);
  const providers = new Set(catalog.models.map((m) => m.provider));
  for (const p of REQUIRED_PROVIDERS) assert.ok(providers.has(p), `no ${p} models`);
});

test('every period names a source and a real effective date, in increasing order', () => {
  for (const m of catalog.models) {
    let prev = '';
    for (const p of m.prices) {
      assert.ok(p.source.trim().length > 20, `${m.provider}/${m.model}: source too short`);
      const day = p.effective_from.slice(0, 10);
      const t = Date.parse(`${day}T00:00:00Z`);
      assert.ok(!Number.isNaN(t) && new Date(t).toISOString().startsWith(day), `${m.model}: bad date ${p.effective_from}`);
      assert.ok(p.effective_from > prev, `${m.provider}/${m.model}: periods not in increasing order`);
      prev = p.effective_from;
    }
  }
});

test('no (provider, name or alias) pair appears twice, case-insensitively', () => {
  const seen = new Map<string, string>();
  for (const m of catalog.models) {
    for (const n of [m.model, ...(m.aliases ?? [])]) {
      const k = keyOf(m.provider, n);
      assert.equal(seen.has(k), false, `${m.provider}/${n} used by ${seen.get(k)} and ${m.model}`);
      seen.set(k, m.model);
    }
  }
});

test('rates, tiers and modifiers are well formed', () => {
  for (const m of catalog.models) {
    for (const p of m.prices) {
      assert.ok(Object.keys(p.rates).length > 0, `${m.model}: no rates`);
      if (m.mode !== 'embedding') assert.ok(p.rates.output !== undefined, `${m.provider}/${m.model}: no output rate`);
      for (const t of p.tiers ?? []) assert.ok(Object.keys(t.rates).length > 0, `${m.model}: empty tier`);
      const thresholds = (p.tiers ?? []).map((t) => t.above_input_tokens ?? t.from_input_tokens ?? 0);
      assert.deepEqual(thresholds, [...thresholds].sort((a, b) => a - b), `${m.model}: tiers out of order`);
      for (const mod of [p.batch, p.fine_tuned, ...Object.values(p.service_tiers ?? {})]) {
        if (mod) assert.ok(mod.multiplier !== undefined || mod.rates !== undefined, `${m.model}: empty modifier`);
      }
    }
  }
});

/** The model a fixture is billed as, under the catalog provider. Bedrock: the requested id minus its geo prefix. */
function fixtureModel(provider: string, requested: string | null | undefined, reported: string | null | undefined): string[] {
  const first = (s: string | null | undefined) => (s ?? '').trim().split(/\s+/)[0] ?? '';
  if (provider === 'bedrock') {
    const id = first(requested);
    return id.startsWith('global.') ? [id] : [id.replace(BEDROCK_GEO, '')];
  }
  return [first(reported), first(requested)].filter((s) => s.length > 0);
}

const priced = listCases()
  .map(loadMeta)
  .filter((meta) => meta.expected_cost?.rates_usd_per_mtok !== undefined);

test('there are priced fixtures to check', () => {
  assert.ok(priced.length >= 40, `only ${priced.length}`);
});

for (const meta of priced) {
  const provider = FIXTURE_PROVIDER[meta.provider] ?? meta.provider;
  test(`${meta.case_id}: its model is in the catalog under ${provider} with the fixture's rates in some period`, () => {
    const names = fixtureModel(provider, meta.model_requested, meta.model_reported);
    const entry = names.map((n) => byName.get(keyOf(provider, n))).find((e) => e !== undefined);
    assert.ok(entry, `${provider}: none of ${names.join(', ')} found`);
    const rates = meta.expected_cost?.rates_usd_per_mtok ?? {};
    // Batch / flex fixtures quote the discounted rates: compare against base x multiplier.
    const modifier = (p: ModelPrice['prices'][number]) =>
      meta.case_id.includes('batch') ? p.batch : meta.case_id.includes('flex') ? p.service_tiers?.flex : undefined;
    const matches = entry.prices.some((p) =>
      Object.entries(rates).every(([name, want]) => {
        const kind = FIXTURE_RATE[name];
        assert.ok(kind, `unknown fixture rate name ${name}`);
        const mod = modifier(p);
        const explicit = mod?.rates?.[kind];
        const base = p.rates[kind];
        if (explicit !== undefined) return scaled(explicit) === scaled(want);
        if (base === undefined) return false;
        const mult = mod?.multiplier ?? '1';
        return scaled(base) * scaled(mult) === scaled(want) * 10n ** 12n;
      }),
    );
    assert.ok(matches, `${entry.provider}/${entry.model}: no period has ${JSON.stringify(rates)}`);
  });
}
