/**
 * `GET /api/reconciliation` as the dashboard reads it (src/billing/billing-api-schemas.ts), kept
 * apart from the page so the overview's coverage card can use it without loading the page.
 */
export interface Explanation {
  kind: string;
  amount: string;
  detail: string;
}
export interface ReconFigures {
  observed: string;
  billed: string;
  gap: string;
  gap_pct: number | null;
  explained: Explanation[];
}
export interface ReconRow extends ReconFigures {
  provider: string;
  day: string;
  account?: string | null;
}
export interface CoveragePoint {
  period: string;
  provider: string | null;
  billed_usage: string;
  metered_usage: string;
  attributed_usage: string;
  metered_pct: number | null;
  attributed_pct: number | null;
}
export interface Reconciliation {
  rows: ReconRow[];
  total: ReconFigures;
  coverage: { metered_pct: number | null; attributed_pct: number | null };
  coverage_trend: CoveragePoint[];
  coverage_by_provider: (Omit<CoveragePoint, 'period' | 'provider'> & { provider: string })[];
}

export const pctText = (p: number | null): string => (p === null ? '—' : `${p}%`);
