/**
 * Layering: server/ composes the process; domain modules receive what they need as parameters
 * and never import from server/ (which imports them). cli/ and demo/ start a server, so they may.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { sourceFiles } from '../helpers/source-files.js';


// config/ resolves settings and builds the runtime's options; server/ then composes the process.
const COMPOSERS = ['server/', 'cli/', 'demo/', 'config/'];

test('no domain module imports from src/server/', () => {
  const src = join(REPO_ROOT, 'src');
  const upward = sourceFiles(src)
    .map((f) => relative(src, f).replace(/\\/g, '/'))
    .filter((f) => !COMPOSERS.some((c) => f.startsWith(c)))
    .filter((f) => /from '(\.\.\/)+server\//.test(readFileSync(join(src, f), 'utf8')));
  assert.deepEqual(upward, []);
});
