/**
 * A card descriptor's matching key: upper case, letters, digits, `.` and `/` only. Card networks
 * and issuers space and punctuate the same merchant differently (`OPENAI *CHATGPT`,
 * `OPENAI*CHATGPT`, `Openai Chatgpt`), so matching compares keys, never raw text.
 */
export function descriptorKey(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9./]/g, '');
}

/**
 * Payment processors that put their own prefix before the merchant (`PAYPAL *MIDJOURNEY`,
 * `SP * NOTION`, `PADDLE.NET* CURSOR`): the key with it removed is tried as well.
 */
const PROCESSOR_PREFIXES = ['PAYPAL', 'PADDLE.NET', 'SQ', 'SP', 'FS', 'TST', 'DNH', 'PY'];

/** A descriptor's key and the key lengths at which one of its words ends. */
export interface KeyedDescriptor {
  key: string;
  wordEnds: Set<number>;
}

function keyed(text: string): KeyedDescriptor {
  const wordEnds = new Set<number>();
  let key = '';
  for (const word of text.split(/[^A-Za-z0-9./]+/)) {
    key += descriptorKey(word);
    wordEnds.add(key.length);
  }
  return { key, wordEnds };
}

export function descriptorKeys(text: string): KeyedDescriptor[] {
  const m = /^\s*([A-Za-z.]+)\s*\*/.exec(text);
  const prefix = m?.[1]?.toUpperCase();
  if (prefix && PROCESSOR_PREFIXES.includes(prefix)) return [keyed(text), keyed(text.slice(m![0].length))];
  return [keyed(text)];
}

/**
 * Whether a descriptor starts with a pattern key. Short keys must end on a word (`WRITER` is not
 * `WRITERLY AI`); long ones may stop mid-word, because issuers truncate descriptors
 * (`OPENAI *CHATGPT SUBSCR` for SUBSCRIPTION).
 */
export function startsWithKey(d: KeyedDescriptor, key: string): boolean {
  return d.key.startsWith(key) && (key.length >= 8 || d.wordEnds.has(key.length));
}
