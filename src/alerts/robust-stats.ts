/** Outlier-robust summaries the baselines are built from (medians and MADs, not means). */

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Median absolute deviation scaled to a normal σ (×1.4826). */
export function madSigma(values: readonly number[], center = median(values)): number {
  if (values.length === 0) return NaN;
  return 1.4826 * median(values.map((v) => Math.abs(v - center)));
}

/** Nearest-rank quantile, q in [0,1]. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i] as number;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Rounds a statistic for display (observed/expected figures, not ledger money). */
export function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
