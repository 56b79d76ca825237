/** `GET /api/spend` with the dashboard's conventions: ISO instants, the viewer's zone for buckets. */
import { api } from './client';
import type { SpendResult } from './types';
import { viewerZone } from '../lib/time';

export interface SpendParams {
  from?: Date | string;
  to?: Date | string;
  group_by?: readonly string[];
  granularity?: 'minute' | 'hour' | 'day' | 'week' | 'month' | 'none';
  filters?: Record<string, string>;
}

export function iso(d: Date | string | undefined): string | undefined {
  if (d === undefined) return undefined;
  return typeof d === 'string' ? d : d.toISOString();
}

export function spendQuery(p: SpendParams): Record<string, string | undefined> {
  return {
    from: iso(p.from),
    to: iso(p.to),
    group_by: p.group_by?.length ? p.group_by.join(',') : undefined,
    granularity: p.granularity ?? 'none',
    tz: viewerZone(),
    ...(p.filters ?? {}),
  };
}

export function getSpend(p: SpendParams, signal?: AbortSignal): Promise<SpendResult> {
  return api<SpendResult>('GET', '/api/spend', { query: spendQuery(p), ...(signal ? { signal } : {}) });
}
