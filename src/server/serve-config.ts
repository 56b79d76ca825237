/**
 * The `--config` file (YAML or JSON): upstream base URLs per provider, and Azure deployment
 * mappings for the price book. Validated once at start; a bad file stops `serve` with one line.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { zodMessage } from '../pricing/catalog-loader.js';
import { AlertsConfigSchema } from '../alerts/channels/channel-config.js';

export const ServeConfigSchema = z
  .object({
    providers: z
      .record(
        z.string(),
        z.object({ base_url: z.string().url('base_url must be a URL') }).strict(),
      )
      .default({}),
    alerts: AlertsConfigSchema.optional(),
  })
  .passthrough();

export type ServeConfig = z.infer<typeof ServeConfigSchema>;

export function loadServeConfig(path: string | undefined): ServeConfig {
  if (!path) return ServeConfigSchema.parse({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'} (${(e as Error).message.split('\n')[0]})`);
  }
  const parsed = ServeConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new Error(`${path}: ${zodMessage(parsed.error)}`);
  return parsed.data;
}
