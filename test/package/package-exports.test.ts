/**
 * `import('costrail')` as a user's project does it: the package linked into a temporary project's
 * node_modules, imported by name at run time (ESM resolution through `exports`) and type-checked
 * by name (TypeScript resolution through `exports.types`). Also checks `npm pack` would ship the
 * entry point, so a published package is not the broken one of issue 14.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { fixturePath, REPO_ROOT } from '../helpers/fixtures.js';

function withConsumerProject(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'costrail-consumer-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(REPO_ROOT, join(dir, 'node_modules', 'costrail'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a project imports costrail by name and prices a response with it', () => {
  withConsumerProject((dir) => {
    writeFileSync(
      join(dir, 'price.mjs'),
      `import { readFileSync } from 'node:fs';
const c = await import('costrail');
const reading = c.readProviderResponse('openai', new Uint8Array(readFileSync(process.argv[2])));
const result = c.priceUsage(c.loadPriceBook(), { provider: 'openai', model: reading.model, usage: reading.extraction.usage, at: new Date('2026-11-01T00:00:00Z') });
const sum = c.Decimal.parse(result.cost.input).add(c.Decimal.parse(result.cost.output)).add(c.Decimal.parse(result.cost.cache_read));
console.log(JSON.stringify({ exports: Object.keys(c).sort(), total: result.cost.total, sum: sum.toString(), kinds: c.USAGE_KINDS.length }));
`,
    );
    const r = spawnSync(process.execPath, ['price.mjs', fixturePath('openai_chat_stream_include_usage.sse')], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { exports: string[]; total: string; sum: string; kinds: number };
    assert.equal(out.total, '0.0000171');
    assert.equal(out.sum, out.total);
    assert.equal(out.kinds, 11);
    // The surface is deliberate: a new export is a decision, so this list changes with it.
    assert.deepEqual(out.exports, [
      'ATTRIBUTION_FIELDS',
      'CostrailRefusalError',
      'Decimal',
      'PROVIDER_IDS',
      'PriceBook',
      'ProviderPayloadError',
      'RecordSender',
      'USAGE_KINDS',
      'USAGE_VERSION',
      'billedModel',
      'emptyUsage',
      'instrument',
      'isProviderId',
      'loadPriceBook',
      'priceUsage',
      'readProviderResponse',
      'recordOutcome',
      'withAttribution',
    ]);
  });
});

test('costrail/sdk is importable by name, with types', () => {
  withConsumerProject((dir) => {
    writeFileSync(join(dir, 'sdk.mjs'), `const s = await import('costrail/sdk');\nconsole.log(JSON.stringify(Object.keys(s).sort()));\nconsole.log(s.withAttribution({ team: 'a' }, () => s.withAttribution({ feature: 'b' }, () => JSON.stringify(s.currentAttribution()))));\n`);
    const r = spawnSync(process.execPath, ['sdk.mjs'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [keys, attribution] = r.stdout.trim().split('\n');
    assert.deepEqual(JSON.parse(keys!), ['AdmissionClient', 'CostrailRefusalError', 'RecordSender', 'costrailFetch', 'currentAttribution', 'defaultRecordSender', 'instrument', 'withAttribution']);
    assert.deepEqual(JSON.parse(attribution!), { team: 'a', feature: 'b' });
    const file = join(dir, 'use-sdk.ts');
    writeFileSync(file, `import { instrument, withAttribution, type AttributionInput } from 'costrail/sdk';\nexport const a: AttributionInput = { team: 'x', priority: 'normal' };\nexport const f: typeof instrument = instrument;\nexport const w = withAttribution(a, () => 1);\n`);
    const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(REPO_ROOT, 'node_modules', '@types')] });
    assert.deepEqual(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
  });
});

test('the bin still runs through a symlinked package (main.ts only parses when it is the program)', () => {
  withConsumerProject((dir) => {
    const r = spawnSync(process.execPath, [join(dir, 'node_modules', 'costrail', 'dist', 'src', 'cli', 'main.js'), '--version'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '0.1.0');
  });
});

test('a TypeScript project gets the types of the ledger record, usage and cost by name', () => {
  withConsumerProject((dir) => {
    const file = join(dir, 'use.ts');
    writeFileSync(
      file,
      `import { emptyUsage, type LedgerRecord, type CostBreakdown, type Usage } from 'costrail';
const usage: Usage = emptyUsage();
export function totalOf(r: LedgerRecord): string | undefined { return r.cost?.total; }
export const currency: CostBreakdown['currency'] = 'USD';
export const n: number = usage.input_tokens;
// @ts-expect-error a ledger record's status is a closed set
export const bad: LedgerRecord['status'] = 'finished';
`,
    );
    const program = ts.createProgram([file], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(diagnostics, []);
  });
});

test('the packed package ships the entry point and its types', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [pack] = JSON.parse(r.stdout) as [{ files: { path: string }[] }];
  const paths = new Set(pack.files.map((f) => f.path));
  for (const p of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'data/prices.json']) assert.ok(paths.has(p), `${p} is not in the package`);
});
