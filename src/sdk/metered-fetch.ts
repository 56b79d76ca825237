/**
 * The fetch an instrumented client sends through: the call goes out unchanged, and its response is
 * read by the same provider readers the gateway uses (providers/registry.ts) as the bytes pass to
 * the client, so the record equals the gateway's for the same call. Work on the caller's path is a
 * URL match and a JSON parse of the request body; reading and recording happen after the body has
 * been handed over (non-streaming) or as each chunk passes (streaming).
 *
 * Outcomes are recorded as the gateway records them: a provider error status is `error`
 * (`upstream_error`), a connection that fails is `error` with the gateway's classification
 * (errors/upstream-failure.ts), a stream cut by the provider is `error` (`upstream_stream_error`),
 * and a stream the caller abandons (cancel, break out of the loop) is `aborted` (`client_closed`)
 * with the usage the bytes seen so far carry, else estimated from the prompt and the text
 * received (usage_source `estimated`).
 *
 * With `admission`, the Costrail server decides the call first (admission-client.ts); a refusal
 * is answered in the provider's error format, as the gateway answers it, and the provider is
 * never called.
 *
 * A response carrying `x-costrail-request-id` came through the Costrail gateway, which recorded it:
 * the SDK adds no record (no double counting). Its attribution reaches that record instead: to an
 * origin known to be a Costrail gateway (the server the records go to, or any origin that has
 * answered with `x-costrail-request-id`), the context's attribution goes as `x-costrail-*`
 * headers, filling only what the caller's own headers left unset. Nothing is added to calls that
 * go straight to a provider.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { billedModel, readProviderResponse, type ProviderId } from '../providers/registry.js';
import { USAGE_VERSION, type Usage, type UsageExtraction } from '../providers/spec.js';
import { parserApi, routeRequest, ledgerProvider, type Route } from '../gateway/route.js';
import { estimateUsage } from '../gateway/usage-estimate.js';
import { upstreamFailure } from '../errors/upstream-failure.js';
import { isGatewayErrorCode, ledgerStatusOf } from '../errors/error-catalogue.js';
import { emptyAttribution, type Attribution, type LedgerRecord, type LedgerStatus } from '../ledger/ledger-record.js';
import { PRIORITIES } from '../ledger/ledger-schema.js';
import { currentAttribution, type AttributionInput } from './attribution-context.js';
import type { RecordSink } from './record-sender.js';
import { CostrailRefusalError, type AdmissionClient } from './admission-client.js';
import { dialectOf, errorBodyIn, retryHeaders, type GatewayError } from '../gateway/error-format.js';

type Fetch = typeof fetch;

export interface MeteredFetchOptions {
  sink: RecordSink;
  base: AttributionInput;
  admission?: AdmissionClient | undefined;
  /** Origins known to be Costrail gateways (learned as they answer; seeded with the records' server). */
  gatewayOrigins: Set<string>;
}

interface CallContext {
  id: string;
  route: Route;
  body: Record<string, unknown> | undefined;
  modelRequested: string | undefined;
  stream: boolean;
  startedIso: string;
  started: number;
  attribution: AttributionInput;
}

interface Outcome {
  status: LedgerStatus;
  httpStatus: number | null;
  error: LedgerRecord['error'];
  /** The response bytes the call received (read for usage), when it got that far. */
  bytes?: Uint8Array;
}

const HEADER_OF: Partial<Record<keyof Attribution, string>> = {
  team: 'x-costrail-team',
  project: 'x-costrail-project',
  feature: 'x-costrail-feature',
  customer: 'x-costrail-customer',
  user: 'x-costrail-user',
  env: 'x-costrail-env',
  agent: 'x-costrail-agent',
  prompt_version: 'x-costrail-prompt-version',
  priority: 'x-costrail-priority',
};

export function meteredFetch(inner: Fetch, o: MeteredFetchOptions): Fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const route = routeRequest(url.pathname + url.search);
    // What the gateway does not meter (model lists, token counting) is not a billed call.
    if (!route || init?.method === 'GET' || route.api === 'models' || route.api === 'count_tokens') return inner(input, init);
    let body: Record<string, unknown> | undefined;
    if (typeof init?.body === 'string') {
      try {
        const parsed: unknown = JSON.parse(init.body);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        /* not JSON: read the response by its own shape */
      }
    }
    const attribution = { ...o.base, ...currentAttribution() };
    const viaGateway = o.gatewayOrigins.has(url.origin);
    if (viaGateway) init = withAttributionHeaders(init, attribution);
    const ctx: CallContext = {
      id: randomUUID(),
      route,
      body,
      modelRequested: typeof body?.['model'] === 'string' ? body['model'] : route.urlModel,
      stream: body?.['stream'] === true || route.urlStream,
      startedIso: new Date().toISOString(),
      started: performance.now(),
      attribution,
    };
    // The gateway admits calls that pass it; only direct calls ask the server first.
    if (o.admission && !viaGateway) {
      let model: string | undefined;
      try {
        model = await o.admission.admit({ id: ctx.id, path: url.pathname + url.search, body, attribution: recordAttribution(attribution), trace_id: traceIdOf(attribution) });
      } catch (e) {
        if (e instanceof CostrailRefusalError) return refusalResponse(route, e);
        throw e;
      }
      if (model !== undefined && body && typeof body['model'] === 'string' && model !== body['model']) {
        // A budget downgrade: the provider serves the cheaper model; the record keeps model_requested.
        init = { ...init, body: JSON.stringify({ ...body, model }) };
      }
    }
    let res: Response;
    try {
      res = await inner(input, init);
    } catch (e) {
      if (init?.signal?.aborted) record(o.sink, ctx, { status: 'aborted', httpStatus: null, error: { type: 'client_closed', message: 'client closed the connection before the upstream answered' } });
      else {
        // fetch wraps the socket's error (ECONNREFUSED, timeouts) as its cause.
        const err = upstreamFailure((e as { cause?: unknown }).cause ?? e);
        record(o.sink, ctx, { status: ledgerStatusOf(err), httpStatus: err.status, error: { type: err.type, message: err.message } });
      }
      throw e;
    }
    if (res.headers.has('x-costrail-request-id')) {
      o.gatewayOrigins.add(url.origin);
      return res;
    }
    if (!res.ok) {
      record(o.sink, ctx, { status: 'error', httpStatus: res.status, error: { type: 'upstream_error', message: `upstream answered ${res.status}` } });
      return res;
    }
    if (!res.body) return res;
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let settled = false;
    const settle = (outcome: Omit<Outcome, 'bytes' | 'httpStatus'>): void => {
      if (settled) return;
      settled = true;
      record(o.sink, ctx, { ...outcome, httpStatus: res.status, bytes: Buffer.concat(chunks) });
    };
    const abandoned = { status: 'aborted', error: { type: 'client_closed', message: 'client closed the connection mid-stream' } } as const;
    // SDKs abandon a stream by aborting the request's signal (openai's `break`), not by cancelling the body.
    init?.signal?.addEventListener('abort', () => settle(abandoned), { once: true });
    const passthrough = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            settle({ status: 'ok', error: null });
            return;
          }
          chunks.push(value);
          controller.enqueue(value);
        } catch (e) {
          settle(init?.signal?.aborted ? abandoned : { status: 'error', error: { type: 'upstream_stream_error', message: (e as Error).message } });
          controller.error(e);
        }
      },
      cancel(reason) {
        settle(abandoned);
        return reader.cancel(reason);
      },
    });
    return new Response(passthrough, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

/**
 * A refusal answered as the gateway answers it: the calling API's own error format, status and
 * retry headers, so each official client raises its own typed error (openai's RateLimitError with
 * `type: "budget_exceeded"`, PermissionDeniedError with `type: "kill_switch"`…) and does not retry
 * a refusal no retry can lift. Thrown from fetch instead, the clients would retry it as a
 * connection error and hide it behind "Connection error.".
 */
function refusalResponse(route: Route, e: CostrailRefusalError): Response {
  const err: GatewayError = { status: e.status, type: isGatewayErrorCode(e.type) ? e.type : 'policy_unavailable', message: e.message, ...(e.scope ? { scope: e.scope } : {}), ...(e.retryAfterSeconds !== undefined ? { retryAfterSeconds: e.retryAfterSeconds } : {}) };
  return new Response(errorBodyIn(dialectOf(route), err), { status: err.status, headers: { 'content-type': 'application/json', 'x-costrail-request-id': e.recordId, ...retryHeaders(err) } });
}

/** The caller's headers plus the context's attribution where the caller set none (calls to a Costrail gateway only). */
function withAttributionHeaders(init: RequestInit | undefined, a: AttributionInput): RequestInit {
  const headers = new Headers(init?.headers);
  for (const [field, name] of Object.entries(HEADER_OF)) {
    const v = a[field as keyof AttributionInput];
    if (typeof v === 'string' && v !== '' && !headers.has(name)) headers.set(name, v);
  }
  if (a.trace && !headers.has('x-costrail-trace-id')) headers.set('x-costrail-trace-id', a.trace);
  return { ...init, headers };
}

/** Reading the response and building the record wait for the next turn: the caller's code runs first. */
function record(sink: RecordSink, ctx: CallContext, outcome: Outcome): void {
  setImmediate(() => void recordCall(ctx, outcome).then((r) => sink.enqueue(r), () => undefined));
}

function recordAttribution(a: AttributionInput): Attribution {
  const attribution = emptyAttribution();
  for (const k of Object.keys(attribution) as (keyof Attribution)[]) {
    const v = a[k as keyof AttributionInput];
    if (typeof v === 'string') (attribution as Record<string, string | null>)[k] = v.slice(0, 256);
  }
  // An unknown priority would make the server refuse the whole record: keep the call, drop the value.
  if (attribution.priority !== null && !(PRIORITIES as readonly string[]).includes(attribution.priority)) attribution.priority = null;
  return attribution;
}

function traceIdOf(a: AttributionInput): string | null {
  return a.trace && /^[0-9a-f]{32}$/.test(a.trace) ? a.trace : null;
}

async function recordCall(ctx: CallContext, outcome: Outcome): Promise<LedgerRecord> {
  const provider = ctx.route.provider as ProviderId;
  let extraction: UsageExtraction | null = null;
  let reportedModel: string | undefined;
  let outputText = '';
  let responseId: string | null = null;
  if (outcome.bytes) {
    try {
      const reading = readProviderResponse(provider, outcome.bytes, { api: parserApi(ctx.route), model_requested: ctx.modelRequested });
      extraction = reading.extraction ?? null;
      reportedModel = reading.model ?? extraction?.model;
      outputText = reading.output_text ?? '';
      responseId = reading.response_id ?? null;
    } catch {
      /* a cut stream may not parse: estimated below */
    }
  }
  let usage: Usage | null = extraction?.usage ?? null;
  let usageSource: LedgerRecord['usage_source'] = usage ? 'provider' : null;
  // As the gateway does: a call that got a response but no usage is estimated; one that got none consumed nothing known.
  if (!usage && outcome.bytes) {
    usage = await estimateUsage(ctx.body, outputText);
    usageSource = 'estimated';
  }
  const model = billedModel(provider, reportedModel, ctx.modelRequested);
  return {
    id: ctx.id,
    source: 'sdk',
    started_at: ctx.startedIso,
    ended_at: new Date().toISOString(),
    duration_ms: Math.round(performance.now() - ctx.started),
    ttft_ms: null,
    provider: ledgerProvider(ctx.route),
    api: ctx.route.api,
    model_requested: ctx.modelRequested ?? null,
    // The ledger import needs a model; a call that failed before any answer is filed under the one it asked for.
    model: model ?? ctx.modelRequested ?? 'unknown',
    status: outcome.status,
    http_status: outcome.httpStatus,
    stream: ctx.stream,
    usage,
    usage_source: usageSource,
    cost: null,
    priced: false,
    price_version: null,
    attribution: recordAttribution(ctx.attribution),
    tags: {},
    key_id: null,
    trace_id: traceIdOf(ctx.attribution) ?? ctx.attribution.trace ?? null,
    span_id: null,
    error: outcome.error,
    raw_usage: extraction?.raw ?? null,
    usage_version: USAGE_VERSION,
    unpriced_reason: null,
    response_id: responseId,
  };
}
