/**
 * Model-name rules: the names providers report rarely equal the catalog's keys. Each rule here
 * produces candidate keys, tried in order, so the most specific entry always wins
 * (a dated snapshot with its own price beats the undated family name).
 */

/** Bedrock cross-region inference profile prefixes. `global.` is priced apart; geo ones carry a premium. */
const BEDROCK_GEO_PREFIXES = ['us-gov.', 'us.', 'eu.', 'apac.', 'jp.', 'au.', 'ca.'] as const;

export interface NameCandidate {
  key: string;
  /** Why this key was tried (shown in `costrail cost` output when it is the one that matched). */
  rule: 'exact' | 'provider-prefix' | 'snapshot-date' | 'bedrock-geo' | 'bedrock-arn' | 'vertex-version';
  /** The call went through a geographic profile (price x regional_multiplier where the catalog says so). */
  regional?: boolean;
}

export interface ParsedModelName {
  /** Candidate keys, most specific first. */
  candidates: NameCandidate[];
  /** `ft:base:org::id` and similar fine-tuned ids: the base model, priced with fine_tuned rates. */
  fineTunedBase?: string;
}

/** Snapshot suffixes: -2024-08-06, -20250929, @20240620 (Vertex), -001 / -002 (Gemini versions). */
const DATE_SUFFIXES: RegExp[] = [/-\d{4}-\d{2}-\d{2}$/, /-\d{8}$/, /@\d{8}$/, /@(latest|default|\d{3})$/, /-\d{3}$/];

export function parseModelName(rawName: string): ParsedModelName {
  let name = rawName.trim();
  const out: NameCandidate[] = [];
  const seen = new Set<string>();
  const add = (key: string, rule: NameCandidate['rule'], regional?: boolean) => {
    const k = key.toLowerCase();
    if (k.length === 0 || seen.has(k)) return;
    seen.add(k);
    out.push(regional ? { key: k, rule, regional } : { key: k, rule });
  };

  // Gemini REST names ("models/gemini-2.5-pro") and Bedrock ARNs (".../inference-profile/us.anthropic...").
  if (name.startsWith('models/')) name = name.slice('models/'.length);
  if (name.startsWith('arn:')) {
    const slash = name.lastIndexOf('/');
    if (slash !== -1) name = name.slice(slash + 1);
  }

  let fineTunedBase: string | undefined;
  if (name.startsWith('ft:')) {
    // OpenAI: ft:gpt-4o-mini-2024-07-18:org:suffix:id. The base is the second field.
    fineTunedBase = name.split(':')[1];
  }

  add(name, 'exact');

  // "openai/gpt-4.1-mini" (OpenRouter, LiteLLM-style keys): the part after the first slash.
  const slash = name.indexOf('/');
  const bare = slash !== -1 ? name.slice(slash + 1) : name;
  if (bare !== name) add(bare, 'provider-prefix');

  for (const base of [name, bare]) {
    for (const prefix of BEDROCK_GEO_PREFIXES) {
      if (base.startsWith(prefix)) {
        const unprefixed = base.slice(prefix.length);
        add(unprefixed, 'bedrock-geo', true);
        for (const re of DATE_SUFFIXES) if (re.test(unprefixed)) add(unprefixed.replace(re, ''), 'snapshot-date', true);
      }
    }
    if (base.startsWith('global.')) add(base.slice('global.'.length), 'bedrock-geo');
    for (const re of DATE_SUFFIXES) {
      if (re.test(base)) add(base.replace(re, ''), re.source.startsWith('@') ? 'vertex-version' : 'snapshot-date');
    }
  }
  return fineTunedBase ? { candidates: out, fineTunedBase } : { candidates: out };
}
