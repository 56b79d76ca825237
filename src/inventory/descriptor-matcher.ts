/**
 * Decides what a card / expense descriptor is: a user rule first, then the vendor catalog's
 * patterns (the longest matching pattern wins), and for what neither knows, whether it looks like
 * AI at all. Every verdict says how it was reached, so a reviewer can trust or correct it.
 *
 * Some catalog patterns say how something was paid, not what was bought: a pattern several vendors
 * share (an app store, a reseller) goes to the review queue with its candidates. A whole cloud,
 * code-host or video-call bill where AI is at most an add-on is not counted from the card line
 * (`shared`): cloud AI spend comes from the provider's billing export (`import billing`), which
 * itemises it — counting the card charge as well would count those dollars twice.
 */
import type { ExpenseRule, MatchMethod, SpendCategory } from '../store/spend-source.js';
import { descriptorKey, descriptorKeys, startsWithKey } from './descriptor-key.js';
import type { CatalogEntry } from './vendor-catalog.js';

export type MatchVerdict =
  | { kind: 'matched'; method: Exclude<MatchMethod, 'manual'>; vendor: string; product: string; category: SpendCategory; pattern: string }
  | { kind: 'review'; pattern: string | null; candidates: string[] }
  | { kind: 'ignored'; shared?: string };

/**
 * Keys of descriptors that cover far more than AI (a whole cloud bill, a software marketplace, an
 * app store, a code host or video-call plan where AI is an add-on): a catalog pattern equal to one
 * of them never counts on its own.
 */
const SHARED_BILLING_KEYS = new Set(['AWS', 'AWSEMEA', 'AMAZONWEBSERVICES', 'GOOGLECLOUD', 'GOOGLE', 'GOOGLESERVICES', 'GOOGLEGOOGLESTORAGE', 'MICROSOFTAZURE', 'MSFTAZURE', 'MICROSOFTAZUREMARKETPLACE', 'MSFT', 'MICROSOFTSTORE', 'MICROSOFTSUBSCRIPTION', 'MONGODB', 'VERCEL', 'VERCELINC', 'XCORP', 'STRIPE', 'GITHUB', 'GITHUBINC', 'ZOOM.US', 'ZOOM', 'ADOBE', 'ADOBEINC']);

/** Words that make an unknown descriptor worth a human look (it goes to review, not ignored). */
const AI_LOOKING = /(\bAI\b|\.AI\b|\bGPT|LLM|COPILOT|OPENAI|ANTHROPIC|CLAUDE|GEMINI|\bML\b|NEURAL|INFERENCE|\bGPU|MACHINE LEARNING|CHATBOT|\bAGENTS?\b)/i;

interface IndexedPattern {
  key: string;
  text: string;
  inferred: boolean;
  entries: CatalogEntry[];
}

export class DescriptorMatcher {
  private readonly patterns: IndexedPattern[];
  private readonly rules: { key: string; rule: ExpenseRule }[];

  constructor(catalog: readonly CatalogEntry[], rules: readonly ExpenseRule[]) {
    const byKey = new Map<string, IndexedPattern>();
    for (const e of catalog) {
      for (const p of e.patterns) {
        const ip = byKey.get(p.key) ?? { key: p.key, text: p.text, inferred: true, entries: [] };
        ip.inferred &&= p.inferred;
        if (!ip.entries.includes(e)) ip.entries.push(e);
        byKey.set(p.key, ip);
      }
    }
    // Longest first: `OPENAI*CHATGPTSUBSCR` must win over `OPENAI`.
    this.patterns = [...byKey.values()].sort((a, b) => b.key.length - a.key.length || a.key.localeCompare(b.key));
    this.rules = rules.map((rule) => ({ key: descriptorKey(rule.pattern), rule })).filter((r) => r.key.length > 0).sort((a, b) => b.key.length - a.key.length);
  }

  match(descriptor: string): MatchVerdict {
    const keys = descriptorKeys(descriptor);
    for (const { key, rule } of this.rules) {
      if (keys.some((k) => startsWithKey(k, key))) return { kind: 'matched', method: 'rule', vendor: rule.vendor, product: rule.product, category: rule.category, pattern: rule.pattern };
    }
    const hit = this.patterns.find((p) => keys.some((k) => startsWithKey(k, p.key)));
    if (hit) {
      const vendors = [...new Set(hit.entries.map((e) => e.vendor))];
      const label = hit.inferred ? `${hit.text} [inferred]` : hit.text;
      if (SHARED_BILLING_KEYS.has(hit.key)) return { kind: 'ignored', shared: label };
      if (vendors.length > 1 || hit.entries.every((e) => e.wrapper)) {
        return { kind: 'review', pattern: label, candidates: vendors };
      }
      // Same vendor, several products (ANTHROPIC: Claude Pro, the API, Claude Code): the
      // catalog lists the product a bare descriptor most often is first.
      const e = hit.entries[0]!;
      return { kind: 'matched', method: 'catalog', vendor: e.vendor, product: e.product, category: e.category, pattern: label };
    }
    return AI_LOOKING.test(descriptor) ? { kind: 'review', pattern: null, candidates: [] } : { kind: 'ignored' };
  }
}
