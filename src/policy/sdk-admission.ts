/**
 * Admission for calls that do not pass the gateway (the in-process SDK's `admit` round trip):
 * the same PolicyEngine decides, with the same AdmissionRequest the gateway builds, so budgets,
 * rate limits, kill switches, allow-lists and runaway guards cap SDK calls exactly as they cap
 * gateway calls.
 *
 * A refused call is recorded here, `blocked` (source `sdk`), under the id the SDK chose for the
 * call, so a retried admission request adds no second record. An admitted call's reservation is
 * held against that id until the SDK's record for it arrives (`POST /api/import/ledger` settles
 * it with the priced record); one that never arrives is released by the counters' hold TTL.
 */
import type { Admission, AdmissionTicket, CallPolicy } from '../gateway/call-policy.js';
import { ledgerProvider, routeRequest } from '../gateway/route.js';
import type { GatewayError } from '../gateway/error-format.js';
import { emptyAttribution, type Attribution, type LedgerRecord } from '../ledger/ledger-record.js';
import { USAGE_VERSION } from '../providers/spec.js';

export interface SdkAdmissionInput {
  id: string;
  /** The call's URL path (with query), as the SDK's provider client built it: `/v1/chat/completions`. */
  path: string;
  /** The request body, read for the worst-case estimate only (never stored). */
  body?: Record<string, unknown> | undefined;
  attribution?: Partial<Attribution> | undefined;
  tags?: Record<string, string> | undefined;
  trace_id?: string | null | undefined;
}

export type SdkAdmissionAnswer =
  | { admitted: true; model?: string }
  | { admitted: false; refusal: { type: string; status: number; message: string; scope?: Record<string, string>; retry_after_seconds?: number } };

export interface SdkAdmissionOptions {
  policy: CallPolicy;
  /** Where the blocked record goes (the ledger writer's group commit). */
  append(record: LedgerRecord): Promise<void>;
  /** Held reservations waiting for their record; default 100 000 (the oldest is forgotten, its hold expires). */
  maxPending?: number;
  clock?: () => number;
}

/** Thrown for a path no provider route knows: the caller's mistake, a 400. */
export class UnknownCallPathError extends Error {}

export class SdkAdmission {
  private readonly pending = new Map<string, AdmissionTicket>();
  private readonly maxPending: number;
  private readonly clock: () => number;

  constructor(private readonly o: SdkAdmissionOptions) {
    this.maxPending = o.maxPending ?? 100_000;
    this.clock = o.clock ?? Date.now;
  }

  async admit(input: SdkAdmissionInput, scope: Record<string, string> = {}): Promise<SdkAdmissionAnswer> {
    const route = routeRequest(input.path);
    if (!route) throw new UnknownCallPathError(`no provider API at path "${input.path.split('?')[0]}": send the path the provider client called, e.g. /v1/chat/completions`);
    const attribution = { ...emptyAttribution(), ...input.attribution };
    // A scoped token's scope is the call's, whatever the SDK says (as on every other intake).
    for (const [k, v] of Object.entries(scope)) if (k in attribution) (attribution as Record<string, string | null>)[k] = v;
    const tags = input.tags ?? {};
    const body = input.body;
    const model = route.urlModel ?? (typeof body?.['model'] === 'string' ? body['model'] : null);
    const stream = body?.['stream'] === true || route.urlStream;
    const bodyBytes = body ? Buffer.byteLength(JSON.stringify(body)) : 0;
    const now = this.clock();
    const who = { attribution, tags, trace_id: input.trace_id ?? null, span_id: null };
    const pending = this.o.policy.admit({ id: input.id, route, model, body, stream, bodyBytes, who, identity: { key_id: null }, at: now });
    const admission: Admission = pending instanceof Promise ? await pending : pending;
    if (admission.refusal) {
      const r = admission.refusal;
      await this.o.append(blockedRecord(input.id, now, ledgerProvider(route), route.api, model, stream, who, r));
      return { admitted: false, refusal: { type: r.type, status: r.status, message: r.message, ...(r.scope ? { scope: r.scope } : {}), ...(r.retryAfterSeconds !== undefined ? { retry_after_seconds: r.retryAfterSeconds } : {}) } };
    }
    if (admission.ticket) this.hold(input.id, admission.ticket);
    return admission.model ? { admitted: true, model: admission.model } : { admitted: true };
  }

  /** The call's record arrived: its actual cost replaces the reservation (once). */
  settle(record: LedgerRecord): void {
    const ticket = this.pending.get(record.id);
    if (!ticket) return;
    this.pending.delete(record.id);
    ticket.settle(record);
  }

  get held(): number {
    return this.pending.size;
  }

  private hold(id: string, ticket: AdmissionTicket): void {
    this.pending.get(id)?.settle(zeroRecord(id));
    this.pending.set(id, ticket);
    if (this.pending.size > this.maxPending) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
  }
}

function blockedRecord(id: string, now: number, provider: string, api: string, model: string | null, stream: boolean, who: { attribution: Attribution; tags: Record<string, string>; trace_id: string | null }, r: GatewayError): LedgerRecord {
  const at = new Date(now).toISOString();
  return {
    id,
    source: 'sdk',
    started_at: at,
    ended_at: at,
    duration_ms: 0,
    ttft_ms: null,
    provider,
    api,
    model_requested: model,
    model: null,
    status: 'blocked',
    http_status: r.status,
    stream,
    usage: null,
    usage_source: null,
    cost: null,
    priced: false,
    price_version: null,
    attribution: who.attribution,
    tags: who.tags,
    key_id: null,
    trace_id: who.trace_id,
    span_id: null,
    error: { type: r.type, message: r.message, ...(r.scope ? { scope: r.scope } : {}) },
    raw_usage: null,
    usage_version: USAGE_VERSION,
    unpriced_reason: null,
  };
}

/** What settles a replaced hold: nothing spent (the counters release the reservation). */
function zeroRecord(id: string): LedgerRecord {
  return { ...blockedRecord(id, 0, 'unknown', 'other', null, false, { attribution: emptyAttribution(), tags: {}, trace_id: null }, { status: 0, type: 'invalid_request_error', message: '' }), status: 'error' };
}
