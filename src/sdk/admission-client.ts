/**
 * The SDK side of `POST /api/admission`: before an instrumented call goes out, the Costrail server
 * decides it with the gateway's own policy (budgets, rate limits, kill switches, allow-lists). A
 * refusal throws CostrailRefusalError and the provider is never called; the server has recorded
 * the call `blocked`. A server that cannot be asked (unreachable, slow, broken) lets the call
 * through by default (`failOpen`), as a rule set to fail open does in the gateway.
 */
import { environment } from '../config/environment.js';
import type { Attribution } from '../ledger/ledger-record.js';

export type RefusalType = 'budget_exceeded' | 'rate_limited' | 'kill_switch' | 'model_not_allowed' | 'policy_unavailable';

/** A call Costrail refused before it reached the provider. */
export class CostrailRefusalError extends Error {
  override readonly name = 'CostrailRefusalError';
  constructor(
    /** Why: budget_exceeded, rate_limited, kill_switch, model_not_allowed, policy_unavailable. */
    readonly type: RefusalType | (string & {}),
    /** The HTTP status the gateway answers the same refusal with (429, 403, 503). */
    readonly status: number,
    message: string,
    /** The scope of the rule that refused. */
    readonly scope: Record<string, string> | undefined,
    readonly retryAfterSeconds: number | undefined,
    /** The ledger id of the call's `blocked` record. */
    readonly recordId: string,
  ) {
    super(message);
  }
}

export interface AdmissionClientOptions {
  /** Costrail server; default COSTRAIL_URL. */
  url?: string;
  /** Default COSTRAIL_TOKEN, else COSTRAIL_ADMIN_TOKEN. */
  token?: string;
  /** Give up on the server after this long; default 2000 ms. */
  timeoutMs?: number;
  /** When the server cannot answer: true (default) lets the call through, false refuses it (policy_unavailable). */
  failOpen?: boolean;
}

export interface AdmissionCall {
  id: string;
  path: string;
  body: Record<string, unknown> | undefined;
  attribution: Partial<Attribution>;
  trace_id: string | null;
}

type Answer = { admitted: true; model?: string } | { admitted: false; refusal: { type: string; status: number; message: string; scope?: Record<string, string>; retry_after_seconds?: number } };

export class AdmissionClient {
  private readonly url: string | undefined;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly failOpen: boolean;

  constructor(opts: AdmissionClientOptions = {}) {
    const env = environment();
    this.url = (opts.url ?? env['COSTRAIL_URL'])?.replace(/\/+$/, '');
    this.token = opts.token ?? env['COSTRAIL_TOKEN'] ?? env['COSTRAIL_ADMIN_TOKEN'];
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.failOpen = opts.failOpen ?? true;
  }

  /** Resolves with the model to serve instead (a budget downgrade) or undefined; throws CostrailRefusalError on a refusal. */
  async admit(call: AdmissionCall): Promise<string | undefined> {
    let answer: Answer;
    try {
      if (!this.url) throw new Error('no Costrail URL (COSTRAIL_URL)');
      const res = await fetch(`${this.url}/api/admission`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        body: JSON.stringify(call),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
      answer = (await res.json()) as Answer;
    } catch (e) {
      if (this.failOpen) return undefined;
      throw new CostrailRefusalError('policy_unavailable', 503, `Costrail admission could not be asked: ${(e as Error).message}`, undefined, 1, call.id);
    }
    if (answer.admitted) return answer.model;
    const r = answer.refusal;
    throw new CostrailRefusalError(r.type, r.status, r.message, r.scope, r.retry_after_seconds, call.id);
  }
}
