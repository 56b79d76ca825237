/** The generated reference pages (docs/http-api.md, docs/cli.md) match what the code produces now. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateDocs, staleDocs } from '../../scripts/docs/generate-docs.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

test('committed generated docs are up to date (npm run docs regenerates them)', async () => {
  const docs = await generateDocs();
  assert.deepEqual(docs.map((d) => d.path).sort(), ['docs/cli.md', 'docs/http-api.md']);
  assert.match(docs.find((d) => d.path === 'docs/http-api.md')?.content ?? '', /### `GET \/api\/events`[\s\S]*- `events` \(object\[\]\)/);
  assert.match(docs.find((d) => d.path === 'docs/cli.md')?.content ?? '', /### `costrail keys create`/);
  assert.deepEqual(staleDocs(REPO_ROOT, docs), [], 'out of date: run npm run docs and commit the result');
});
