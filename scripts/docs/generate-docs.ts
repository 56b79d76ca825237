/**
 * `npm run docs`: regenerates the reference pages that come from the code (docs/http-api.md from the
 * served OpenAPI document, docs/cli.md from the commands' help, the environment table of
 * docs/configuration.md from src/config/env-vars.ts). `--check` writes nothing and exits 1
 * when a committed page is out of date; test/docs/generated-docs.test.ts does the same in the suite.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { renderCli } from './cli-doc.js';
import { renderHttpApi } from './http-api-doc.js';
import { withEnvTable } from '../../src/config/env-vars.js';

export interface GeneratedDoc {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

export async function generateDocs(): Promise<GeneratedDoc[]> {
  // Help texts print env-dependent defaults (e.g. --data from COSTRAIL_DATA): render them as a fresh shell sees them.
  for (const k of Object.keys(process.env)) if (k.startsWith('COSTRAIL_')) delete process.env[k];
  const { program } = (await import('../../src/cli/main.js')) as { program: Command };
  const { startCostrail } = await import('../../src/server/costrail-runtime.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'costrail-docs-'));
  try {
    const rt = await startCostrail({ port: 0, dataDir, quiet: true, upstreams: {} });
    try {
      const doc = (await (await fetch(`${rt.url}/api/openapi.json`)).json()) as Record<string, unknown>;
      return [
        { path: 'docs/http-api.md', content: renderHttpApi(doc) },
        { path: 'docs/cli.md', content: renderCli(program) },
        // Hand-written page; only its environment table comes from src/config/env-vars.ts.
        { path: 'docs/configuration.md', content: withEnvTable(readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8')) },
      ];
    } finally {
      await rt.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Pages whose committed text differs from what the code generates now. */
export function staleDocs(root: string, docs: GeneratedDoc[]): string[] {
  return docs.filter((d) => {
    try {
      return readFileSync(join(root, d.path), 'utf8') !== d.content;
    } catch {
      return true;
    }
  }).map((d) => d.path);
}

if (process.argv[1]?.endsWith('generate-docs.js')) {
  const docs = await generateDocs();
  if (process.argv.includes('--check')) {
    const stale = staleDocs(process.cwd(), docs);
    if (stale.length) {
      process.stderr.write(`out of date: ${stale.join(', ')} (run npm run docs)\n`);
      process.exit(1);
    }
  } else {
    for (const d of docs) writeFileSync(join(process.cwd(), d.path), d.content);
    process.stderr.write(`wrote ${docs.map((d) => d.path).join(', ')}\n`);
  }
  process.exit(0);
}
