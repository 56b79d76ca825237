import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every .ts file under `dir` (for tests that check the source itself). */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}
