/**
 * Converts LiteLLM's community catalog (`model_prices_and_context_window.json`) into a Costrail Catalog.
 *
 * LiteLLM stores USD per token as JSON floats (3.3e-07). Costrail stores USD per 1,000,000 tokens as decimal
 * strings, so every figure is converted by shifting the decimal point of the float's own shortest text form
 * (`String(n)`), never by float multiplication: 3.3e-07 * 1e6 is 0.32999999999999996 in float maths, "0.33" here.
 */
import {
  CatalogSchema,
  ModelPriceSchema,
  type Catalog,
  type ModelPrice,
  type Modifier,
  type PricePeriod,
  type Rates,
  type Tier,
} from './catalog-schema.js';

export interface LiteLLMImportOptions {
  /** First UTC day the imported prices apply (the date the LiteLLM file was fetched). */
  effectiveFrom: string;
  /** Where the file came from, e.g. "LiteLLM model_prices_and_context_window.json @<commit>, fetched 2026-07-24". */
  source: string;
  version?: string;
}

export interface LiteLLMImportResult {
  catalog: Catalog;
  skipped: { key: string; reason: string }[];
}

type Entry = Record<string, unknown>;
type RateKind = keyof Rates;

/** LiteLLM field (without tier/modifier suffix) for each per-token rate kind. */
const TOKEN_FIELDS: readonly (readonly [RateKind, string])[] = [
  ['input', 'input_cost_per_token'],
  ['output', 'output_cost_per_token'],
  ['cache_read', 'cache_read_input_token_cost'],
  ['cache_write', 'cache_creation_input_token_cost'],
  ['cache_write_1h', 'cache_creation_input_token_cost_above_1hr'],
  ['reasoning', 'output_cost_per_reasoning_token'],
  ['audio_input', 'input_cost_per_audio_token'],
  ['audio_output', 'output_cost_per_audio_token'],
  ['audio_cache_read', 'cache_read_input_audio_token_cost'],
  // Per image *token*; input_cost_per_image (per whole image) has no place in a per-token schema.
  ['image_input', 'input_cost_per_image_token'],
];

const PROVIDER_IDS: Readonly<Record<string, string>> = {
  openai: 'openai',
  'text-completion-openai': 'openai',
  anthropic: 'anthropic',
  gemini: 'gemini',
  bedrock: 'bedrock',
  bedrock_converse: 'bedrock',
  azure: 'azure',
  azure_ai: 'azure',
  mistral: 'mistral',
  deepseek: 'deepseek',
  xai: 'xai',
  groq: 'groq',
  together_ai: 'together',
  openrouter: 'openrouter',
  cohere: 'cohere',
  cohere_chat: 'cohere',
};

const MODES: Readonly<Record<string, ModelPrice['mode']>> = {
  chat: 'chat',
  completion: 'completion',
  responses: 'responses',
  embedding: 'embedding',
  rerank: 'rerank',
  image_generation: 'image',
  audio_transcription: 'audio',
  audio_speech: 'audio',
  realtime: 'audio',
};

/** Non-token price fields, used to explain why an entry without token prices was skipped. */
const OTHER_UNITS: readonly (readonly [RegExp, string])[] = [
  [/_per_image$|_per_pixel$/, 'per image'],
  [/_per_second|_per_video_per_second/, 'per second'],
  [/_per_character/, 'per character'],
  [/_per_query$|_per_request$/, 'per query/request'],
  [/_per_page$|_per_credit$/, 'per page'],
];

export function litellmProviderToCostrail(litellmProvider: string): string {
  if (litellmProvider.startsWith('vertex_ai')) return 'vertex';
  return PROVIDER_IDS[litellmProvider] ?? litellmProvider;
}

/**
 * Exact decimal string of `value * 10^shift`, computed on the digits of String(value).
 * Throws on negative, non-finite or non-numeric input.
 */
export function shiftDecimal(value: number, shift: number): string {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`not a non-negative finite number: ${value}`);
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(String(value));
  if (!m) throw new RangeError(`unexpected number text: ${String(value)}`);
  const [, intPart = '', frac = '', exp = '0'] = m;
  let digits = (intPart + frac).replace(/^0+/, '');
  if (digits === '') return '0';
  // value = digits * 10^point, where point counts from the right end of `digits`.
  let point = Number(exp) - frac.length + shift;
  const trailing = /0*$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing);
  point += trailing;
  if (point >= 0) return digits + '0'.repeat(point);
  const intLen = digits.length + point;
  if (intLen > 0) return `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  return `0.${'0'.repeat(-intLen)}${digits}`;
}

/** LiteLLM USD-per-token float -> Costrail USD-per-MTok decimal string. */
export function perTokenToPerMTok(value: number): string {
  return shiftDecimal(value, 6);
}

function isObject(v: unknown): v is Entry {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(entry: Entry, field: string): number | undefined {
  const v = entry[field];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

function positiveInt(entry: Entry, field: string): number | undefined {
  const v = num(entry, field);
  return v !== undefined && v >= 1 ? Math.floor(v) : undefined;
}

/** Rates read with a field suffix: '' (base), '_above_200k_tokens' (tier), '_batches', '_priority', '_flex'. */
function readRates(entry: Entry, suffix: string): Rates {
  const rates: Rates = {};
  for (const [kind, field] of TOKEN_FIELDS) {
    const v = num(entry, field + suffix);
    if (v !== undefined) rates[kind] = perTokenToPerMTok(v);
  }
  return rates;
}

function hasAny(rates: Rates): boolean {
  return Object.keys(rates).length > 0;
}

/** Long-context tiers from every `*_above_<N>k_tokens` field (LiteLLM's k = 1,000 tokens). */
function readTiers(entry: Entry): Tier[] {
  const thresholds = new Set<number>();
  for (const field of Object.keys(entry)) {
    // Tier variants of modifiers (…_above_200k_tokens_priority) end differently and are not representable.
    const m = /_above_(\d+)k_tokens$/.exec(field);
    if (m) thresholds.add(Number(m[1]));
  }
  return [...thresholds]
    .sort((a, b) => a - b)
    .map((k) => ({ above_input_tokens: k * 1000, rates: readRates(entry, `_above_${k}k_tokens`) }))
    .filter((t) => hasAny(t.rates));
}

function webSearchFee(entry: Entry): string | undefined {
  const ctx = entry.search_context_cost_per_query;
  if (!isObject(ctx)) return undefined;
  // The medium context size is the provider default; low/high would need request-side information.
  const v = num(ctx, 'search_context_size_medium');
  return v === undefined ? undefined : shiftDecimal(v, 0);
}

function regionalMultiplier(entry: Entry): string | undefined {
  const us = num(entry, 'regional_processing_uplift_multiplier_us');
  const eu = num(entry, 'regional_processing_uplift_multiplier_eu');
  // One multiplier per period: only carry it when the regions agree.
  if (us === undefined || (eu !== undefined && eu !== us)) return undefined;
  return shiftDecimal(us, 0);
}

/** Why an entry cannot be priced per token, or undefined when it can. */
function skipReason(key: string, entry: Entry, mode: string | undefined): string | undefined {
  if (key === 'sample_spec') return 'LiteLLM schema example, not a model';
  const input = num(entry, 'input_cost_per_token');
  const output = num(entry, 'output_cost_per_token');
  const otherUnits = Object.keys(entry)
    .filter((f) => /cost/.test(f) && (num(entry, f) ?? 0) > 0)
    .flatMap((f) => OTHER_UNITS.filter(([re]) => re.test(f)).map(([, unit]) => unit));
  const priced = otherUnits.length > 0 ? ` (priced ${[...new Set(otherUnits)].join(', ')})` : '';
  if (input === undefined) return `no input_cost_per_token${priced}; mode ${mode ?? 'unknown'}`;
  // Embeddings bill input only, so a missing output price is expected there.
  if (output === undefined && mode !== 'embedding') return `no output_cost_per_token${priced}; mode ${mode ?? 'unknown'}`;
  if (input === 0 && (output ?? 0) === 0 && priced) return `token prices are 0, real price is not per token${priced}`;
  return undefined;
}

function stripProviderPrefix(key: string, litellmProvider: string, provider: string): string {
  const prefixes = new Set([litellmProvider, provider, `${provider}_ai`]);
  if (litellmProvider.startsWith('vertex_ai')) prefixes.add('vertex_ai');
  if (provider === 'bedrock') prefixes.add('bedrock');
  const slash = key.indexOf('/');
  if (slash > 0 && prefixes.has(key.slice(0, slash))) return key.slice(slash + 1);
  return key;
}

function buildPeriod(key: string, entry: Entry, opts: LiteLLMImportOptions): PricePeriod {
  const rates = readRates(entry, '');
  const web = webSearchFee(entry);
  if (web !== undefined) rates.web_search_call = web;
  const upstream = typeof entry.source === 'string' && entry.source !== '' ? `; LiteLLM cites ${entry.source}` : '';
  const period: PricePeriod = {
    effective_from: opts.effectiveFrom,
    source: `${opts.source}; LiteLLM key "${key}"${upstream}`,
    rates,
  };
  const tiers = readTiers(entry);
  if (tiers.length > 0) period.tiers = tiers;
  const batch = readRates(entry, '_batches');
  if (hasAny(batch)) period.batch = { rates: batch };
  const serviceTiers: Record<string, Modifier> = {};
  for (const tier of ['priority', 'flex']) {
    const r = readRates(entry, `_${tier}`);
    if (hasAny(r)) serviceTiers[tier] = { rates: r };
  }
  if (Object.keys(serviceTiers).length > 0) period.service_tiers = serviceTiers;
  const regional = regionalMultiplier(entry);
  if (regional !== undefined) period.regional_multiplier = regional;
  return period;
}

/** Converts a parsed LiteLLM catalog. Entries that cannot be priced per token are listed in `skipped`. */
export function catalogFromLiteLLM(json: unknown, opts: LiteLLMImportOptions): LiteLLMImportResult {
  const skipped: { key: string; reason: string }[] = [];
  const models: ModelPrice[] = [];
  const byName = new Map<string, { key: string; model: ModelPrice }>();
  const fineTuned: { key: string; provider: string; base: string; rates: Rates }[] = [];
  if (!isObject(json)) throw new TypeError('LiteLLM catalog must be a JSON object keyed by model name');

  for (const [key, value] of Object.entries(json)) {
    if (!isObject(value) || typeof value.litellm_provider !== 'string') {
      skipped.push({ key, reason: key === 'sample_spec' ? 'LiteLLM schema example, not a model' : 'no litellm_provider' });
      continue;
    }
    const mode = typeof value.mode === 'string' ? value.mode : undefined;
    const reason = skipReason(key, value, mode);
    if (reason !== undefined) {
      skipped.push({ key, reason });
      continue;
    }
    const provider = litellmProviderToCostrail(value.litellm_provider);
    const name = stripProviderPrefix(key, value.litellm_provider, provider);
    // `ft:<base>` prices become the base model's fine_tuned rates (the resolver strips the ft: id).
    const ft = /^ft:([^:]+)$/.exec(name);
    if (ft?.[1]) {
      fineTuned.push({ key, provider, base: ft[1], rates: readRates(value, '') });
      continue;
    }
    // Price books match names case-insensitively, so names differing only in case are duplicates.
    const id = `${provider}\u0000${name.toLowerCase()}`;
    const first = byName.get(id);
    if (first) {
      skipped.push({ key, reason: `duplicate of "${first.key}" (same provider "${provider}" and model "${name}"); first entry kept` });
      continue;
    }
    const candidate: ModelPrice = { provider, model: name, prices: [buildPeriod(key, value, opts)] };
    const cmode = mode === undefined ? undefined : MODES[mode];
    if (cmode) candidate.mode = cmode;
    const ctx = positiveInt(value, 'max_input_tokens');
    if (ctx !== undefined) candidate.context_window = ctx;
    const maxOut = positiveInt(value, 'max_output_tokens');
    if (maxOut !== undefined) candidate.max_output_tokens = maxOut;
    const checked = ModelPriceSchema.safeParse(candidate);
    if (!checked.success) {
      skipped.push({ key, reason: `does not fit the catalog schema: ${checked.error.issues[0]?.message ?? 'invalid'}` });
      continue;
    }
    models.push(checked.data);
    byName.set(id, { key, model: checked.data });
  }

  for (const ft of fineTuned) {
    const base = byName.get(`${ft.provider}\u0000${ft.base.toLowerCase()}`);
    const period = base?.model.prices[0];
    if (!period) {
      // No base model to attach to: keep the ft: entry as a model of its own so its price is not lost.
      const id = `${ft.provider}\u0000ft:${ft.base.toLowerCase()}`;
      const first = byName.get(id);
      if (first) {
        skipped.push({ key: ft.key, reason: `duplicate of "${first.key}" (same provider "${ft.provider}" and model "ft:${ft.base}"); first entry kept` });
        continue;
      }
      const own: ModelPrice = {
        provider: ft.provider,
        model: `ft:${ft.base}`,
        prices: [{ effective_from: opts.effectiveFrom, source: `${opts.source}; LiteLLM key "${ft.key}"`, rates: ft.rates }],
      };
      models.push(own);
      byName.set(id, { key: ft.key, model: own });
      continue;
    }
    period.fine_tuned = { rates: ft.rates };
    period.source += `; fine_tuned rates from LiteLLM key "${ft.key}"`;
  }

  const catalog = CatalogSchema.parse({
    version: opts.version ?? `litellm-${opts.effectiveFrom}`,
    description: `Imported from LiteLLM model_prices_and_context_window.json (${opts.source})`,
    models,
  });
  return { catalog, skipped };
}

/**
 * True for a LiteLLM-style catalog: a plain object (not a Costrail catalog) whose entries mostly carry
 * `litellm_provider` or `*_cost_per_token` fields.
 */
export function isLiteLLMFormat(json: unknown): boolean {
  if (!isObject(json) || Array.isArray(json.models)) return false;
  const entries = Object.entries(json).filter(([k]) => k !== 'sample_spec');
  if (entries.length === 0) return false;
  const looksLikeEntry = (v: unknown): boolean =>
    isObject(v) && (typeof v.litellm_provider === 'string' || Object.keys(v).some((f) => f.endsWith('_cost_per_token')));
  const hits = entries.filter(([, v]) => looksLikeEntry(v)).length;
  return hits * 2 >= entries.length;
}
