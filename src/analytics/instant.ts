/** Period bounds as users type them: a date (`2026-10-01`, UTC midnight) or an ISO 8601 instant. */
export function parseInstant(text: string, field: string): string {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(t)) throw new RangeError(`${field} must be a date (YYYY-MM-DD) or an ISO 8601 instant, not "${text}"`);
  return new Date(t).toISOString();
}

export function parseRange(from: string | null | undefined, to: string | null | undefined): { from: string; to: string } {
  if (!from || !to) throw new RangeError('from and to are both required (YYYY-MM-DD or ISO 8601; to is exclusive)');
  const range = { from: parseInstant(from, 'from'), to: parseInstant(to, 'to') };
  if (range.from >= range.to) throw new RangeError(`from (${range.from}) must be before to (${range.to})`);
  return range;
}
