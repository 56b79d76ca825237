/**
 * What `npm install costrail` gets: the compiled server and CLI, the built dashboard, the price
 * catalog, LICENSE and README — and none of the tests, local data folders or source maps (they
 * point at TypeScript sources the package does not ship).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/fixtures.js';

interface PackEntry {
  files: { path: string }[];
}

test('npm pack ships dist/src, dist/web, data, LICENSE and README only', () => {
  // --ignore-scripts: `prepare` would rebuild (and first delete) dist/ under the running suite.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const files = (JSON.parse(out) as PackEntry[])[0]!.files.map((f) => f.path);
  const has = (p: string) => files.includes(p);
  const under = (dir: string) => files.filter((f) => f.startsWith(dir));

  for (const p of ['LICENSE', 'README.md', 'package.json', 'data/prices.json', 'dist/src/cli/main.js', 'dist/web/index.html']) assert.ok(has(p), `${p} is missing`);
  assert.ok(under('dist/web/assets/').some((f) => f.endsWith('.js')), 'the built dashboard');
  const forbidden = files.filter((f) => /^(dist\/test|dist\/bench|test|src|web|bench|scripts|\.costrail)(\/|$)/.test(f) || f.endsWith('.map') || f.includes('node_modules/'));
  assert.deepEqual(forbidden, []);
});

test('LICENSE is the Apache-2.0 text package.json names', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { license: string };
  assert.equal(pkg.license, 'Apache-2.0');
  assert.ok(existsSync(join(REPO_ROOT, 'LICENSE')));
  const text = readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8');
  assert.match(text, /Apache License\s+Version 2\.0, January 2004/);
  assert.match(text, /END OF TERMS AND CONDITIONS/);
});
