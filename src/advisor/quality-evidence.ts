/**
 * Quality evidence for model-fit findings from the unit-economics outcomes (src/economics): when
 * the feature already has outcomes on both the current model and the candidate (an A/B, a canary,
 * a past period), their success rates are attached, and the finding becomes `measured` once the
 * candidate has enough outcomes and is not significantly worse (two-proportion z-test, as
 * `costrail compare` reports it). Without outcomes the finding stays `estimated`.
 */
import { buildComparison, type VariantReadout } from '../economics/comparison.js';
import { isResolved, type PriceBook } from '../pricing/price-book.js';
import type { DimensionFilters, Store } from '../store/store.js';
import type { AdviceReport, Recommendation } from './recommendations.js';

/** Outcomes the candidate needs before its success rate can make a finding `measured`. */
export const MIN_CANDIDATE_OUTCOMES = 30;

function catalogName(book: PriceBook, provider: string, variant: string | null, at: Date): string | undefined {
  if (variant === null) return undefined;
  const r = book.resolve(provider, variant, at);
  return isResolved(r) ? r.entry.model : undefined;
}

/** The variants (ledger model names) that are `model` once resolved, pooled. */
function pooled(rows: readonly VariantReadout[]): { outcomes: number; successes: number; significantlyWorse: boolean } {
  return {
    outcomes: rows.reduce((a, r) => a + r.outcomes, 0),
    successes: rows.reduce((a, r) => a + r.successful_outcomes, 0),
    significantlyWorse: rows.some((r) => r.vs_baseline !== null && r.vs_baseline.significant && r.vs_baseline.difference < 0),
  };
}

const rate = (s: number, n: number): string | null => (n === 0 ? null : (s / n).toFixed(4));

/** What a model-fit finding is about (feature, provider, current model, candidate); undefined for other kinds or an incomplete scope. */
export function modelFitSubject(rec: Recommendation): { feature: string; provider: string; model: string; candidate: string } | undefined {
  if (rec.kind !== 'model_fit') return undefined;
  const feature = rec.scope['feature'];
  const provider = rec.scope['provider'];
  const model = rec.scope['model'];
  const candidate = rec.evidence['candidate_model'];
  if (!feature || !provider || !model || typeof candidate !== 'string') return undefined;
  return { feature, provider, model, candidate };
}

export async function attachQualityEvidence(report: AdviceReport, store: Store, book: PriceBook, filters: DimensionFilters = {}): Promise<void> {
  const at = new Date(report.to);
  for (const rec of report.recommendations) {
    const subject = modelFitSubject(rec);
    if (!subject) continue;
    const { feature, provider, model, candidate } = subject;
    const probe = await buildComparison(store, { feature, by: 'model', from: report.from, to: report.to, filters });
    const current = probe.variants.filter((v) => catalogName(book, provider, v.variant, at) === model && v.outcomes > 0);
    if (current.length === 0) continue;
    // Test every variant against the current model's busiest variant.
    const baseline = [...current].sort((a, b) => b.outcomes - a.outcomes)[0]!.variant!;
    const report2 = await buildComparison(store, { feature, by: 'model', from: report.from, to: report.to, filters, baseline });
    const cur = pooled(report2.variants.filter((v) => catalogName(book, provider, v.variant, at) === model));
    const cand = pooled(report2.variants.filter((v) => catalogName(book, provider, v.variant, at) === candidate));
    rec.evidence['success_rate_current'] = rate(cur.successes, cur.outcomes);
    rec.evidence['outcomes_current'] = cur.outcomes;
    rec.evidence['success_rate_candidate'] = rate(cand.successes, cand.outcomes);
    rec.evidence['outcomes_candidate'] = cand.outcomes;
    if (cand.outcomes >= MIN_CANDIDATE_OUTCOMES && !cand.significantlyWorse) {
      rec.confidence = 'measured';
      rec.assumptions = rec.assumptions.filter((a) => !a.startsWith('quality holds'));
      rec.assumptions.push(`quality measured from outcomes: ${candidate} succeeded ${cand.successes}/${cand.outcomes}, ${model} ${cur.successes}/${cur.outcomes}, not significantly worse`);
    } else if (cand.outcomes > 0) {
      rec.assumptions.push(cand.significantlyWorse ? `outcomes show ${candidate} significantly worse on this feature (${cand.successes}/${cand.outcomes} vs ${cur.successes}/${cur.outcomes})` : `only ${cand.outcomes} outcome(s) on ${candidate}: ${MIN_CANDIDATE_OUTCOMES} needed to call quality measured`);
    }
  }
}
