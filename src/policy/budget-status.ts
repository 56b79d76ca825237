/** What /api/budgets shows for one budget: the spec with spent, reserved, remaining, resets_at. */
import { picoToUsd } from './money-units.js';
import type { BudgetSpec } from './policy-schemas.js';

export type BudgetUnit = 'usd' | 'tokens';

export function budgetUnit(b: Pick<BudgetSpec, 'limit_usd'>): BudgetUnit {
  return b.limit_usd !== undefined ? 'usd' : 'tokens';
}

export interface BudgetStatus extends BudgetSpec {
  unit: BudgetUnit;
  period_start: string | null;
  resets_at: string | null;
  /** USD as an exact decimal string, or a token count as a string. */
  spent: string;
  reserved: string;
  remaining: string;
  /** Fraction of the limit spent (for display only). */
  used_fraction: number;
  thresholds_crossed: number[];
}

export function formatAmount(unit: BudgetUnit, v: bigint): string {
  return unit === 'usd' ? picoToUsd(v) : v.toString();
}
