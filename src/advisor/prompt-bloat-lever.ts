/**
 * Prompt bloat: a feature whose stable prompt prefix (system prompt, tools, examples, as the
 * gateway measured it in `prompt_prefix_tokens`) grew from one prompt version to the next. The
 * saving is what the latest version's calls would cost with the prefix back at the leanest earlier
 * version's size.
 */
import type { CallState } from './advisor-call.js';
import { byTime, groupBy, mostCommon, percentile, type Lever, type LeverGroup } from './lever-support.js';

/** The state with `trim` prompt tokens fewer: from uncached input first, then from what was read from cache. */
export function trimPrompt(s: CallState, trim: number): CallState {
  const fromInput = Math.min(trim, s.usage.input_tokens);
  const fromCache = Math.min(trim - fromInput, s.usage.cache_read_tokens);
  return {
    ...s,
    usage: { ...s.usage, input_tokens: s.usage.input_tokens - fromInput, cache_read_tokens: s.usage.cache_read_tokens - fromCache },
    prefix_tokens: s.prefix_tokens === null ? null : Math.max(0, s.prefix_tokens - fromInput - fromCache),
  };
}

export const promptBloatLever: Lever = (calls, states, _book, opts) => {
  const groups = groupBy(calls, states, (c, s) => (c.feature === null || c.prompt_version === null || s.prefix_tokens === null ? undefined : `${c.provider}\0${c.feature}`));
  const out: LeverGroup[] = [];
  for (const idx of groups.values()) {
    // Versions in the order they first appeared; the latest is the one in use at the window's end.
    const versions = new Map<string, number[]>();
    for (const i of byTime(calls, idx)) {
      const v = calls[i]!.prompt_version!;
      versions.set(v, [...(versions.get(v) ?? []), i]);
    }
    if (versions.size < 2) continue;
    const ordered = [...versions.keys()];
    const latestCalls = byTime(calls, idx).at(-1)!;
    const latest = calls[latestCalls]!.prompt_version!;
    const onLatest = versions.get(latest)!;
    if (onLatest.length < opts.minCalls) continue;
    const medianPrefix = (list: readonly number[]): number => percentile(list.map((i) => states[i]!.prefix_tokens!).sort((a, b) => a - b), 0.5);
    const sizes = new Map(ordered.map((v) => [v, medianPrefix(versions.get(v)!)]));
    const earlier = ordered.filter((v) => v !== latest);
    const leanest = earlier.reduce((a, b) => (sizes.get(b)! < sizes.get(a)! ? b : a));
    const growth = sizes.get(latest)! - sizes.get(leanest)!;
    if (growth < opts.bloatMinTokens || growth < opts.bloatGrowthShare * sizes.get(leanest)!) continue;
    const first = calls[onLatest[0]!]!;
    out.push({
      kind: 'prompt_bloat',
      scope: { provider: first.provider, model: mostCommon(onLatest.map((i) => states[i]!.model)), feature: first.feature, prompt_version: latest },
      indices: onLatest,
      next: (_k, s) => trimPrompt(s, growth),
      evidence: {
        prefix_tokens_by_version: ordered.map((v) => `${v}: ${sizes.get(v)}`).join(' -> '),
        latest_prefix_tokens: sizes.get(latest)!,
        leanest_version: leanest,
        leanest_prefix_tokens: sizes.get(leanest)!,
        growth_tokens: growth,
      },
      confidence: 'estimated',
      assumptions: [`version ${latest}'s prefix (median ${sizes.get(latest)} tokens, the gateway's estimate) can be trimmed back to ${leanest}'s ${sizes.get(leanest)} without losing quality`, 'the trimmed tokens are billed as input on every call'],
      how: `Review what prompt ${latest} of feature "${first.feature}" added over ${leanest} (${growth} more tokens in the system prompt, tools or examples) and cut what the answers do not need.`,
      risk: 'The added instructions may be what fixed a quality problem; compare outcomes per prompt_version (costrail compare --by prompt_version) before trimming.',
    });
  }
  return out;
};
