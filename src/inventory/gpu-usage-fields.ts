/**
 * GPU usage CSV columns and strict cell parsing: hours, dollars and token counts are checked at the
 * edge (negative, absurd or malformed values are refused with the reason), never stored.
 */
import { Decimal } from '../pricing/decimal.js';

export class GpuInputError extends Error {
  override readonly name = 'GpuInputError';
}

export const GPU_FIELDS = ['day', 'instance_type', 'gpu_hours', 'busy_hours', 'hourly_usd', 'cost_usd', 'model', 'input_tokens', 'output_tokens', 'team', 'vendor'] as const;
export type GpuField = (typeof GPU_FIELDS)[number];

/** Column names each field is read from (case-insensitive). */
export const GPU_COLUMNS: Record<GpuField, readonly string[]> = {
  day: ['day', 'date', 'usage_date', 'usage date', 'usage_day'],
  instance_type: ['instance_type', 'instance type', 'gpu_type', 'gpu type', 'sku', 'machine_type', 'machine type'],
  gpu_hours: ['gpu_hours', 'gpu hours', 'paid_hours', 'paid hours', 'hours'],
  busy_hours: ['busy_hours', 'busy hours', 'active_hours', 'active hours', 'utilized_hours', 'utilised_hours'],
  hourly_usd: ['hourly_usd', 'hourly usd', 'hourly_cost', 'hourly cost', 'usd_per_hour', 'price_per_hour', 'price per hour', 'rate'],
  cost_usd: ['cost_usd', 'cost usd', 'cost', 'amount_usd', 'amount'],
  model: ['model', 'model_name', 'served_model', 'served model'],
  input_tokens: ['input_tokens', 'input tokens', 'prompt_tokens', 'prompt tokens', 'tokens_in'],
  output_tokens: ['output_tokens', 'output tokens', 'generation_tokens', 'generation tokens', 'completion_tokens', 'tokens_out'],
  team: ['team', 'cost_centre', 'cost_center', 'cost centre', 'cost center', 'department'],
  vendor: ['vendor', 'provider', 'cloud'],
};

/** Upper bounds past which a cell is absurd rather than big. */
export const GPU_LIMITS = {
  /** GPU hours in one row: 10,000 GPUs for a 100-hour row. */
  hours: Decimal.parse('1000000'),
  /** USD per GPU hour (the dearest multi-GPU node is far below this). */
  hourlyUsd: Decimal.parse('10000'),
  /** Tokens of one kind in one row (the ledger's own bound per kind). */
  tokens: 1_000_000_000_000n,
} as const;

/** `--map "Usage Date=day"` entries folded over the defaults. */
export function gpuColumnsWith(maps: readonly string[]): Record<GpuField, readonly string[]> {
  const cols: Record<GpuField, readonly string[]> = { ...GPU_COLUMNS };
  for (const m of maps) {
    const eq = m.lastIndexOf('=');
    const column = eq > 0 ? m.slice(0, eq).trim() : '';
    const field = eq > 0 ? m.slice(eq + 1).trim() : '';
    if (!column || !(GPU_FIELDS as readonly string[]).includes(field)) throw new GpuInputError(`--map must be COLUMN=FIELD with FIELD one of ${GPU_FIELDS.join(', ')}, not "${m}"`);
    cols[field as GpuField] = [column];
  }
  return cols;
}

/**
 * A non-negative decimal of at most 12 integer and `places` fraction digits, at most `max`. The
 * fraction bound keeps hours × rate within the store's 18 decimals, so the product stays exact.
 */
export function parseQuantity(raw: string, what: string, max: Decimal, places: number): Decimal {
  const s = raw.trim().replace(/^\$/, '').replace(/,(?=\d{3}(\D|$))/g, '');
  if (/^-/.test(s) || /^\(.*\)$/.test(s)) throw new GpuInputError(`${what} "${raw}" is negative`);
  if (!new RegExp(`^\\d{1,12}(\\.\\d{1,${places}})?$`).test(s)) throw new GpuInputError(`${what} "${raw}" is not a decimal number with at most ${places} decimals`);
  const d = Decimal.parse(s);
  if (d.cmp(max) > 0) throw new GpuInputError(`${what} ${raw} is beyond ${max.toString()} (an absurd value)`);
  return d;
}

/** A whole token count, 0 when the cell is empty. */
export function parseTokens(raw: string | null | undefined, what: string): bigint {
  const s = (raw ?? '').trim().replace(/,(?=\d{3}(\D|$))/g, '');
  if (s === '') return 0n;
  if (/^-/.test(s)) throw new GpuInputError(`${what} "${raw}" is negative`);
  if (!/^\d{1,16}$/.test(s)) throw new GpuInputError(`${what} "${raw}" is not a whole number`);
  const n = BigInt(s);
  if (n > GPU_LIMITS.tokens) throw new GpuInputError(`${what} ${s} is beyond 10^12 in one row (an absurd count)`);
  return n;
}

/** `2026-11-05` (or with a time): the UTC day, as `YYYY-MM-DD`. */
export function parseUsageDay(raw: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(raw.trim());
  if (!m) throw new GpuInputError(`day "${raw}" is not YYYY-MM-DD`);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const day = new Date(t).toISOString().slice(0, 10);
  if (day !== `${m[1]}-${m[2]}-${m[3]}` || Number(m[1]) < 2000 || Number(m[1]) > 2100) throw new GpuInputError(`day "${raw}" is not a real day`);
  return day;
}
