/**
 * Temporary folders for tests that are deleted when the test file's process exits, however its
 * tests ended. Why at exit and not in each test's `after`: many folders hold a runtime's data
 * (DuckDB files, the spool, the master key) that other hooks close later, and deleting a folder
 * under an open store makes its close fail. `node --test` runs each file in its own process, so
 * exit is the moment every hook of the file is done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created: string[] = [];

function removeAll(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

process.once('exit', removeAll);

/** A fresh folder under the system temp directory, named `<prefix>XXXXXX`, removed at exit. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}
