/** The words alerts are made of: kinds, severities, what a detector reports, what an alert is. */
import type { Scope } from './scope.js';

export const ALERT_KINDS = ['spend_velocity', 'cost_per_request_drift', 'tokens_per_request_drift', 'error_storm', 'retry_storm', 'new_source', 'forecast_breach', 'outcome_cost_drift', 'margin_threshold'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

/** What `observed` and `expected` are measured in. */
export type SignalUnit = 'usd' | 'usd_per_request' | 'tokens_per_request' | 'requests' | 'errors' | 'usd_per_outcome' | 'share_of_revenue';

/** One detector's finding for one scope at one evaluation instant (only firing ones are emitted). */
export interface Signal {
  scope: Scope;
  kind: AlertKind;
  severity: Severity;
  /** Observed value over the window, in `unit`. */
  observed: number;
  /** What the baseline expected over the same window, with its interval. */
  expected: number;
  expected_low: number;
  expected_high: number;
  unit: SignalUnit;
  window_minutes: number;
  /** One plain sentence: what happened and where. */
  summary: string;
  detail?: Record<string, string | number | boolean | null>;
}

export interface Contributor {
  dimension: string;
  value: string | null;
  cost: string;
  requests: number;
}

export interface Alert extends Signal {
  id: string;
  status: AlertStatus;
  /** Epoch ms the detector first fired (the alert opened). */
  detected_at: number;
  /** Epoch ms of the latest evaluation that still fired. */
  last_seen_at: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  /** How it was resolved: `auto` when the condition cleared, `manual` by an operator. */
  resolved_by: 'auto' | 'manual' | null;
  /** Largest observed value while open. */
  peak_observed: number;
  contributors: Contributor[];
  link: string;
  /** The incident this alert belongs to (alerts sharing one cause share one incident). */
  incident_id?: string | null;
}
