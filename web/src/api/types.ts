/** The management API's JSON shapes the dashboard reads (PRODUCT.md "Management API essentials"). */

// The ledger record is defined once, in the server's source (src/ledger/ledger-schema.ts); type-only,
// so nothing of it reaches the bundle.
export type { Attribution, LedgerRecord, Usage } from '../../../src/ledger/ledger-record';
import type { Attribution, LedgerRecord } from '../../../src/ledger/ledger-record';

export interface EventsPage {
  events: LedgerRecord[];
  next_cursor: string | null;
}

/** One spend row: `period`, one key per group-by dimension (tags as `tag:NAME`), and the sums. */
export interface SpendRow {
  period?: string | null;
  cost: string;
  requests: number;
  unpriced_requests?: number;
  input_tokens?: number;
  output_tokens?: number;
  cache_read_tokens?: number;
  cache_write_tokens?: number;
  reasoning_tokens?: number;
  /** What response-cache hits did not pay (GET /api/spend). */
  saved?: string;
  [dimension: string]: string | number | null | undefined;
}

export interface SpendResult {
  rows: SpendRow[];
  total: { cost: string; requests: number; unpriced_requests?: number; saved?: string };
}

export interface Budget {
  id: string;
  name: string;
  scope: Record<string, string>;
  period: 'hour' | 'day' | 'week' | 'month' | 'total';
  timezone?: string;
  limit_usd?: string | null;
  limit_tokens?: number | null;
  thresholds?: number[];
  action: 'block' | 'notify' | 'downgrade';
  downgrade_to?: string | null;
  spent?: string | number | null;
  reserved?: string | number | null;
  remaining?: string | number | null;
  resets_at?: string | null;
  unit?: 'usd' | 'tokens';
  period_start?: string | null;
  used_fraction?: number;
  thresholds_crossed?: number[];
  [extra: string]: unknown;
}

export interface KillSwitch {
  id: string;
  scope: Record<string, string>;
  reason?: string | null;
  set_at?: string | null;
}

export interface VirtualKey {
  id: string;
  name?: string | null;
  prefix?: string | null;
  defaults?: Partial<Attribution> & { tags?: Record<string, string> };
  attribution?: Partial<Attribution>;
  spend?: string | null;
  spent?: string | null;
  requests?: number | null;
  last_used_at?: string | null;
  created_at?: string | null;
  revoked_at?: string | null;
  status?: string | null;
  [extra: string]: unknown;
}

export interface WhoAmI {
  kind: 'admin' | 'scoped';
  token_id: string;
  scope: Record<string, string>;
}

/** `GET /api/alerts` items (src/alerts/alert-types.ts, instants as ISO strings). */
export interface AlertItem {
  id: string;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  status: 'open' | 'acknowledged' | 'resolved';
  scope: Record<string, string>;
  summary: string;
  observed: number;
  expected: number;
  expected_low: number;
  expected_high: number;
  unit: string;
  window_minutes: number;
  detected_at: string;
  last_seen_at: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
  resolved_by: 'auto' | 'manual' | null;
  peak_observed: number;
  contributors: { dimension: string; value: string | null; cost: string; requests: number }[];
  link: string;
  detail?: Record<string, string | number | boolean | null>;
}

export interface IncidentItem {
  id: string;
  status: 'open' | 'acknowledged' | 'resolved';
  severity: 'info' | 'warning' | 'critical';
  opened_at: string;
  last_seen_at: string;
  resolved_at: string | null;
  root_scope: Record<string, string>;
  root_kind: string;
  kinds: string[];
  alert_ids: string[];
  scopes: Record<string, string>[];
  impact_usd_per_hour: number;
  peak_impact_usd_per_hour: number;
  contributors: { dimension: string; value: string | null; cost: string; requests: number }[];
  summary: string;
  link: string;
  snoozed_until: string | null;
  notes: { at: string; text: string; action: 'note' | 'snooze' | 'new_normal' }[];
  alerts?: AlertItem[];
}

export interface AnnotationItem {
  id: string;
  scope: Record<string, string>;
  from: string;
  to: string;
  note: string;
  expected_multiplier: number;
}

/** `GET /api/forecast`: period-end projection with its 90% interval (statistics, so numbers). */
export interface ForecastResult {
  scope: Record<string, string>;
  period: 'day' | 'week' | 'month';
  period_start: string;
  period_end: string;
  as_of: string;
  tz: string;
  spent: number;
  spent_exact?: string;
  projected: number;
  low: number;
  high: number;
  method: string;
}
