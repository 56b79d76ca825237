/**
 * The price book: catalog layers plus operator overrides, indexed once, answering
 * "which price period applies to this provider, model and instant?".
 *
 * Layers are ordered: later layers win for the same provider and name (built-in catalog, then
 * imported catalogs, then operator custom prices). The book's version is a content hash of
 * everything that can change a figure, so every cost can name the exact prices that produced it.
 */
import { createHash } from 'node:crypto';
import { CatalogSchema, type Catalog, type ModelPrice, type PricePeriod } from './catalog-schema.js';
import { parseModelName, type NameCandidate, type ParsedModelName } from './model-name.js';
import { NO_OVERRIDES, OverridesSchema, type Discount, type Overrides } from './overrides.js';
import { AliasIndex, AliasTableSchema, NO_ALIASES, type AliasTable, type AliasTarget } from './alias-table.js';

/** Providers whose list prices equal another provider's when they have no entry of their own. */
const PROVIDER_FALLBACKS: Record<string, string[]> = {
  azure: ['openai'],
  vertex: ['gemini', 'anthropic'],
  openrouter: [],
};

export interface ResolvedPrice {
  entry: ModelPrice;
  period: PricePeriod;
  /** The provider whose catalog entry matched (may be a fallback, e.g. azure -> openai). */
  provider: string;
  matched: NameCandidate;
  fineTuned: boolean;
  discounts: Discount[];
  /** Set when the name was a moving alias: the dated model it meant at the call's instant. */
  alias?: { name: string } & AliasTarget;
}

export interface ResolveFailure {
  reason: string;
}

interface IndexedEntry {
  entry: ModelPrice;
  /** Periods sorted by start; resolved by binary search on the call's instant. */
  starts: number[];
}

export class PriceBook {
  readonly version: string;
  private readonly index = new Map<string, IndexedEntry>();
  private readonly overrides: Overrides;
  private readonly entries: ModelPrice[] = [];
  private readonly aliases: AliasIndex;

  constructor(layers: Catalog[], overrides: Overrides = NO_OVERRIDES, aliases: AliasTable = NO_ALIASES) {
    this.overrides = overrides;
    this.aliases = new AliasIndex(aliases);
    const named = [...layers, { version: 'overrides', models: overrides.models }];
    for (const layer of named) {
      for (const entry of layer.models) {
        const periods = [...entry.prices].sort((a, b) => Date.parse(a.effective_from) - Date.parse(b.effective_from));
        const indexed: IndexedEntry = { entry: { ...entry, prices: periods }, starts: periods.map((p) => Date.parse(p.effective_from)) };
        this.entries.push(indexed.entry);
        for (const name of [entry.model, ...(entry.aliases ?? [])]) {
          this.index.set(key(entry.provider, name), indexed);
        }
      }
    }
    const hash = createHash('sha256');
    for (const layer of named) hash.update(layer.version + '\0' + JSON.stringify(layer.models) + '\0');
    hash.update(JSON.stringify(overrides.discounts) + JSON.stringify(overrides.deployments));
    if (aliases.aliases.length > 0) hash.update('\0aliases\0' + JSON.stringify(aliases.aliases));
    const base = layers.map((l) => l.version).join('+') || 'empty';
    this.version = `${base}#${hash.digest('hex').slice(0, 12)}`;
  }

  /** A book is its own fixed `PriceBookSource` (tests, CLI commands and other one-shot uses). */
  current(): PriceBook {
    return this;
  }

  static fromJson(catalogs: unknown[], overrides?: unknown, aliases?: unknown): PriceBook {
    return new PriceBook(
      catalogs.map((c) => CatalogSchema.parse(c)),
      overrides === undefined ? NO_OVERRIDES : OverridesSchema.parse(overrides),
      aliases === undefined ? NO_ALIASES : AliasTableSchema.parse(aliases),
    );
  }

  list(): readonly ModelPrice[] {
    return this.entries;
  }

  /** The catalog model an operator mapped a deployment or alias name to (overrides `deployments`). */
  deploymentModel(provider: string, name: string): string | undefined {
    const d = this.overrides.deployments;
    const p = provider.toLowerCase();
    const names = Object.hasOwn(d, p) ? d[p] : undefined;
    return names && Object.hasOwn(names, name) ? names[name] : undefined;
  }

  resolve(provider: string, model: string, at: Date): ResolvedPrice | ResolveFailure {
    const p = provider.toLowerCase();
    const deployed = this.overrides.deployments[p]?.[model] ?? model;
    // A moving alias names a different model over time: resolve it to the one it meant at `at`.
    const bareName = deployed.startsWith('models/') ? deployed.slice('models/'.length) : deployed;
    const aliasTarget = this.aliasFor(p, bareName, at);
    const mapped = aliasTarget?.model ?? deployed;
    const parsed = parsedName(mapped);
    const providers = [p, ...(PROVIDER_FALLBACKS[p] ?? [])];
    // OpenRouter-style "openai/gpt-4.1-mini": the vendor prefix names a fallback provider.
    const slash = mapped.indexOf('/');
    if (slash > 0) providers.push(mapped.slice(0, slash).toLowerCase());

    const lookup = (names: NameCandidate[]) => {
      for (const prov of providers) {
        for (const c of names) {
          const hit = this.index.get(key(prov, c.key));
          if (hit) return { hit, prov, c };
        }
      }
      return undefined;
    };

    let found = lookup(parsed.candidates);
    let fineTuned = false;
    if (!found && parsed.fineTunedBase) {
      found = lookup(parseModelName(parsed.fineTunedBase).candidates);
      fineTuned = found !== undefined;
    }
    if (!found) {
      const via = aliasTarget ? ` (alias of "${aliasTarget.model}" since ${aliasTarget.effective_from})` : '';
      return { reason: `no price for model "${model}"${via} under provider "${provider}"` };
    }

    const t = at.getTime();
    const { starts, entry } = found.hit;
    let i = -1;
    for (let lo = 0, hi = starts.length - 1; lo <= hi; ) {
      const mid = (lo + hi) >> 1;
      if ((starts[mid] as number) <= t) {
        i = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const period = entry.prices[i];
    if (!period) {
      return { reason: `"${entry.model}" has no price effective at ${at.toISOString()} (first price starts ${entry.prices[0]?.effective_from})` };
    }
    if (fineTuned && !period.fine_tuned) {
      return { reason: `fine-tuned "${model}": the catalog has no fine-tuned rates for "${entry.model}"` };
    }
    return {
      entry,
      period,
      provider: found.prov,
      matched: found.c,
      fineTuned,
      discounts: this.discountsFor(found.prov, entry, t),
      ...(aliasTarget ? { alias: { name: bareName, ...aliasTarget } } : {}),
    };
  }

  /** The dated model a moving alias meant at `at`, under the provider or its list-price fallbacks. */
  aliasFor(provider: string, name: string, at: Date): AliasTarget | undefined {
    const p = provider.toLowerCase();
    for (const prov of [p, ...(PROVIDER_FALLBACKS[p] ?? [])]) {
      const hit = this.aliases.resolve(prov, name, at);
      if (hit) return hit;
    }
    return undefined;
  }

  private discountsFor(provider: string, entry: ModelPrice, t: number): Discount[] {
    return this.overrides.discounts.filter((d) => {
      if (d.provider && d.provider.toLowerCase() !== provider) return false;
      if (Date.parse(d.effective_from) > t) return false;
      if (d.effective_to && Date.parse(d.effective_to) <= t) return false;
      if (!d.models) return true;
      const names = [entry.model, ...(entry.aliases ?? [])].map((n) => n.toLowerCase());
      return d.models.some((m) => {
        const pat = m.toLowerCase();
        return pat.endsWith('*') ? names.some((n) => n.startsWith(pat.slice(0, -1))) : names.includes(pat);
      });
    });
  }
}

/**
 * Parsed model names, remembered: every priced call parses its model's name, and a gateway sees
 * few distinct names. Names come from clients, so the memory is bounded (cleared when full).
 * The parse is a pure function of the name; callers only read the result.
 */
const PARSED_NAMES = new Map<string, ParsedModelName>();
const MAX_PARSED_NAMES = 1024;

function parsedName(name: string): ParsedModelName {
  let parsed = PARSED_NAMES.get(name);
  if (parsed === undefined) {
    if (PARSED_NAMES.size >= MAX_PARSED_NAMES) PARSED_NAMES.clear();
    parsed = parseModelName(name);
    PARSED_NAMES.set(name, parsed);
  }
  return parsed;
}

function key(provider: string, name: string): string {
  return `${provider.toLowerCase()}\u0000${name.toLowerCase()}`;
}

export function isResolved(r: ResolvedPrice | ResolveFailure): r is ResolvedPrice {
  return 'entry' in r;
}
