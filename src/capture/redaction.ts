/**
 * Redaction of captured bodies, applied off the request path just before a body is sealed and
 * written: every string in the JSON is scanned, keys and structure are kept (a replay still
 * sends a well-formed request). Each match becomes `[REDACTED:<kind>]` so a reviewer sees that
 * something was there.
 */
import type { CaptureConfig } from './capture-config.js';

interface Rule {
  kind: string;
  re: RegExp;
}

const EMAIL: Rule = { kind: 'email', re: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g };
const SECRETS: readonly Rule[] = [
  // Provider and Costrail keys: sk-…, sk-ant-…, AIza…, AKIA… (AWS access key ids), ghp_… tokens.
  { kind: 'secret', re: /\b(?:sk-[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|ct_[A-Za-z0-9_-]{16,})\b/g },
  { kind: 'secret', re: /\bBearer\s+[A-Za-z0-9._~+/=-]{16,}/g },
  // 13–19 digit card numbers, with optional spaces or dashes between groups.
  { kind: 'card', re: /\b(?:\d[ -]?){12,18}\d\b/g },
];

export class Redactor {
  private readonly rules: readonly Rule[];

  constructor(config: CaptureConfig['redact']) {
    // The operator's own patterns first: they are the most specific (an order number must not be half-eaten by the card rule).
    const rules: Rule[] = config.patterns.map((p) => ({ kind: 'custom', re: new RegExp(p, 'g') }));
    if (config.secrets) rules.push(...SECRETS);
    if (config.emails) rules.push(EMAIL);
    this.rules = rules;
  }

  /** The number of replacements made is returned beside the value so a capture can say it was redacted. */
  redact<T>(value: T): { value: T; redactions: number } {
    let count = 0;
    const text = (s: string): string => {
      let out = s;
      for (const r of this.rules) {
        out = out.replace(r.re, () => {
          count += 1;
          return `[REDACTED:${r.kind}]`;
        });
      }
      return out;
    };
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return text(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = walk(x);
        return out;
      }
      return v;
    };
    const value2 = walk(value) as T;
    return { value: value2, redactions: count };
  }
}
