/**
 * Community price catalogs used as references by `prices check`: a LiteLLM
 * model_prices_and_context_window.json, the genai-prices data format, or (by default) the data
 * bundled in the `@pydantic/genai-prices` npm package.
 */
import { readFileSync, statSync } from 'node:fs';
import { findProvider } from '@pydantic/genai-prices';
import type { ModelPrice } from './catalog-schema.js';
import type { ReferenceSource } from './catalog-comparison.js';
import { GENAI_PROVIDER, findGenaiModel, genaiPeriods, isGenaiPricesFormat, type GenaiProvider } from './genai-prices-import.js';
import { catalogFromLiteLLM, isLiteLLMFormat } from './litellm-import.js';
import { isResolved, PriceBook } from './price-book.js';

const FAR_FUTURE = new Date('2100-01-01T00:00:00Z');

function names(entry: ModelPrice): string[] {
  return [entry.model, ...(entry.aliases ?? [])];
}

/** LiteLLM carries no dates: every figure is dated `snapshotDate`, the day the file was taken. */
export function litellmReference(json: unknown, snapshotDate: string, label: string): ReferenceSource {
  const { catalog } = catalogFromLiteLLM(json, { effectiveFrom: snapshotDate, source: `LiteLLM ${label}` });
  const book = new PriceBook([catalog]);
  return {
    name: 'litellm',
    describe: `LiteLLM catalog ${label} (as of ${snapshotDate})`,
    periodsFor(entry) {
      for (const n of names(entry)) {
        const hit = book.resolve(entry.provider, n, FAR_FUTURE);
        if (isResolved(hit)) return { key: `${hit.provider}/${hit.entry.model}`, periods: hit.entry.prices };
      }
      return undefined;
    },
  };
}

export function genaiReference(providers: readonly GenaiProvider[], label: string): ReferenceSource {
  return {
    name: 'genai-prices',
    describe: `genai-prices data ${label}`,
    periodsFor(entry) {
      const gp = GENAI_PROVIDER[entry.provider];
      if (!gp) return undefined;
      const hit = findGenaiModel(providers, gp, names(entry));
      if (!hit) return undefined;
      return { key: `${hit.provider}/${hit.model.id}`, periods: genaiPeriods(hit.model, `genai-prices ${label}`) };
    },
  };
}

/** The providers bundled with the installed `@pydantic/genai-prices` (no network: its embedded snapshot). */
export function bundledGenaiProviders(): GenaiProvider[] {
  const out: GenaiProvider[] = [];
  for (const id of new Set(Object.values(GENAI_PROVIDER))) {
    const p: unknown = findProvider({ providerId: id });
    if (isGenaiPricesFormat([p])) out.push(p as GenaiProvider);
  }
  return out;
}

export function bundledGenaiVersion(): string {
  // The package does not export its package.json: read it beside the resolved entry (dist/index.js).
  const entry = new URL(import.meta.resolve('@pydantic/genai-prices'));
  const pkg = JSON.parse(readFileSync(new URL('../package.json', entry), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** Reads `--against FILE`, telling the two formats apart by shape. */
export function referenceFromFile(path: string, snapshotDate?: string): ReferenceSource {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read a JSON price catalog (${(e as Error).message})`);
  }
  const wrapped = typeof json === 'object' && json !== null && !Array.isArray(json) && 'providers' in json ? (json as { providers: unknown }).providers : json;
  if (isGenaiPricesFormat(wrapped)) return genaiReference(wrapped, path);
  if (isLiteLLMFormat(json)) return litellmReference(json, snapshotDate ?? statSync(path).mtime.toISOString().slice(0, 10), path);
  throw new Error(`${path}: neither a LiteLLM model_prices_and_context_window.json nor genai-prices data (a list of providers with models)`);
}
