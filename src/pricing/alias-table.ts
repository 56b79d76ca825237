/**
 * Moving model names (`*-latest`, `gemini-flash-latest`, DeepSeek's legacy names): which dated
 * model each pointed at on a given day. A call is priced as, and recorded under, the model the
 * alias meant on the call's date; the alias itself stays in `model_requested`.
 */
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, 'an ISO date (YYYY-MM-DD) or UTC timestamp');

export const AliasTableSchema = z
  .object({
    version: z.string().min(1),
    description: z.string().optional(),
    aliases: z.array(
      z
        .object({
          provider: z.string().min(1),
          alias: z.string().min(1),
          /** Targets in increasing `effective_from` order; each lasts until the next one starts. */
          targets: z
            .array(z.object({ effective_from: isoDate, model: z.string().min(1), source: z.string().min(1) }).strict())
            .min(1),
        })
        .strict(),
    ),
  })
  .strict();

export type AliasTable = z.infer<typeof AliasTableSchema>;

export const NO_ALIASES: AliasTable = { version: 'none', aliases: [] };

export interface AliasTarget {
  model: string;
  effective_from: string;
  source: string;
}

/** Index of (provider, alias) -> dated targets, answering "what did this name mean at that instant?". */
export class AliasIndex {
  private readonly byKey = new Map<string, { starts: number[]; targets: AliasTarget[] }>();

  constructor(table: AliasTable) {
    for (const a of table.aliases) {
      const targets = [...a.targets].sort((x, y) => Date.parse(x.effective_from) - Date.parse(y.effective_from));
      this.byKey.set(aliasKey(a.provider, a.alias), { starts: targets.map((t) => Date.parse(t.effective_from)), targets });
    }
  }

  /** The target in force at `at`, or undefined when the name is no alias (or not yet one at that date). */
  resolve(provider: string, name: string, at: Date): AliasTarget | undefined {
    const hit = this.byKey.get(aliasKey(provider, name));
    if (!hit) return undefined;
    const t = at.getTime();
    let found: AliasTarget | undefined;
    hit.starts.forEach((s, i) => {
      if (s <= t) found = hit.targets[i];
    });
    return found;
  }
}

function aliasKey(provider: string, name: string): string {
  return `${provider.toLowerCase()}\u0000${name.toLowerCase()}`;
}
