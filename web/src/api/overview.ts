/** `GET /api/overview`: the overview page's spend figures in one request (one grouping-sets query on the server). */
import { api } from './client';
import type { SpendResult } from './types';
import { iso } from './spend';
import { viewerZone } from '../lib/time';

export interface OverviewParams {
  /** The instant the burn-rate windows end at ("now"). */
  at: Date;
  chartFrom: Date;
  monthFrom: Date;
  stackBy: string;
  topBy: readonly string[];
  lastMonth: { from: Date; to: Date };
}

export interface OverviewResponse {
  daily: SpendResult;
  top: Record<string, SpendResult>;
  windows: { last_hour: SpendResult['total']; same_hour_last_week: SpendResult['total']; same_days_last_month?: SpendResult['total'] };
}

export function getOverview(p: OverviewParams, signal?: AbortSignal): Promise<OverviewResponse> {
  const query = {
    at: iso(p.at),
    chart_from: iso(p.chartFrom),
    month_from: iso(p.monthFrom),
    stack_by: p.stackBy,
    top_by: p.topBy.join(','),
    last_month_from: iso(p.lastMonth.from),
    last_month_to: iso(p.lastMonth.to),
    tz: viewerZone(),
  };
  return api<OverviewResponse>('GET', '/api/overview', { query, ...(signal ? { signal } : {}) });
}
