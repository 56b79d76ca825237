/** Scopes typed as `team=search, model=gpt-4o` ↔ `{ team: "search", model: "gpt-4o" }`. */
export function parseScope(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(/[,;]/)) {
    const [k, ...v] = part.split('=');
    const key = (k ?? '').trim();
    if (key) out[key] = v.join('=').trim();
  }
  return out;
}

export function scopeInput(scope: Record<string, string> | undefined): string {
  return Object.entries(scope ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}
