/**
 * Statistics for the A/B read-out of `costrail compare`: the Wilson score interval for a success
 * rate (well behaved at small counts and at 0% or 100%, unlike the normal "Wald" interval) and the
 * two-sided two-proportion z-test with a pooled standard error. These are probabilities, not money,
 * so floating point is right here.
 */

/** z for a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

/** Wilson score interval for `successes` out of `n` at the given z; null when n is 0. */
export function wilsonInterval(successes: number, n: number, z = Z_95): [number, number] | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

export interface TwoProportionTest {
  /** p1 − p2. */
  difference: number;
  z: number;
  /** Two-sided. */
  p_value: number;
}

/** Pooled two-proportion z-test of x1/n1 against x2/n2; null when either n is 0 or the pool is all-or-nothing. */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): TwoProportionTest | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pool = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2));
  if (se === 0) return null;
  const z = (p1 - p2) / se;
  return { difference: p1 - p2, z, p_value: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}

/**
 * Complementary error function (W. J. Cody's rational Chebyshev approximation as given in
 * Numerical Recipes' erfcc: relative error below 1.2e-7 everywhere), so 2·(1 − Φ(|z|)) = erfc(|z|/√2).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
