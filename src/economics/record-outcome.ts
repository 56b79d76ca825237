/**
 * `recordOutcome(...)`: the package helper for applications that report outcomes from code. It
 * validates the outcome with the same schema as the API (a bad outcome fails here, with the field
 * named, before any request) and POSTs it to `/api/outcomes` of a Costrail server. The server, not
 * this helper, decides scope: a team token can only record its own team's outcomes.
 */
import { randomUUID } from 'node:crypto';
import { describeIssues, outcomeInputSchema } from './outcome-input.js';
import { environment } from '../config/environment.js';

export interface OutcomeReport {
  /** Default: a random UUID. Re-sending the same id never counts twice. */
  id?: string;
  type: string;
  success: boolean;
  /** Every call of this trace belongs to the outcome (the traceparent / x-costrail trace id the calls carried). */
  trace_id?: string;
  /** Ledger record ids (the gateway's `x-costrail-request-id`), in addition to the trace's calls. */
  call_ids?: string[];
  customer?: string;
  feature?: string;
  team?: string;
  value_usd?: string | number;
  attributes?: Record<string, string | number | boolean | null>;
  /** Default: now. */
  occurred_at?: string | Date;
}

export interface RecordOutcomeOptions {
  /** The Costrail server; default COSTRAIL_URL. */
  url?: string;
  /** An admin or scoped API token; default COSTRAIL_TOKEN, then COSTRAIL_ADMIN_TOKEN. */
  token?: string;
}

/** Records one outcome; resolves to whether it was new (false: that id was already recorded). */
export async function recordOutcome(outcome: OutcomeReport, options: RecordOutcomeOptions = {}): Promise<{ id: string; inserted: boolean }> {
  const env = environment();
  const url = (options.url ?? env['COSTRAIL_URL'])?.replace(/\/+$/, '');
  const token = options.token ?? env['COSTRAIL_TOKEN'] ?? env['COSTRAIL_ADMIN_TOKEN'];
  if (!url) throw new TypeError('recordOutcome: no server: pass { url } or set COSTRAIL_URL');
  if (!token) throw new TypeError('recordOutcome: no token: pass { token } or set COSTRAIL_TOKEN');
  const occurred = outcome.occurred_at instanceof Date ? outcome.occurred_at.toISOString() : (outcome.occurred_at ?? new Date().toISOString());
  const parsed = outcomeInputSchema.safeParse({ ...outcome, id: outcome.id ?? randomUUID(), occurred_at: occurred });
  if (!parsed.success) throw new RangeError(`recordOutcome: ${describeIssues(parsed.error)}`);
  const res = await fetch(`${url}/api/outcomes`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ outcomes: [parsed.data] }) });
  const text = await res.text();
  if (!res.ok) {
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      /* not JSON: keep the text */
    }
    throw new Error(`recordOutcome: Costrail answered HTTP ${res.status}: ${message}`);
  }
  return { id: parsed.data.id, inserted: (JSON.parse(text) as { inserted: number }).inserted === 1 };
}
