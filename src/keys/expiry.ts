/** Key expiry as people write it: a duration from now (`90m`, `12h`, `30d`, `8w`) or an ISO date. */
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Epoch ms, or an Error message explaining what was expected. */
export function parseExpiry(text: string, now = Date.now()): number | string {
  const t = text.trim();
  const d = /^(\d+)\s*([mhdw])$/i.exec(t);
  if (d) {
    const n = Number(d[1]);
    if (n <= 0) return `expiry "${t}" must be in the future`;
    return now + n * (UNIT_MS[(d[2] ?? 'd').toLowerCase()] ?? UNIT_MS['d'] ?? 0);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const at = Date.parse(t);
    if (Number.isNaN(at)) return `expiry "${t}" is not a valid date`;
    if (at <= now) return `expiry "${t}" is in the past`;
    return at;
  }
  return `expiry "${t}" must be a duration like 30d, 12h, 90m, 8w, or an ISO date like 2027-01-31`;
}
