/**
 * What a model accepts beyond text (tools, vision, a JSON mode) for `cheapest_capable` rules:
 * data/model-capabilities.json, keyed by the price book's canonical provider and model (so an
 * alias or dated snapshot finds its entry through the price book). Context windows come from the
 * price book itself (`context_window`). A model missing from the table has none of the three.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../pricing/catalog-loader.js';

export const BUILTIN_CAPABILITIES_PATH = join(packageRoot(), 'data', 'model-capabilities.json');

const CapabilityEntrySchema = z
  .object({
    provider: z.string().min(1),
    model: z.string().min(1),
    tools: z.boolean(),
    vision: z.boolean(),
    json_mode: z.boolean(),
  })
  .strict();

export const CapabilityTableSchema = z.object({ version: z.string(), description: z.string().optional(), models: z.array(CapabilityEntrySchema) }).strict();

export interface ModelCapabilities {
  tools: boolean;
  vision: boolean;
  json_mode: boolean;
}

export type CapabilityTable = ReadonlyMap<string, ModelCapabilities>;

export function capabilityKey(provider: string, model: string): string {
  return `${provider.toLowerCase()}\u0000${model.toLowerCase()}`;
}

export function capabilityTableFrom(json: unknown): CapabilityTable {
  const parsed = CapabilityTableSchema.parse(json);
  return new Map(parsed.models.map((m) => [capabilityKey(m.provider, m.model), { tools: m.tools, vision: m.vision, json_mode: m.json_mode }]));
}

let builtin: CapabilityTable | undefined;

/** The shipped table, read once. */
export function builtinCapabilities(): CapabilityTable {
  builtin ??= capabilityTableFrom(JSON.parse(readFileSync(BUILTIN_CAPABILITIES_PATH, 'utf8')));
  return builtin;
}
