/**
 * The cost–quality frontier of a feature's replays: per candidate, its latest finished run's pass
 * rate and what the sample cost on it relative to the original models. A candidate is on the
 * frontier when no other candidate passes at least as often for at most the cost (and is strictly
 * better at one): those are the only sensible choices; the rest are dominated.
 */
import type { EvalRunRow } from '../capture/capture-repository.js';
import { ratio, RATE_PLACES } from '../economics/decimal-ratio.js';
import { Decimal } from '../pricing/decimal.js';

export interface FrontierPoint {
  candidate: string;
  run_id: string;
  scorer: string;
  scored: number;
  pass_rate: string | null;
  mean_score: string | null;
  original_cost: string;
  candidate_cost: string;
  /** candidate_cost / original_cost on the same samples (exact to 6 places); null when the original cost is 0. */
  cost_ratio: string | null;
  on_frontier: boolean;
}

export function passRate(run: Pick<EvalRunRow, 'scored' | 'passed'>): string | null {
  return run.scored === 0 ? null : (run.passed / run.scored).toFixed(4);
}

export function frontier(runs: readonly EvalRunRow[]): FrontierPoint[] {
  const latest = new Map<string, EvalRunRow>();
  for (const r of runs) {
    if (r.status !== 'done') continue;
    const seen = latest.get(r.candidate);
    if (!seen || r.created_at > seen.created_at) latest.set(r.candidate, r);
  }
  const points = [...latest.values()].map((r): FrontierPoint => ({
    candidate: r.candidate,
    run_id: r.id,
    scorer: r.scorer,
    scored: r.scored,
    pass_rate: passRate(r),
    mean_score: r.scored === 0 ? null : (r.score_sum / r.scored).toFixed(4),
    original_cost: r.original_cost,
    candidate_cost: r.candidate_cost,
    cost_ratio: ratio(Decimal.parse(r.candidate_cost), Decimal.parse(r.original_cost), RATE_PLACES)?.toString() ?? null,
    on_frontier: false,
  }));
  for (const p of points) {
    if (p.pass_rate === null || p.cost_ratio === null) continue;
    const pr = Number(p.pass_rate);
    const cr = Decimal.parse(p.cost_ratio);
    p.on_frontier = !points.some((q) => {
      if (q === p || q.pass_rate === null || q.cost_ratio === null) return false;
      const qr = Number(q.pass_rate);
      const qc = Decimal.parse(q.cost_ratio);
      return qr >= pr && qc.cmp(cr) <= 0 && (qr > pr || qc.cmp(cr) < 0);
    });
  }
  return points.sort((a, b) => (a.cost_ratio === null ? 1 : b.cost_ratio === null ? -1 : Decimal.parse(a.cost_ratio).cmp(Decimal.parse(b.cost_ratio))));
}
