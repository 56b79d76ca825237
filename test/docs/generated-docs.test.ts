/** The generated reference pages (docs/http-api.md, docs/cli.md, the environment table of docs/configuration.md) match what the code produces now; user docs stay inside the repository. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { generateDocs, staleDocs } from '../../scripts/docs/generate-docs.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

test('committed generated docs are up to date (npm run docs regenerates them)', async () => {
  const docs = await generateDocs();
  assert.deepEqual(docs.map((d) => d.path).sort(), ['docs/cli.md', 'docs/configuration.md', 'docs/http-api.md']);
  assert.match(docs.find((d) => d.path === 'docs/http-api.md')?.content ?? '', /### `GET \/api\/events`[\s\S]*- `events` \(object\[\]\)/);
  assert.match(docs.find((d) => d.path === 'docs/cli.md')?.content ?? '', /### `costrail keys create`/);
  assert.deepEqual(staleDocs(REPO_ROOT, docs), [], 'out of date: run npm run docs and commit the result');
});

test('user docs link only to files inside the repository, and those files exist', () => {
  const pages = ['README.md', 'data/README.md', ...readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  assert.ok(pages.includes('docs/configuration.md') && pages.includes('docs/operations.md'));
  const problems: string[] = [];
  for (const page of pages) {
    const text = readFileSync(join(REPO_ROOT, page), 'utf8');
    if (text.includes('../shared')) problems.push(`${page}: mentions ../shared`);
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (!target || /^[a-z]+:/.test(target)) continue;
      const file = resolve(REPO_ROOT, dirname(page), target);
      if (relative(REPO_ROOT, file).startsWith('..')) problems.push(`${page}: ${target} is outside the repository`);
      else if (!existsSync(file)) problems.push(`${page}: ${target} does not exist`);
    }
  }
  assert.deepEqual(problems, []);
});
