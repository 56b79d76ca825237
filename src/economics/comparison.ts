/**
 * `costrail compare`: the A/B read-out for a prompt or model change within one feature. Each
 * variant (prompt_version or model value) gets its unit economics plus a 95% Wilson interval on
 * its success rate; each is tested against a baseline with the two-sided pooled two-proportion
 * z-test at α = 0.05. Cost figures are exact decimals; the statistics are floats (probabilities).
 *
 * The test compares success RATES only. A trace that uses two variants counts its outcomes for
 * both, which blurs the comparison: split traffic per trace for a clean read-out.
 */
import type { Store } from '../store/store.js';
import { twoProportionZTest, wilsonInterval } from './proportion-stats.js';
import { buildUnitEconomics, type UnitEconomicsRow } from './unit-economics.js';

export const COMPARE_DIMENSIONS = ['prompt_version', 'model'] as const;
export type CompareDimension = (typeof COMPARE_DIMENSIONS)[number];
export const SIGNIFICANCE_LEVEL = 0.05;
export const COMPARE_TEST = 'two-sided pooled two-proportion z-test on success rate, alpha 0.05; 95% Wilson score intervals';

export interface CompareQuery {
  feature: string;
  by: CompareDimension;
  from: string;
  to: string;
  type?: string;
  /** The variant the others are tested against; default: the one with the most outcomes. */
  baseline?: string;
  /** Extra ledger filters (a scoped token's scope). */
  filters?: Record<string, string | null>;
}

export interface VariantReadout extends UnitEconomicsRow {
  variant: string | null;
  /** 95% Wilson score interval of success_rate; null without outcomes. */
  success_rate_ci: [number, number] | null;
  /** Against the baseline; null for the baseline itself or when a test is impossible (no outcomes, all-or-nothing pool). */
  vs_baseline: { difference: number; z: number; p_value: number; significant: boolean } | null;
}

export interface ComparisonReport {
  feature: string;
  by: CompareDimension;
  from: string;
  to: string;
  type: string | null;
  test: string;
  baseline: string | null;
  variants: VariantReadout[];
}

export async function buildComparison(store: Store, q: CompareQuery): Promise<ComparisonReport> {
  const report = await buildUnitEconomics(store, { from: q.from, to: q.to, by: q.by, ...(q.type === undefined ? {} : { type: q.type }), filters: { ...q.filters, feature: q.feature } });
  const rows = report.rows;
  let base: UnitEconomicsRow | undefined;
  if (q.baseline !== undefined) {
    base = rows.find((r) => r.key === q.baseline);
    if (!base) throw new RangeError(`baseline "${q.baseline}" has no calls for feature "${q.feature}" in the window (variants: ${rows.map((r) => r.key ?? '(none)').join(', ') || 'none'})`);
  } else {
    base = [...rows].sort((a, b) => b.outcomes - a.outcomes || String(a.key).localeCompare(String(b.key)))[0];
  }
  const variants = rows.map((r): VariantReadout => {
    const test = base && r !== base ? twoProportionZTest(r.successful_outcomes, r.outcomes, base.successful_outcomes, base.outcomes) : null;
    return {
      variant: r.key,
      ...r,
      success_rate_ci: wilsonInterval(r.successful_outcomes, r.outcomes),
      vs_baseline: test ? { ...test, significant: test.p_value < SIGNIFICANCE_LEVEL } : null,
    };
  });
  return { feature: q.feature, by: q.by, from: report.from, to: report.to, type: report.type, test: COMPARE_TEST, baseline: base?.key ?? null, variants };
}
