/**
 * Builds the price book from its layers: the built-in catalog shipped in data/, catalogs the
 * operator imported into the data folder, an explicit `--prices` file, and overrides.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ZodError } from 'zod';
import { CatalogSchema, type Catalog } from './catalog-schema.js';
import { catalogFromLiteLLM, isLiteLLMFormat } from './litellm-import.js';
import { OverridesSchema, type Overrides } from './overrides.js';
import { PriceBook } from './price-book.js';
import { AliasTableSchema, type AliasTable } from './alias-table.js';
import type { Explanation } from './catalog-comparison.js';

/** dist/src/pricing -> package root (and src/pricing when run from source). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'data'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot locate the costrail package root (data/prices.json)');
}

export const BUILTIN_CATALOG_PATH = join(packageRoot(), 'data', 'prices.json');
export const BUILTIN_ALIASES_PATH = join(packageRoot(), 'data', 'model-aliases.json');

export function zodMessage(err: ZodError): string {
  const first = err.issues[0];
  if (!first) return 'invalid';
  return `${first.path.join('.') || '(root)'}: ${first.message}`;
}

function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not JSON (${(e as Error).message})`);
  }
}

/**
 * Reads a price file in Costrail's format or the community (LiteLLM) format, returning a
 * Costrail catalog. `effectiveFrom` dates the prices of a LiteLLM file, which carries no dates.
 */
export function loadCatalogFile(path: string, effectiveFrom = '2000-01-01'): { catalog: Catalog; skipped: number; format: 'costrail' | 'litellm' } {
  const json = readJsonFile(path);
  if (isLiteLLMFormat(json)) {
    const { catalog, skipped } = catalogFromLiteLLM(json, { effectiveFrom, source: `LiteLLM-format price file ${path}` });
    return { catalog, skipped: skipped.length, format: 'litellm' };
  }
  const parsed = CatalogSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${path}: not a Costrail or LiteLLM price file (${zodMessage(parsed.error)})`);
  return { catalog: parsed.data, skipped: 0, format: 'costrail' };
}

export const PRICE_CHECK_NOTES_PATH = join(packageRoot(), 'data', 'price-check-notes.json');

/** Disagreements with community catalogs that were checked against the providers' pages and explained. */
export function loadPriceCheckNotes(): Explanation[] {
  if (!existsSync(PRICE_CHECK_NOTES_PATH)) return [];
  const json = readJsonFile(PRICE_CHECK_NOTES_PATH) as { explained?: Explanation[] };
  return Array.isArray(json.explained) ? json.explained : [];
}

/** The shipped alias table: moving names are facts about providers, so it applies whatever price file is used. */
export function loadBuiltinAliases(): AliasTable {
  const parsed = AliasTableSchema.safeParse(readJsonFile(BUILTIN_ALIASES_PATH));
  if (!parsed.success) throw new Error(`${BUILTIN_ALIASES_PATH}: invalid alias table (${zodMessage(parsed.error)})`);
  return parsed.data;
}

export function loadBuiltinCatalog(): Catalog {
  return CatalogSchema.parse(readJsonFile(BUILTIN_CATALOG_PATH));
}

/** Catalogs imported with `costrail prices import` live in <data>/catalogs/*.json, applied in name order. */
export function importedCatalogDir(dataDir: string): string {
  return join(dataDir, 'catalogs');
}

export function overridesPath(dataDir: string): string {
  return join(dataDir, 'price-overrides.json');
}

export interface PriceBookOptions {
  dataDir?: string;
  /** Use this file instead of the built-in and imported catalogs. */
  pricesFile?: string;
}

export function loadPriceBook(opts: PriceBookOptions = {}): PriceBook {
  const layers: Catalog[] = [];
  let overrides: Overrides | undefined;
  if (opts.pricesFile) {
    layers.push(loadCatalogFile(opts.pricesFile).catalog);
  } else {
    layers.push(loadBuiltinCatalog());
    if (opts.dataDir) {
      const dir = importedCatalogDir(opts.dataDir);
      if (existsSync(dir)) {
        for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) layers.push(loadCatalogFile(join(dir, f)).catalog);
      }
    }
  }
  if (opts.dataDir && existsSync(overridesPath(opts.dataDir))) {
    const parsed = OverridesSchema.safeParse(readJsonFile(overridesPath(opts.dataDir)));
    if (!parsed.success) throw new Error(`${overridesPath(opts.dataDir)}: invalid overrides (${zodMessage(parsed.error)})`);
    overrides = parsed.data;
  }
  return new PriceBook(layers, overrides, loadBuiltinAliases());
}
