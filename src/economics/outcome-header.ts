/**
 * `x-costrail-outcome: type=ticket_resolved; success=true` on the last call of a task, for users
 * who cannot call the outcomes API. The gateway hands the raw header and the call's ledger record
 * here after recording the call; this module parses it, builds an outcome linked to that call (and
 * to every call of its trace, when it has one) and stores it off the request path.
 *
 * Grammar: `key=value` pairs separated by `;`, keys `type` and `success` required, `id` and
 * `value_usd` optional; a value may be double-quoted. Unknown or repeated keys make the header
 * invalid (a typo such as `sucess=true` must not record a failure). An invalid header never
 * refuses the call, which has already happened: it is logged and no outcome is recorded.
 * Without `id` the outcome's id is `hdr-<call id>`, so a replayed call cannot count twice.
 */
import type { LedgerRecord } from '../ledger/ledger-record.js';
import type { OutcomeRecord } from '../store/economics-types.js';
import type { Store } from '../store/store.js';
import { describeIssues, outcomeInputSchema, toOutcomeRecord } from './outcome-input.js';

export const OUTCOME_HEADER = 'x-costrail-outcome';
const MAX_HEADER_LENGTH = 1024;
const KEYS = new Set(['type', 'success', 'id', 'value_usd']);

export interface OutcomeHeader {
  type: string;
  success: boolean;
  id?: string;
  value_usd?: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function parseOutcomeHeader(value: string): Parsed<OutcomeHeader> {
  if (value.length > MAX_HEADER_LENGTH) return { ok: false, error: `longer than ${MAX_HEADER_LENGTH} characters` };
  const fields = new Map<string, string>();
  for (const part of value.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) return { ok: false, error: `"${part.trim()}" is not key=value` };
    const key = part.slice(0, eq).trim().toLowerCase();
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    if (!KEYS.has(key)) return { ok: false, error: `unknown key "${key}" (type, success, id, value_usd)` };
    if (fields.has(key)) return { ok: false, error: `"${key}" given twice` };
    fields.set(key, v);
  }
  const type = fields.get('type');
  const success = fields.get('success')?.toLowerCase();
  if (!type) return { ok: false, error: 'type is required, e.g. type=ticket_resolved' };
  if (success === undefined) return { ok: false, error: 'success is required: success=true or success=false' };
  const bool = ['true', '1', 'yes'].includes(success) ? true : ['false', '0', 'no'].includes(success) ? false : undefined;
  if (bool === undefined) return { ok: false, error: `success must be true or false, not "${success}"` };
  const id = fields.get('id');
  const valueUsd = fields.get('value_usd');
  return { ok: true, value: { type, success: bool, ...(id ? { id } : {}), ...(valueUsd ? { value_usd: valueUsd } : {}) } };
}

/** The outcome a header on this call declares: linked to the call, its trace, and its team. */
export function outcomeFromHeader(value: string, call: LedgerRecord): Parsed<OutcomeRecord> {
  const header = parseOutcomeHeader(value);
  if (!header.ok) return header;
  const a = call.attribution;
  const input = {
    id: header.value.id ?? `hdr-${call.id}`,
    occurred_at: call.ended_at ?? call.started_at,
    type: header.value.type,
    success: header.value.success,
    call_ids: [call.id],
    ...(call.trace_id ? { trace_id: call.trace_id } : {}),
    ...(a.team ? { team: a.team } : {}),
    ...(a.feature ? { feature: a.feature } : {}),
    ...(a.customer ? { customer: a.customer } : {}),
    ...(header.value.value_usd !== undefined ? { value_usd: header.value.value_usd } : {}),
  };
  const parsed = outcomeInputSchema.safeParse(input);
  return parsed.success ? { ok: true, value: toOutcomeRecord(parsed.data) } : { ok: false, error: describeIssues(parsed.error) };
}

interface WarnLog {
  warn(obj: object, msg: string): void;
}

/**
 * Stores header outcomes without holding the response: each is written in the background and
 * `flush()` (called on shutdown, before the store closes) waits for the ones in flight.
 */
export class OutcomeHeaderRecorder {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly store: Pick<Store, 'economics'>,
    private readonly log?: WarnLog,
  ) {}

  /** The gateway's hook: the raw header value and the call's ledger record. */
  readonly record = (value: string, call: LedgerRecord): void => {
    const outcome = outcomeFromHeader(value, call);
    if (!outcome.ok) {
      this.log?.warn({ call_id: call.id, header: OUTCOME_HEADER, error: outcome.error }, 'outcome header ignored');
      return;
    }
    const p = this.store.economics.insertOutcomes([outcome.value]).catch((e: unknown) => this.log?.warn({ call_id: call.id, error: (e as Error).message }, 'outcome from header not stored'));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  };

  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
