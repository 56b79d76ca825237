/**
 * Reads the `@pydantic/genai-prices` data format (a list of providers, each with models matched
 * by name rules and prices that may be tiered, start-dated or time-of-day) into Costrail price
 * periods, so `prices check` can price the same usage under both catalogs with one exact engine.
 */
import type { PricePeriod, Rates, RateKey, Tier } from './catalog-schema.js';
import { shiftDecimal } from './litellm-import.js';

export type MatchLogic =
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string }
  | { or: MatchLogic[] }
  | { and: MatchLogic[] };

interface TieredNumber {
  base: number;
  tiers: { start: number; price: number }[];
}
type PriceValue = number | TieredNumber | undefined;
type GenaiModelPrice = Record<string, PriceValue>;
interface GenaiConditional {
  constraint?: { type: 'start_date'; start_date: string } | { type: 'time_of_date'; start_time: string; end_time: string };
  prices: GenaiModelPrice;
}
export interface GenaiModel {
  id: string;
  match: MatchLogic;
  prices: GenaiModelPrice | GenaiConditional[];
}
export interface GenaiProvider {
  id: string;
  models: GenaiModel[];
  fallback_model_providers?: string[];
}

/** Costrail provider id -> genai-prices provider id. */
export const GENAI_PROVIDER: Record<string, string> = {
  openai: 'openai',
  azure: 'azure',
  anthropic: 'anthropic',
  gemini: 'google',
  vertex: 'google',
  bedrock: 'aws',
  mistral: 'mistral',
  cohere: 'cohere',
  deepseek: 'deepseek',
  xai: 'x-ai',
  groq: 'groq',
  together: 'together',
  openrouter: 'openrouter',
};

const PRICE_KEY: Record<string, RateKey> = {
  input_mtok: 'input',
  output_mtok: 'output',
  cache_read_mtok: 'cache_read',
  cache_write_mtok: 'cache_write',
  cache_write_1h_mtok: 'cache_write_1h',
  input_audio_mtok: 'audio_input',
  cache_audio_read_mtok: 'audio_cache_read',
  output_audio_mtok: 'audio_output',
};

export function isGenaiPricesFormat(json: unknown): json is GenaiProvider[] {
  return Array.isArray(json) && json.length > 0 && json.every((p) => typeof p === 'object' && p !== null && typeof (p as GenaiProvider).id === 'string' && Array.isArray((p as GenaiProvider).models));
}

export function matchesName(logic: MatchLogic, name: string): boolean {
  if ('equals' in logic) return name === logic.equals.toLowerCase();
  if ('starts_with' in logic) return name.startsWith(logic.starts_with.toLowerCase());
  if ('ends_with' in logic) return name.endsWith(logic.ends_with.toLowerCase());
  if ('contains' in logic) return name.includes(logic.contains.toLowerCase());
  if ('regex' in logic) return new RegExp(logic.regex, 'i').test(name);
  if ('or' in logic) return logic.or.some((l) => matchesName(l, name));
  return logic.and.every((l) => matchesName(l, name));
}

/** The genai model a name belongs to, under a provider or the providers it falls back to. */
export function findGenaiModel(providers: readonly GenaiProvider[], genaiProvider: string, names: readonly string[]): { provider: string; model: GenaiModel } | undefined {
  const byId = new Map(providers.map((p) => [p.id, p]));
  const order = [genaiProvider, ...(byId.get(genaiProvider)?.fallback_model_providers ?? [])];
  for (const id of order) {
    const p = byId.get(id);
    if (!p) continue;
    for (const n of names) {
      const m = p.models.find((x) => matchesName(x.match, n.toLowerCase()));
      if (m) return { provider: id, model: m };
    }
  }
  return undefined;
}

function decimal(n: number): string {
  return shiftDecimal(n, 0);
}

/** A genai price set -> Costrail base rates plus whole-request tiers (genai tiers fire on tokens > start). */
function toRatesAndTiers(p: GenaiModelPrice): { rates: Rates; tiers: Tier[] } {
  const rates: Rates = {};
  const starts = new Set<number>();
  for (const [k, v] of Object.entries(p)) {
    const kind = PRICE_KEY[k];
    if (kind && v !== undefined) {
      rates[kind] = decimal(typeof v === 'number' ? v : v.base);
      if (typeof v !== 'number') for (const t of v.tiers) starts.add(t.start);
    } else if (k === 'web_searches_kcount' && typeof v === 'number') rates.web_search_call = shiftDecimal(v, -3);
  }
  const tiers: Tier[] = [...starts]
    .sort((a, b) => a - b)
    .map((start) => {
      const tr: Rates = {};
      for (const [k, v] of Object.entries(p)) {
        const kind = PRICE_KEY[k];
        if (!kind || v === undefined || typeof v === 'number') continue;
        const hit = v.tiers.filter((t) => t.start <= start).sort((a, b) => b.start - a.start)[0];
        if (hit) tr[kind] = decimal(hit.price);
      }
      return { above_input_tokens: start, rates: tr };
    });
  return { rates, tiers };
}

/**
 * Costrail periods for one genai model. An undated first price starts at `undatedFrom`; each
 * `start_date` price opens a period; `time_of_date` prices (UTC) become rate windows of every period.
 */
export function genaiPeriods(model: GenaiModel, source: string, undatedFrom = '2000-01-01'): PricePeriod[] {
  const list: GenaiConditional[] = Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }];
  const periods: PricePeriod[] = [];
  const windows: NonNullable<PricePeriod['rate_windows']> = [];
  for (const c of list) {
    const { rates, tiers } = toRatesAndTiers(c.prices);
    if (c.constraint?.type === 'time_of_date') {
      windows.push({ name: 'time_of_date', timezone: 'UTC', from: c.constraint.start_time.slice(0, 5), to: c.constraint.end_time.slice(0, 5), rates });
      continue;
    }
    const from = c.constraint?.type === 'start_date' ? c.constraint.start_date : undatedFrom;
    periods.push({ effective_from: from, source: `${source} ${model.id}`, rates, ...(tiers.length > 0 ? { tiers } : {}) });
  }
  if (windows.length > 0) for (const p of periods) p.rate_windows = windows;
  return periods.sort((a, b) => a.effective_from.localeCompare(b.effective_from));
}
