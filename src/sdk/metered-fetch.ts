/**
 * The fetch an instrumented client sends through: the call goes out unchanged, and its response is
 * read by the same provider readers the gateway uses (providers/registry.ts) as the bytes pass to
 * the client, so the record equals the gateway's for the same call. Work on the caller's path is a
 * URL match and a JSON parse of the request body; reading and recording happen after the body has
 * been handed over (non-streaming) or as each chunk passes (streaming).
 *
 * A stream the caller abandons (cancel, break out of the loop) is recorded `aborted` with the usage
 * the bytes seen so far carry, else estimated from the prompt and the text received (usage_source
 * `estimated`), as the gateway does for a client that hangs up.
 *
 * A response carrying `x-costrail-request-id` came through the Costrail gateway, which recorded it:
 * the SDK adds no record (no double counting).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { billedModel, readProviderResponse, type ProviderId } from '../providers/registry.js';
import { USAGE_VERSION, type Usage, type UsageExtraction } from '../providers/spec.js';
import { parserApi, routeRequest, ledgerProvider, type Route } from '../gateway/route.js';
import { estimateUsage } from '../gateway/usage-estimate.js';
import { emptyAttribution, type LedgerRecord } from '../ledger/ledger-record.js';
import { PRIORITIES } from '../ledger/ledger-schema.js';
import { currentAttribution, type AttributionInput } from './attribution-context.js';
import type { RecordSink } from './record-sender.js';

type Fetch = typeof fetch;

interface CallContext {
  route: Route;
  body: Record<string, unknown> | undefined;
  modelRequested: string | undefined;
  stream: boolean;
  startedIso: string;
  started: number;
  attribution: AttributionInput;
}

export function meteredFetch(inner: Fetch, sink: RecordSink, base: AttributionInput): Fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const route = routeRequest(url.pathname + url.search);
    if (!route || init?.method === 'GET') return inner(input, init);
    let body: Record<string, unknown> | undefined;
    if (typeof init?.body === 'string') {
      try {
        const parsed: unknown = JSON.parse(init.body);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        /* not JSON: read the response by its own shape */
      }
    }
    const ctx: CallContext = {
      route,
      body,
      modelRequested: typeof body?.['model'] === 'string' ? body['model'] : route.urlModel,
      stream: body?.['stream'] === true || route.urlStream,
      startedIso: new Date().toISOString(),
      started: performance.now(),
      attribution: { ...base, ...currentAttribution() },
    };
    const res = await inner(input, init);
    if (res.headers.has('x-costrail-request-id') || !res.ok || !res.body) return res;
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let settled = false;
    const settle = (aborted: boolean): void => {
      if (settled) return;
      settled = true;
      void recordCall(ctx, res.status, Buffer.concat(chunks), aborted).then((r) => r && sink.enqueue(r), () => undefined);
    };
    // SDKs abandon a stream by aborting the request's signal (openai's `break`), not by cancelling the body.
    init?.signal?.addEventListener('abort', () => settle(true), { once: true });
    const passthrough = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            controller.close();
            settle(false);
            return;
          }
          chunks.push(value);
          controller.enqueue(value);
        } catch (e) {
          settle(true);
          controller.error(e);
        }
      },
      cancel(reason) {
        settle(true);
        return reader.cancel(reason);
      },
    });
    return new Response(passthrough, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

async function recordCall(ctx: CallContext, httpStatus: number, bytes: Uint8Array, aborted: boolean): Promise<LedgerRecord | undefined> {
  const provider = ctx.route.provider as ProviderId;
  let extraction: UsageExtraction | null = null;
  let reportedModel: string | undefined;
  let outputText = '';
  try {
    const reading = readProviderResponse(provider, bytes, { api: parserApi(ctx.route), model_requested: ctx.modelRequested });
    extraction = reading.extraction ?? null;
    reportedModel = reading.model ?? extraction?.model;
    outputText = reading.output_text ?? '';
  } catch {
    /* a cut stream may not parse: estimated below */
  }
  let usage: Usage | null = extraction?.usage ?? null;
  let usageSource: LedgerRecord['usage_source'] = usage ? 'provider' : null;
  if (!usage && aborted) {
    usage = await estimateUsage(ctx.body, outputText);
    usageSource = 'estimated';
  }
  // The ledger import needs usage; a call without any is left to the gateway's rules (not recorded here).
  if (!usage) return undefined;
  const attribution = emptyAttribution();
  for (const k of Object.keys(attribution) as (keyof typeof attribution)[]) {
    const v = ctx.attribution[k as keyof AttributionInput];
    if (typeof v === 'string') (attribution as Record<string, string | null>)[k] = v.slice(0, 256);
  }
  // An unknown priority would make the server refuse the whole record: keep the call, drop the value.
  if (attribution.priority !== null && !(PRIORITIES as readonly string[]).includes(attribution.priority)) attribution.priority = null;
  return {
    id: randomUUID(),
    source: 'sdk',
    started_at: ctx.startedIso,
    ended_at: new Date().toISOString(),
    duration_ms: Math.round(performance.now() - ctx.started),
    ttft_ms: null,
    provider: ledgerProvider(ctx.route),
    api: ctx.route.api,
    model_requested: ctx.modelRequested ?? null,
    model: billedModel(provider, reportedModel, ctx.modelRequested) ?? null,
    status: aborted ? 'aborted' : 'ok',
    http_status: httpStatus,
    stream: ctx.stream,
    usage,
    usage_source: usageSource,
    cost: null,
    priced: false,
    price_version: null,
    attribution,
    tags: {},
    key_id: null,
    trace_id: ctx.attribution.trace ?? null,
    span_id: null,
    error: null,
    raw_usage: extraction?.raw ?? null,
    usage_version: USAGE_VERSION,
    unpriced_reason: null,
  };
}
