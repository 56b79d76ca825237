/**
 * What the alerts module needs to know about budgets (owned by the budgets module): enough to
 * project each budget's period-end spend and raise `forecast_breach`. The coordinator passes an
 * adapter over the budgets repository; without one, forecast breaches are simply not evaluated.
 */
import type { Scope } from './scope.js';

export interface BudgetLike {
  id: string;
  name: string;
  scope: Scope;
  period: 'hour' | 'day' | 'week' | 'month' | 'total';
  /** IANA zone of the budget's calendar; its forecast uses the same period boundaries. */
  timezone?: string;
  fiscal_month_start_day?: number;
  /** Exact decimal string (USD); budgets in tokens are not forecast. */
  limit_usd?: string | null;
}

export interface BudgetView {
  list(): Promise<readonly BudgetLike[]> | readonly BudgetLike[];
}
