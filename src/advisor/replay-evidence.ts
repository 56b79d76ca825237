/**
 * Quality evidence for model-fit findings from replay evaluations (src/evaluation): when the
 * feature's captured requests were replayed on the candidate (`costrail eval replay`), the latest
 * finished run's pass rate is attached, and the finding becomes `measured` when enough samples
 * were scored and the candidate matched the original at least `REPLAY_PASS_RATE` of the time.
 * A run that shows the candidate falling short says so in the finding's assumptions.
 */
import type { CaptureRepository } from '../capture/capture-repository.js';
import { passRate } from '../evaluation/eval-frontier.js';
import { isResolved, type PriceBook } from '../pricing/price-book.js';
import type { AdviceReport } from './recommendations.js';
import { modelFitSubject } from './quality-evidence.js';

/** Scored samples a replay needs before its pass rate can make a finding `measured`. */
export const MIN_REPLAY_SAMPLES = 20;
/** Pass rate at which the candidate counts as matching the original's quality. */
export const REPLAY_PASS_RATE = 0.95;

export async function attachReplayEvidence(report: AdviceReport, captures: CaptureRepository, book: PriceBook): Promise<void> {
  const at = new Date(report.to);
  const catalog = (provider: string, model: string): string => {
    const r = book.resolve(provider, model, at);
    return isResolved(r) ? r.entry.model : model;
  };
  for (const rec of report.recommendations) {
    const subject = modelFitSubject(rec);
    if (!subject) continue;
    const { feature, provider, model, candidate } = subject;
    const runs = (await captures.runs({ feature, limit: 1000 })).filter((r) => r.status === 'done' && catalog(provider, r.candidate) === candidate && r.original_models.some((m) => catalog(provider, m) === model));
    const run = runs[0]; // newest first
    if (!run) continue;
    const rate = passRate(run);
    rec.evidence['replay_run_id'] = run.id;
    rec.evidence['replay_scorer'] = run.scorer;
    rec.evidence['replay_scored'] = run.scored;
    rec.evidence['replay_pass_rate'] = rate;
    if (rate === null || run.scored < MIN_REPLAY_SAMPLES) {
      rec.assumptions.push(`replay ${run.id} scored ${run.scored} sample(s): ${MIN_REPLAY_SAMPLES} needed to call quality measured`);
    } else if (Number(rate) >= REPLAY_PASS_RATE) {
      rec.confidence = 'measured';
      rec.assumptions = rec.assumptions.filter((a) => !a.startsWith('quality holds'));
      rec.assumptions.push(`quality measured by replay ${run.id}: ${candidate} matched ${model} on ${run.passed}/${run.scored} captured requests (${run.scorer})`);
    } else {
      rec.assumptions.push(`replay ${run.id} shows ${candidate} matching ${model} on only ${run.passed}/${run.scored} captured requests (${run.scorer}), below ${REPLAY_PASS_RATE * 100}%`);
    }
  }
}
