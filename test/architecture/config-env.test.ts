/**
 * One configuration: src/config/ is the only source that reads process.env, every COSTRAIL_*
 * variable the source names is declared in src/config/env-vars.ts, and docs/configuration.md
 * lists exactly the declared variables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { declaredEnvNames, renderEnvTable } from '../../src/config/env-vars.js';
import { sourceFiles } from '../helpers/source-files.js';

const SRC = join(REPO_ROOT, 'src');
const sources = sourceFiles(SRC).map((f) => ({ path: relative(SRC, f).replace(/\\/g, '/'), text: readFileSync(f, 'utf8') }));

test('only src/config/ reads process.env', () => {
  const readers = sources.filter((s) => !s.path.startsWith('config/') && /process\s*\.\s*env\b|process\s*\[\s*['"]env['"]\s*\]/.test(s.text)).map((s) => s.path);
  assert.deepEqual(readers, []);
});

test('every COSTRAIL_* variable named in the source is declared once', () => {
  const declared = declaredEnvNames();
  assert.equal(new Set(declared).size, declared.length, 'a variable is declared twice');
  const perProvider = /^COSTRAIL_[A-Z0-9_]+_BASE_URL$/; // the COSTRAIL_<PROVIDER>_BASE_URL row
  const named = new Set(sources.flatMap((s) => s.text.match(/\bCOSTRAIL_[A-Z0-9_]+\b/g) ?? []));
  const undeclared = [...named].filter((n) => !declared.includes(n) && !perProvider.test(n)).sort();
  assert.deepEqual(undeclared, []);
});

test("docs/configuration.md's environment table lists exactly the declared variables", () => {
  const page = readFileSync(join(REPO_ROOT, 'docs/configuration.md'), 'utf8');
  assert.ok(page.includes(renderEnvTable()), 'docs/configuration.md: environment table is stale (run npm run docs)');
  const start = page.indexOf('| variable | default | meaning |');
  const table = page.slice(start, page.indexOf('\n\n', start));
  const listed = table.split('\n').slice(2).flatMap((row) => (row.split(' | ')[0] ?? '').match(/`[A-Z][A-Z0-9_<>]*`/g) ?? []).map((n) => n.slice(1, -1));
  assert.deepEqual(listed.sort(), [...declaredEnvNames()].sort());
});
