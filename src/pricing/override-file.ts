/**
 * `<data>/price-overrides.json` as a small editable document: negotiated discounts and custom
 * prices added, listed and removed by id, written atomically (temp file + rename) so a running
 * reader never sees half a file. The file stays the durable home of overrides: hand edits keep
 * working, and the price book loads it as before.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { overridesPath } from './catalog-loader.js';
import type { ModelPrice, Rates } from './catalog-schema.js';
import { OverridesSchema, type Discount, type Overrides } from './overrides.js';

export function readOverrides(dataDir: string): Overrides {
  const file = overridesPath(dataDir);
  if (!existsSync(file)) return OverridesSchema.parse({});
  const parsed = OverridesSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: invalid overrides (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

function writeOverrides(dataDir: string, o: Overrides): void {
  const file = overridesPath(dataDir);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(o, null, 2) + '\n');
  renameSync(tmp, file);
}

/** Adds a percent discount (validated as the price book will read it); returns it with its new id. */
export function addDiscount(dataDir: string, d: Omit<Discount, 'id' | 'percent'> & { percent: unknown }): Discount {
  const o = readOverrides(dataDir);
  const next = OverridesSchema.parse({ ...o, discounts: [...o.discounts, { ...d, id: `disc_${randomBytes(4).toString('hex')}` }] });
  writeOverrides(dataDir, next);
  return next.discounts[next.discounts.length - 1]!;
}

/** Sets a custom price (fine-tuned, self-hosted or corrected model) from `effective_from`, replacing that provider/model's custom entry. */
export function setCustomPrice(dataDir: string, p: { provider: string; model: string; rates: Rates; effective_from: string; source: string }): ModelPrice {
  const o = readOverrides(dataDir);
  const existing = o.models.find((m) => m.provider === p.provider && m.model === p.model);
  const periods = (existing?.prices ?? []).filter((x) => x.effective_from !== p.effective_from);
  periods.push({ effective_from: p.effective_from, source: p.source, rates: p.rates });
  periods.sort((a, b) => a.effective_from.localeCompare(b.effective_from));
  const entry: ModelPrice = { provider: p.provider, model: p.model, prices: periods };
  const next = OverridesSchema.parse({ ...o, models: [...o.models.filter((m) => m !== existing), entry] });
  writeOverrides(dataDir, next);
  return entry;
}

/** Removes a discount by id, or a custom price by `provider/model`; false when nothing matched. */
export function removeOverride(dataDir: string, ref: string): boolean {
  const o = readOverrides(dataDir);
  const discounts = o.discounts.filter((d) => d.id !== ref);
  const models = o.models.filter((m) => `${m.provider}/${m.model}` !== ref);
  if (discounts.length === o.discounts.length && models.length === o.models.length) return false;
  writeOverrides(dataDir, { ...o, discounts, models });
  return true;
}
