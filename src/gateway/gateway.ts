/**
 * The gateway's hot path: route → attribute → forward → meter → respond → record.
 * Only what must precede the response happens before it; pricing runs once usage is known,
 * and the record goes to the ledger sink (batched and spooled behind it).
 */
import type { BodyCapturePort } from '../capture/body-capture.js';
import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import type { LedgerCost, LedgerRecord, LedgerSource, LedgerStatus } from '../ledger/ledger-record.js';
import { COST_PARTS } from '../ledger/ledger-schema.js';
import { LedgerSpoolError } from '../ledger/ledger-spool.js';
import { priceUsage } from '../pricing/cost.js';
import type { PriceBookSource } from '../pricing/current-price-book.js';
import type { PriceBook } from '../pricing/price-book.js';
import { adapterFor, billedModel, bodyApi, parserFor, providerAdapters, UNPREFIXED_DEFAULT } from '../providers/registry.js';
import type { RequestShape } from '../providers/request-shape.js';
import { asRecord, ProviderPayloadError, USAGE_VERSION, type StreamMeter, type Usage, type UsageExtraction } from '../providers/spec.js';
import { attributeCall, type CallAttribution } from './attribution.js';
import { isGatewayError, type AdmissionTicket, type CallIdentity, type CallPolicy, type KeyAuthority } from './call-policy.js';
import { dialectOf, errorBodyIn, gatewayError, retryHeaders, type ErrorDialect, type GatewayError } from './error-format.js';
import { upstreamFailure } from '../errors/upstream-failure.js';
import { ledgerStatusOf, type GatewayErrorCode } from '../errors/error-catalogue.js';
import { endpointRefusal } from './endpoint-allowance.js';
import { originFormPath, pathForRefusal } from './request-target.js';
import { originOf, upstreamUrl } from './upstream-url.js';
import { modelRefusal } from './model-allow-list.js';
import { ProviderRouter } from './provider-router.js';
import { dialectOfPath, ledgerProvider, looksLikeModelCall, makeRoute, parserApi, withRoute, type Route } from './route.js';
import { UsageChunkFilter } from './usage-chunk-filter.js';
import { estimateUsage } from './usage-estimate.js';
import type { UpstreamMap } from './upstreams.js';
import type { ShapeTranslator } from '../translation/translators.js';
import type { RoutingDecision, RoutingTable } from '../routing/routing-table.js';
import type { CompiledTarget, RoutableApi, TargetPlan } from '../routing/routing-targets.js';
import { callOnTarget, presentCredentialTo, type TargetedCall } from '../routing/target-call.js';
import { backoffMs, DEFAULT_RETRY, retryAfterMs } from '../routing/retry-policy.js';
import type { CacheFill, ResponseCache } from './response-cache/response-cache.js';
import type { CachedResponse } from './response-cache/cached-response.js';
import { cachedExtraction, writeCachedAnswer } from './response-cache/cache-replay.js';

export interface LedgerSink {
  /** Takes the call's record; durable on return, or throws (LedgerSpoolError). */
  write(record: LedgerRecord): void;
  /**
   * Group commit, used instead of write() when present: the record is durable once the promise
   * settles, and the gateway finishes the response only then; a rejection (LedgerSpoolError) is
   * handled as write()'s throw would be.
   */
  append?(record: LedgerRecord): Promise<void>;
  /** False while a record could not be made durable (spool disk full): calls are refused before forwarding. */
  writable?(): boolean;
}

export interface GatewayOptions {
  upstreams: UpstreamMap;
  /** Read per call, so a reloaded book (new override) prices the next call. A fixed `PriceBook` works too. */
  book: PriceBookSource;
  sink: LedgerSink;
  /** Upper bound on waiting for upstream headers and between body chunks. */
  upstreamTimeoutMs?: number;
  maxRequestBytes?: number;
  /** Who is calling; default: pass-through keys (only a hash of the client's key is kept). */
  keys?: KeyAuthority;
  /** Budgets, rate limits, kill switches; default: admit everything. */
  policy?: CallPolicy;
  /**
   * Told, per forwarded call, how long Costrail held it before forwarding (routing, keys, policy,
   * body handling) and how long the provider took to answer with headers. Metrics only.
   */
  onTimings?: (provider: string, overheadMs: number, upstreamHeadersMs: number) => void;
  /** Provider prefixes, named providers, model routes, Bedrock signing; default: built-in prefixes over `upstreams`. */
  router?: ProviderRouter;
  /**
   * Endpoints beyond the metered ones that held credentials may reach, for every key
   * (`keys.allowed_endpoints` in the config; patterns as in endpoint-allowance.ts).
   */
  allowedEndpoints?: readonly string[];
  /** What records say produced them; `simulator` for the demo's traffic so it is never mistaken for real spend. */
  source?: LedgerSource;
  /** Told the raw `x-costrail-outcome` header of a call, with its record, after the call is recorded (src/economics/outcome-header.ts). */
  onOutcomeHeader?: (value: string, record: LedgerRecord) => void;
  /** Routing rules, fallbacks and retries in force (read per call, so `PUT /api/routing/rules` swaps them); default: none. */
  routing?: () => RoutingTable;
  /** The response cache (config `cache:`); default: none. */
  responseCache?: ResponseCache;
  /** Body capture for replay evaluation (src/capture): off unless the operator turned it on. */
  capture?: BodyCapturePort;
}

/** Request headers that describe this hop, or are Costrail's own, never go upstream. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'proxy-connection', 'te', 'trailer', 'accept-encoding']);
const NOT_RETURNED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

interface CallState {
  id: string;
  started: number;
  startedIso: string;
  route: Route;
  body: Record<string, unknown> | undefined;
  modelRequested: string | null;
  stream: boolean;
  who: CallAttribution;
  keyId: string | null;
  ttftMs: number | null;
  ticket: AdmissionTicket | undefined;
  /** The book in force when the call arrived: the deployment mapping and the price come from the same one, even if an override reloads it mid-call. */
  book: PriceBook;
  /** Set by record() when the sink commits in groups: the response finishes only after it settles. */
  durable?: Promise<void> | undefined;
  outcomeHeader: string | undefined;
  /** Hashes and counts of the request (never text), read once the request is on its way upstream. */
  shape?: RequestShape | undefined;
  /** The model sent upstream when a routing rule or fallback chose another than the client's (the record keeps model_requested). */
  modelSent?: string | undefined;
  /** A call sent in another API shape (a rule or fallback across providers): responses go back through it. */
  translator?: ShapeTranslator | undefined;
  /** On a retry or fallback: the id of the call's first attempt (the record's `attempt_of`). */
  attemptOf?: string | undefined;
  /** Collects the answer of a call the response cache missed, to store it once the call is recorded. */
  cacheFill?: CacheFill | undefined;
  /** The client's path when this call's bodies are to be captured (capture config), else undefined. */
  capturePath: string | undefined;
}

/** One attempt of a call: its own record (call), target and body. */
interface AttemptState {
  call: CallState;
  route: Route;
  raw: Buffer;
  body: Record<string, unknown> | undefined;
  identity: CallIdentity;
  translator: ShapeTranslator | undefined;
  /** When the attempt's request left (timings). */
  forwardedAt?: number;
  /** The route the client called, when the attempt goes elsewhere in another shape (credential conversion). */
  clientRoute?: Route;
}

type AttemptResult =
  | { kind: 'response'; upstream: Dispatcher.ResponseData; injected: boolean }
  /** Refused before forwarding (policy, credential, origin): recorded, not answered yet. */
  | { kind: 'refused'; err: GatewayError }
  /** No response (connection refused, timeout): recorded, not answered yet. */
  | { kind: 'failed'; err: GatewayError }
  /** The client left while the upstream worked: recorded as aborted. */
  | { kind: 'gone' }
  /** The response cache holds the answer: the loop replays it (no upstream call, no further attempt). */
  | { kind: 'cached'; entry: CachedResponse; injected: boolean };

const PASS_THROUGH: KeyAuthority = { identify: (req) => ({ key_id: passThroughKeyId(req) }), keyIdOf: (req) => passThroughKeyId(req) };

/** Stands in for a route on calls refused before routing: recorded under provider `unknown`. */
const UNROUTED: Route = makeRoute({ provider: UNPREFIXED_DEFAULT.id, name: 'unknown', api: 'other', upstreamPath: '', urlStream: false });

const LEDGER_UNAVAILABLE: GatewayError = gatewayError('ledger_unavailable', 'Costrail cannot record calls right now (its ledger spool cannot be written); retry shortly', { retryAfterSeconds: 1 });

export class Gateway {
  private readonly agent: Agent;
  private readonly timeout: number;
  private readonly maxBytes: number;
  private readonly keys: KeyAuthority;
  private readonly router: ProviderRouter;

  constructor(private readonly opts: GatewayOptions) {
    this.timeout = opts.upstreamTimeoutMs ?? 600_000;
    this.maxBytes = opts.maxRequestBytes ?? 32 * 1024 * 1024;
    this.keys = opts.keys ?? PASS_THROUGH;
    this.router = opts.router ?? new ProviderRouter({ upstreams: opts.upstreams });
    this.agent = new Agent({ keepAliveTimeout: 30_000, connections: 512, headersTimeout: this.timeout, bodyTimeout: this.timeout });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.handleCall(req, res);
    } catch (e) {
      // The spool failed while this call was recorded (the disk filled up just now): answer in the
      // caller's own format; the next calls are refused before forwarding (sink.writable()).
      if (!(e instanceof LedgerSpoolError) || res.headersSent) throw e;
      const path = originFormPath(req.url ?? '/');
      this.refuse(res, path === undefined ? undefined : this.router.route(path), LEDGER_UNAVAILABLE);
    }
  }

  private async handleCall(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestTarget = req.url ?? '/';
    // Routing reads the parsed path only; anything but a path (`munity://x/…`, `host:443`, `*`) is refused.
    const path = originFormPath(requestTarget);
    if (path === undefined) {
      const shown = pathForRefusal(requestTarget);
      return this.refuseUnrouted(req, res, shown, gatewayError('invalid_request_target', 'the request target must be a path (origin-form, /…); absolute, authority and asterisk forms are refused'));
    }
    let route = this.router.route(path);
    if (!route) {
      const prefix = /^\/([^/?]+)\//.exec(path)?.[1];
      const message = prefix !== undefined && prefix !== 'v1' && prefix !== 'v1beta' && looksLikeModelCall(path) ? `unknown provider prefix "/${prefix}/": no such provider is built in or named in the config` : `no gateway route for ${path.split('?')[0]}`;
      return this.refuseUnrouted(req, res, path, gatewayError('not_found', message));
    }
    const started = performance.now();
    const id = randomUUID();
    res.setHeader('x-costrail-request-id', id);

    let identified = this.keys.identify(req, route);
    let identity: CallIdentity = isGatewayError(identified) ? { key_id: null } : identified;
    if (identity.upstreamPath !== undefined) route = withRoute(route, { upstreamPath: identity.upstreamPath });
    let raw: Buffer;
    try {
      raw = await readBody(req, this.maxBytes);
    } catch (e) {
      return this.refuse(res, route, gatewayError('invalid_request_error', (e as Error).message, { status: 413 }), this.callState(id, started, route, undefined, req, identity));
    }
    let body: Record<string, unknown> | undefined;
    if (raw.length > 0 && req.method === 'POST') {
      try {
        const parsed: unknown = JSON.parse(raw.toString('utf8'));
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        const call = this.callState(id, started, route, undefined, req, identity);
        return this.refuse(res, route, gatewayError('invalid_request_error', 'request body is not valid JSON'), call);
      }
    }
    const clientRoute = route;
    const table = this.opts.routing?.();
    const moved = route.byModel ? this.router.byModel(route, body?.['model']) : undefined;
    if (moved) {
      // A config route sent this model elsewhere: credentials are decided for the provider it goes to.
      route = moved;
      identified = this.keys.identify(req, route);
      identity = isGatewayError(identified) ? { key_id: null } : identified;
      if (identity.upstreamPath !== undefined) route = withRoute(route, { upstreamPath: identity.upstreamPath });
    }
    let call = this.callState(id, started, route, body, req, identity);
    // Routing rules (src/routing): the first that matches picks the target; it replaces a `routes:` move.
    const decision = table?.hasRules ? table.decide({ route: clientRoute, model: call.modelRequested, attribution: call.who.attribution, traceId: call.who.trace_id, requestId: id, now: Date.now() }) : undefined;
    if (decision?.plan) {
      let targeted: TargetedCall;
      try {
        targeted = callOnTarget(decision.plan, clientRoute, body, call.stream);
      } catch (e) {
        return this.refuse(res, route, gatewayError('invalid_request_error', `routing rule "${decision.ruleId}" sends this call to ${decision.target?.label}, which cannot express it: ${(e as Error).message}`), call);
      }
      route = targeted.route;
      body = targeted.body;
      raw = Buffer.from(JSON.stringify(body ?? {}));
      identified = this.keys.identify(req, route);
      identity = isGatewayError(identified) ? { key_id: null } : identified;
      if (identity.upstreamPath !== undefined) route = withRoute(route, { upstreamPath: identity.upstreamPath });
      call = { ...call, route, keyId: identity.key_id, modelSent: decision.plan.model, translator: targeted.translator, who: routedWho(call.who, decision) };
    }
    if (this.opts.sink.writable?.() === false) return this.refuseUnrecordable(res, route, call);
    if (isGatewayError(identified)) return this.refuse(res, route, identified, call);
    if (call.who.conflict) {
      const c = call.who.conflict;
      return this.refuse(res, route, gatewayError('attribution_conflict', `this key is bound to ${c.field} "${c.bound}"; the request asked for ${c.field} "${c.requested}"`, { scope: { ...(identity.key_id ? { key_id: identity.key_id } : {}), [c.field]: c.bound } }), call);
    }
    const notAllowed = modelRefusal(identity.allowedModels, route.provider, call.modelRequested, identity.key_id);
    if (notAllowed) return this.refuse(res, route, notAllowed, call);

    const abort = new ClientGone();
    // `abort.aborted` is "the client hung up" from here on: the upstream request and any back-off stop with it.
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });

    // Attempts: the first target, its retries, then the fallback chain (each attempt its own record).
    const retry = table?.retry ?? DEFAULT_RETRY;
    const firstId = id;
    let attempt: AttemptState = { call, route, raw, body, identity, translator: call.translator, clientRoute };
    let attempts = 0;
    let onTarget = 0;
    let waited = 0;
    let chain: readonly CompiledTarget[] | undefined;
    let nextInChain = 0;
    let upstream: Dispatcher.ResponseData;
    let injected: boolean;
    for (;;) {
      attempts++;
      onTarget++;
      const r = await this.forwardAttempt(req, res, path, attempt, abort);
      if (r.kind === 'gone') return attempt.call.durable;
      if (r.kind === 'cached') {
        res.setHeader('x-costrail-request-id', attempt.call.id);
        return this.answerFromCache(res, attempt.call, r.entry, r.injected);
      }
      const status = r.kind === 'response' ? r.upstream.statusCode : 0;
      const retryable = r.kind === 'failed' || (r.kind === 'response' && retry.statuses.has(status));
      let wait: number | undefined;
      if (retryable && onTarget < retry.maxAttempts) wait = backoffMs(retry, onTarget, r.kind === 'response' ? retryAfterMs(r.upstream.headers) : undefined, waited);
      let next: AttemptState | undefined;
      if (wait === undefined && table && (retryable || (r.kind === 'refused' && attempts > 1))) {
        chain ??= table.fallbacksFor(decision, ledgerProvider(attempt.route), attempt.call.modelSent ?? attempt.call.modelRequested);
        while (next === undefined && nextInChain < chain.length) {
          const plan = (chain[nextInChain++] as CompiledTarget).plans[clientRoute.api as RoutableApi];
          if (plan) next = this.fallbackAttempt(req, plan, clientRoute, call, firstId);
        }
      }
      if (wait === undefined && next === undefined) {
        // The final attempt: its answer is the client's.
        if (table && !table.idle) {
          res.setHeader('x-costrail-attempts', String(attempts));
          res.setHeader('x-costrail-provider', ledgerProvider(attempt.route));
        }
        res.setHeader('x-costrail-request-id', attempt.call.id);
        if (r.kind === 'refused' || r.kind === 'failed') {
          if (attempt.call.durable) await attempt.call.durable;
          return this.answer(res, r.err, dialectOf(clientRoute));
        }
        upstream = r.upstream;
        injected = r.injected;
        break;
      }
      if (r.kind === 'response') {
        // A failed answer the client will not see: drained (the connection is reused) and recorded, never its text.
        await r.upstream.body.dump().catch(() => undefined);
        attempt.call.outcomeHeader = undefined;
        this.record(attempt.call, 'error', status, null, recordedError('upstream_error', `upstream answered ${status}; ${wait !== undefined ? 'retried' : `fell back to ${ledgerProvider(next?.route ?? attempt.route)}`}`));
      }
      if (wait !== undefined) {
        waited += wait;
        await delay(wait);
        if (abort.aborted) return;
        next = { ...attempt, call: this.nextCall(attempt.call, attempt.route, firstId) };
      } else onTarget = 0;
      attempt = next as AttemptState;
    }
    call = attempt.call;
    route = attempt.route;

    const forwardedAt = attempt.forwardedAt ?? call.started;
    this.opts.onTimings?.(route.provider, forwardedAt - call.started, performance.now() - forwardedAt);
    const ctype = String(upstream.headers['content-type'] ?? '');
    const isStream = upstream.statusCode < 300 && (ctype.includes('text/event-stream') || ctype.includes('vnd.amazon.eventstream') || (call.stream && route.api === 'generateContent'));
    for (const [k, v] of Object.entries(upstream.headers)) if (v !== undefined && !NOT_RETURNED.has(k)) res.setHeader(k, v);

    if (!isStream) return this.relayBody(call, upstream, res);

    res.writeHead(upstream.statusCode);
    // Headers go out with the first chunk (one socket write, as a bare proxy makes) when that chunk
    // came in with the upstream's headers; a provider that is slow to its first token still gets
    // its headers to the client at once.
    if ((upstream.body as unknown as { readableLength: number }).readableLength === 0) res.flushHeaders();
    const meter: StreamMeter = parserFor(route.provider).createStreamMeter({ api: parserApi(route), model_requested: (call.modelSent ?? call.modelRequested) ?? undefined });
    // Across shapes the translator rewrites the stream (it reads the usage chunk itself); else the filter hides the one we asked for.
    const translated = call.translator?.stream(call.modelRequested ?? '', call.body);
    const filter = injected && !translated ? new UsageChunkFilter() : undefined;
    let streamError: string | undefined;
    try {
      for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
        if (call.ttftMs === null) call.ttftMs = Math.round(performance.now() - call.started);
        meter.push(chunk);
        call.cacheFill?.push(chunk);
        const out = translated ? translated.push(chunk) : filter ? filter.push(chunk) : chunk;
        if (out.length > 0 && !abort.aborted) res.write(out);
      }
      const tail = translated ? translated.end() : filter?.end();
      if (tail && tail.length > 0 && !abort.aborted) res.write(tail);
    } catch (e) {
      streamError = (e as Error).message;
    }
    const outcome = meter.end();
    // Usage out of bounds (negative, string, absurd) is an error like a malformed body: estimated, never priced.
    const refused = outcome.usage_problem;
    const status: LedgerStatus = abort.aborted ? 'aborted' : streamError || outcome.upstream_error || refused ? 'error' : 'ok';
    let usage: Usage | null = refused ? null : (outcome.extraction?.usage ?? null);
    let usageSource: 'provider' | 'estimated' | null = usage ? 'provider' : null;
    if (!usage) {
      usage = await estimateUsage(call.body, outcome.output_text);
      usageSource = 'estimated';
    }
    const model = this.billed(call, outcome.extraction?.model ?? outcome.model);
    const error = streamError
      ? recordedError('upstream_stream_error', streamError)
      : abort.aborted
        ? recordedError('client_closed', 'client closed the connection mid-stream')
        : outcome.upstream_error
          ? recordedError('upstream_stream_exception', `the provider ended the stream with ${outcome.upstream_error}`)
          : refused
            ? recordedError('upstream_malformed', refused)
            : null;
    // The record is spooled before the client sees the end of the stream: a crash after the
    // client has its whole response cannot lose the record.
    const record = this.record(call, status, upstream.statusCode, { usage, usageSource, extraction: refused ? null : outcome.extraction, model, refused, finishReason: outcome.finish_reason, responseId: outcome.response_id }, error);
    call.cacheFill?.complete(record, outcome.extraction ?? null, ctype);
    if (call.capturePath !== undefined && !call.translator) this.opts.capture?.take({ record, request: call.body, path: call.capturePath, responseText: outcome.output_text });
    if (call.durable) await call.durable;
    // An upstream that died mid-stream must look cut to the client too, as it would without
    // Costrail: ending the chunked response normally would pass a partial answer off as complete.
    if (streamError) res.destroy();
    else if (!abort.aborted) res.end();
  }

  /**
   * One attempt on one target: admission (budgets and kill switches for the target actually used),
   * the upstream URL and the origin guard, credentials, signing, the request. Refusals and
   * connection failures are recorded here and answered (or retried) by the caller.
   */
  private async forwardAttempt(req: IncomingMessage, res: ServerResponse, path: string, a: AttemptState, abort: ClientGone): Promise<AttemptResult> {
    const call = a.call;
    let route = a.route;
    let raw = a.raw;
    const body = a.body;
    const identity = a.identity;
    // A credential Costrail holds (a virtual key's, a named provider's, AWS's) reaches only what is metered or allowed.
    if (identity.upstreamAuth !== undefined || route.sign !== undefined) {
      const method = req.method ?? 'GET';
      const q = path.indexOf('?');
      const denied = endpointRefusal(route, method, q < 0 ? path : path.slice(0, q), { key: identity.allowedEndpoints, config: this.opts.allowedEndpoints }, identity.key_id);
      if (denied) return this.refusedAttempt(call, denied);
    }

    if (this.opts.policy) {
      const pending = this.opts.policy.admit({ id: call.id, route, model: call.modelRequested, body, stream: call.stream, bodyBytes: raw.length, who: call.who, identity, at: Date.now() });
      const admission = pending instanceof Promise ? await pending : pending;
      if (admission.refusal) return this.refusedAttempt(call, admission.refusal);
      call.ticket = admission.ticket;
      if (admission.model && admission.model !== call.modelRequested && !a.translator) {
        // A budget downgrade: the provider serves the cheaper model; the record keeps model_requested.
        if (body && typeof body['model'] === 'string') {
          body['model'] = admission.model;
          raw = Buffer.from(JSON.stringify(body));
        } else if (route.urlModel) {
          route = withRoute(route, { upstreamPath: route.upstreamPath.replace(route.urlModel, admission.model) });
          call.route = route;
          a.route = route;
        }
      }
    }

    const base = route.base ?? this.opts.upstreams[route.provider];
    if (!base) {
      const name = ledgerProvider(route);
      return this.refusedAttempt(call, gatewayError('upstream_not_configured', `no upstream configured for provider "${name}" (set COSTRAIL_${name.toUpperCase().replace(/-/g, '_')}_BASE_URL)`));
    }

    // OpenAI-shaped chat streams report usage only when asked; ask, and hide the extra chunk if the client had not.
    let injected = false;
    const askUsage = adapterFor(route.provider).requestStreamUsage;
    if (body && route.api === 'chat.completions' && call.stream && askUsage) {
      const sent = a.translator ? body : { ...body };
      injected = askUsage(sent);
      if (injected) raw = Buffer.from(JSON.stringify(sent));
    }

    // Built with the URL API from the configured base; then, as a last guard independent of routing,
    // the origin must be the one configured for this provider before any credential is attached.
    let target: URL;
    try {
      target = upstreamUrl(base, route.upstreamPath);
    } catch {
      return this.refusedAttempt(call, gatewayError('upstream_not_configured', `the base URL configured for provider "${ledgerProvider(route)}" is not a URL`));
    }
    const expected = this.router.configuredOrigin(ledgerProvider(route)) ?? originOf(this.opts.upstreams[route.provider]);
    if (expected === undefined || target.origin !== expected) {
      return this.refusedAttempt(call, gatewayError('upstream_origin_mismatch', `refused: the call would go to ${target.origin}, not the origin configured for provider "${ledgerProvider(route)}"`));
    }
    const url = target.href;

    // The response cache, consulted last before the call would go upstream: a hit is answered here.
    const cache = this.opts.responseCache;
    if (cache?.covers(route.api) && !a.translator) {
      call.shape = requestShapeOf(call); // the ledger's request_hash is the cache key's core: computed once, here
      const pending = cache.consult({ headers: req.headers, provider: ledgerProvider(route), api: route.api, upstreamPath: route.upstreamPath, stream: call.stream, body, requestHash: call.shape?.request_hash, keyId: identity.key_id, team: call.who.attribution.team, feature: call.who.attribution.feature });
      const looked = pending instanceof Promise ? await pending : pending;
      if ('error' in looked) return this.refusedAttempt(call, gatewayError('invalid_request_error', looked.error));
      if (looked.state === 'hit') return { kind: 'cached', entry: looked.entry, injected };
      res.setHeader('x-costrail-cache', looked.state);
      if (looked.state !== 'bypass') call.cacheFill = looked.fill;
    }

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || NOT_FORWARDED.has(k) || k.startsWith('x-costrail-')) continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    if (identity.stripHeaders) for (const h of identity.stripHeaders) delete headers[h];
    if (a.translator && !identity.upstreamAuth && !route.sign) presentCredentialTo(headers, a.clientRoute ?? route, route);
    if (identity.upstreamAuth) Object.assign(headers, identity.upstreamAuth);
    headers['accept-encoding'] = 'identity'; // usage is read from the bytes as they pass

    if (route.sign) {
      const signing = route.sign({ method: req.method ?? 'POST', url, headers, body: raw });
      const denied = signing instanceof Promise ? await signing : signing;
      if (denied) return this.refusedAttempt(call, denied);
    }

    a.forwardedAt = performance.now();
    try {
      // Straight to the agent with the origin and path already parsed: `request(url)` would parse the URL again.
      const pending = this.agent.request({
        origin: target.origin,
        path: target.pathname + target.search,
        method: (req.method ?? 'POST') as 'POST',
        headers,
        body: raw.length > 0 ? raw : undefined,
        signal: abort,
      });
      // Read while the upstream works on the answer: hashing costs the caller no latency then.
      call.shape ??= requestShapeOf(call);
      return { kind: 'response', upstream: await pending, injected };
    } catch (e) {
      if (abort.aborted) {
        this.record(call, 'aborted', null, null, recordedError('client_closed', 'client closed the connection before the upstream answered'));
        return { kind: 'gone' };
      }
      const err = upstreamFailure(e);
      this.record(call, ledgerStatusOf(err), err.status, null, { type: err.type, message: err.message });
      return { kind: 'failed', err };
    }
  }

  /** A refusal of one attempt (policy, credential, origin): recorded now, answered by the attempt loop if it is the last. */
  private refusedAttempt(call: CallState, err: GatewayError): AttemptResult {
    this.record(call, ledgerStatusOf(err), err.status, null, { type: err.type, message: err.message, ...(err.scope ? { scope: err.scope } : {}) });
    return { kind: 'refused', err };
  }

  /** The record of a further attempt: a new id linked to the first attempt's, same attribution. */
  private nextCall(prev: CallState, route: Route, firstId: string): CallState {
    const started = performance.now();
    return { ...prev, id: randomUUID(), started, startedIso: new Date().toISOString(), route, ttftMs: null, ticket: undefined, durable: undefined, shape: undefined, cacheFill: undefined, attemptOf: firstId };
  }

  /** An attempt on a fallback target: the client's call moved there, with credentials decided for its provider. */
  private fallbackAttempt(req: IncomingMessage, plan: TargetPlan, clientRoute: Route, first: CallState, firstId: string): AttemptState | undefined {
    let targeted: TargetedCall;
    try {
      targeted = callOnTarget(plan, clientRoute, first.body, first.stream);
    } catch {
      return undefined; // the target cannot express this request: the chain moves on
    }
    let route = targeted.route;
    const identified = this.keys.identify(req, route);
    if (isGatewayError(identified)) return undefined;
    if (identified.upstreamPath !== undefined) route = withRoute(route, { upstreamPath: identified.upstreamPath });
    const call = { ...this.nextCall(first, route, firstId), keyId: identified.key_id, modelSent: plan.model, translator: targeted.translator };
    return { call, route, raw: Buffer.from(JSON.stringify(targeted.body ?? {})), body: targeted.body, identity: identified, translator: targeted.translator, clientRoute };
  }

  private async relayBody(call: CallState, upstream: Dispatcher.ResponseData, res: ServerResponse): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = Buffer.from(await upstream.body.arrayBuffer());
    } catch (e) {
      return this.refuse(res, call.route, upstreamFailure(e), call);
    }
    call.ttftMs = Math.round(performance.now() - call.started);
    const ok = upstream.statusCode < 300;
    let extraction: UsageExtraction | null = null;
    let parseProblem: string | undefined;
    let refused: string | undefined;
    let finishReason: string | undefined;
    let responseId: string | undefined;
    if (ok && call.route.api !== 'models' && call.route.api !== 'count_tokens') {
      try {
        const json: unknown = JSON.parse(bytes.toString('utf8'));
        // A prefixed path the router does not name (api "other") is read by the body's own shape.
        const api = call.route.api === 'other' ? bodyApi(call.route.provider, json) : parserApi(call.route);
        extraction = parserFor(call.route.provider).fromBody(json, { api, model_requested: (call.modelSent ?? call.modelRequested) ?? undefined });
        if (call.translator && asRecord(json)) bytes = Buffer.from(JSON.stringify(call.translator.response(json as Record<string, unknown>, call.modelRequested ?? '', call.body)));
        const rec = asRecord(json);
        finishReason = rec ? adapterFor(call.route.provider).finishReason?.(rec, api) : undefined;
        responseId = rec ? adapterFor(call.route.provider).responseId?.(rec, api) : undefined;
      } catch (e) {
        parseProblem = e instanceof ProviderPayloadError ? e.message : `upstream body is not valid JSON (${(e as Error).message})`;
        if (e instanceof ProviderPayloadError) refused = e.message;
      }
    }
    const metered = call.route.api !== 'models' && call.route.api !== 'count_tokens';
    let usage: Usage | null = extraction?.usage ?? null;
    let usageSource: 'provider' | 'estimated' | null = usage ? 'provider' : null;
    if (!usage && ok && metered) {
      usage = await estimateUsage(call.body, '');
      usageSource = 'estimated';
    }
    const model = this.billed(call, extraction?.model);
    const status: LedgerStatus = ok && !parseProblem ? 'ok' : 'error';
    if (!ok && call.translator) bytes = Buffer.from(call.translator.error(upstream.statusCode, bytes));
    const record = this.record(call, status, upstream.statusCode, usage ? { usage, usageSource, extraction, model, refused, finishReason, responseId } : null, parseProblem ? recordedError('upstream_malformed', parseProblem) : ok ? null : recordedError('upstream_error', `upstream answered ${upstream.statusCode}`));
    if (record.cost) res.setHeader('x-costrail-cost', record.cost.total);
    call.cacheFill?.complete(record, extraction, String(upstream.headers['content-type'] ?? 'application/json'), bytes);
    if (call.capturePath !== undefined && !call.translator) this.opts.capture?.take({ record, request: call.body, path: call.capturePath, responseBody: bytes });
    if (call.durable) await call.durable;
    res.writeHead(upstream.statusCode);
    res.end(bytes);
  }

  /**
   * A response-cache hit: one `cached` record (cost 0, `saved` = the stored usage priced under the
   * current book), durable before the client gets the stored answer.
   */
  private async answerFromCache(res: ServerResponse, call: CallState, entry: CachedResponse, dropUsageChunk: boolean): Promise<void> {
    call.ttftMs = Math.round(performance.now() - call.started);
    const p = entry.pricing;
    const record = this.record(call, 'cached', entry.status, { usage: p.usage, usageSource: 'provider', extraction: cachedExtraction(p), model: p.model, finishReason: entry.finishReason ?? undefined }, null);
    if (call.durable) await call.durable;
    writeCachedAnswer(res, entry, { stream: call.stream, dropUsageChunk, saved: record.saved });
  }

  /** An operator's deployment mapping (Azure deployment -> catalog model) wins: it says what the deployment costs. */
  private billed(call: CallState, reported: string | undefined): string | undefined {
    const requested = (call.modelSent ?? call.modelRequested) ?? undefined;
    const mapped = requested === undefined ? undefined : call.book.deploymentModel(ledgerProvider(call.route), requested);
    return mapped ?? billedModel(call.route.provider, reported, requested);
  }

  private callState(id: string, started: number, route: Route, body: Record<string, unknown> | undefined, req: IncomingMessage, identity: CallIdentity): CallState {
    // The URL's model wins: Azure serves the deployment the path names, whatever the body says.
    const model = route.urlModel ?? (typeof body?.['model'] === 'string' ? (body['model'] as string) : null);
    const who = attributeCall(req.headers, body, identity.defaults);
    const capture = this.opts.capture;
    return {
      id,
      started,
      startedIso: new Date(Date.now() - (performance.now() - started)).toISOString(),
      route,
      body,
      modelRequested: model,
      stream: body?.['stream'] === true || route.urlStream,
      who,
      keyId: identity.key_id,
      ttftMs: null,
      ticket: undefined,
      book: this.opts.book.current(),
      outcomeHeader: typeof req.headers['x-costrail-outcome'] === 'string' ? req.headers['x-costrail-outcome'] : undefined,
      capturePath: body !== undefined && capture?.wants(identity.key_id, who.attribution.feature ?? null, id) ? (req.url ?? '') : undefined,
    };
  }

  /** Answers `err` in the caller's format and records the call (if any) with the catalogue's ledger status for it. */
  private refuse(res: ServerResponse, route: Route | undefined, err: GatewayError, call?: CallState, status: LedgerStatus = ledgerStatusOf(err), dialect: ErrorDialect = route ? dialectOf(route) : 'openai'): void | Promise<void> {
    if (call) this.record(call, status, err.status, null, { type: err.type, message: err.message, ...(err.scope ? { scope: err.scope } : {}) });
    if (call?.durable) return call.durable.then(() => this.answer(res, err, dialect));
    this.answer(res, err, dialect);
  }

  private answer(res: ServerResponse, err: GatewayError, dialect: ErrorDialect): void {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    const text = errorBodyIn(dialect, err);
    res.writeHead(err.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...retryHeaders(err) });
    res.end(text);
  }

  /**
   * A call refused before it has a route: answered in the dialect its path suggests, recorded
   * (provider `unknown`, nothing forwarded) when the path names a model API, so a mistyped
   * prefix or a forged request line shows in the ledger; other noise (`/favicon.ico`) is not a call.
   */
  private refuseUnrouted(req: IncomingMessage, res: ServerResponse, path: string, err: GatewayError): void | Promise<void> {
    const dialect = dialectOfPath(path);
    if (!looksLikeModelCall(path)) return this.refuse(res, undefined, err, undefined, 'blocked', dialect);
    const id = randomUUID();
    res.setHeader('x-costrail-request-id', id);
    const call = this.callState(id, performance.now(), UNROUTED, undefined, req, { key_id: this.keys.keyIdOf?.(req) ?? null });
    return this.refuse(res, undefined, err, call, 'blocked', dialect);
  }

  /**
   * The ledger cannot take a record: a forwarded call would be paid for and never recorded, so
   * nothing is forwarded. The refusal itself is recorded if the spool has come back meanwhile.
   */
  private async refuseUnrecordable(res: ServerResponse, route: Route, call: CallState): Promise<void> {
    const err = LEDGER_UNAVAILABLE;
    try {
      this.record(call, 'blocked', err.status, null, { type: err.type, message: err.message });
      if (call.durable) await call.durable;
    } catch {
      /* the spool is what failed; the caller still gets its answer */
    }
    await this.refuse(res, route, err);
  }

  private record(
    call: CallState,
    status: LedgerStatus,
    httpStatus: number | null,
    metered: { usage: Usage; usageSource: 'provider' | 'estimated' | null; extraction: UsageExtraction | null; model: string | undefined; refused?: string; finishReason?: string | undefined; responseId?: string | undefined } | null,
    error: LedgerRecord['error'],
  ): LedgerRecord {
    const ended = performance.now();
    let cost: LedgerRecord['cost'] = null;
    let priced = false;
    let priceVersion: string | null = null;
    let unpriced: string | null = null;
    let aliasOf: string | undefined;
    if (metered?.refused) unpriced = `provider usage refused: ${metered.refused}`;
    else if (metered && metered.model) {
      const p = priceUsage(call.book, {
        provider: ledgerProvider(call.route),
        model: metered.model,
        usage: metered.usage,
        at: new Date(call.startedIso),
        service_tier: metered.extraction?.service_tier,
        tier_basis_tokens: metered.extraction?.tier_basis_tokens,
        traffic_type: metered.extraction?.traffic_type,
        inference_geo: metered.extraction?.inference_geo,
        provider_cost_usd: metered.extraction?.provider_cost_usd,
      });
      cost = p.cost;
      priced = p.priced;
      priceVersion = p.price_version;
      unpriced = p.reason ?? null;
      aliasOf = p.resolved_model;
    } else if (metered) unpriced = 'model unknown';
    // A cache hit paid nothing: what its usage would have cost is what it saved.
    const cached = status === 'cached';
    const saved = cached ? (cost?.total ?? null) : undefined;
    if (cached) {
      // Costrail paid nothing whether or not the model has a price; without one, `saved` is unknown (null).
      cost = zeroCost(cost);
      priced = true;
      unpriced = null;
    }
    const record: LedgerRecord = {
      id: call.id,
      source: this.opts.source ?? 'gateway',
      started_at: call.startedIso,
      ended_at: new Date().toISOString(),
      duration_ms: Math.round(ended - call.started),
      ttft_ms: call.ttftMs,
      provider: ledgerProvider(call.route),
      api: call.route.api,
      // A moving alias (`mistral-small-latest`) is recorded as the dated model it meant; the alias stays requested.
      model_requested: call.modelRequested ?? (aliasOf ? (metered?.model ?? null) : null),
      model: aliasOf ?? metered?.model ?? null,
      status,
      http_status: httpStatus,
      stream: call.stream,
      usage: cached ? null : (metered?.usage ?? null),
      usage_source: cached ? null : (metered?.usageSource ?? null),
      cost,
      priced,
      price_version: priceVersion,
      attribution: call.who.attribution,
      tags: call.who.tags,
      key_id: call.keyId,
      trace_id: call.who.trace_id,
      span_id: call.who.span_id,
      error,
      raw_usage: cached ? null : (metered?.extraction?.raw ?? null),
      usage_version: USAGE_VERSION,
      unpriced_reason: unpriced,
      ...call.shape,
      finish_reason: metered?.finishReason ?? null,
      ...(saved === undefined ? {} : { saved }),
      // A cache hit replays the original body, id included: it is another call, never merged into the original.
      response_id: cached ? null : (metered?.responseId ?? null),
    };
    if (call.attemptOf !== undefined) record.attempt_of = call.attemptOf;
    try {
      if (this.opts.sink.append) call.durable = this.opts.sink.append(record);
      else this.opts.sink.write(record);
      if (call.outcomeHeader !== undefined) this.opts.onOutcomeHeader?.(call.outcomeHeader, record);
    } finally {
      // Settled even when the spool refused the record (disk full): the call happened, its hold must not linger.
      if (call.ticket) {
        const ticket = call.ticket;
        call.ticket = undefined; // settle once, whatever path recorded the call
        ticket.settle(record);
      }
    }
    return record;
  }
}

/**
 * The upstream request's abort signal, as undici takes it (an emitter of `abort`): an
 * AbortController per call cost ~2% of the gateway's CPU (EventTarget construction and listener
 * bookkeeping) for a signal that almost never fires. Aborts with the same reason an
 * AbortController gives, so what a client's hang-up records is unchanged.
 */
class ClientGone extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    this.emit('abort');
  }
}

/** The request's shape as its provider reads it; a body the reader chokes on has no shape (the call goes on). */
function requestShapeOf(call: CallState): RequestShape | undefined {
  if (!call.body) return undefined;
  try {
    return adapterFor(call.route.provider).requestShape?.(call.body, parserApi(call.route), call.route.urlModel);
  } catch {
    return undefined;
  }
}

/** A cost with every part 0 (a cache hit's), keeping the breakdown's shape and source when there was one. */
function zeroCost(c: LedgerCost | null): LedgerCost {
  const z: LedgerCost = { ...(c ?? { currency: 'USD', source: 'price_book' }), total: '0' } as LedgerCost;
  for (const part of COST_PARTS) z[part] = '0';
  if (z.other !== undefined) z.other = '0';
  return z;
}

/** The ledger `error` of a call that failed after it was forwarded: a catalogue code and what happened. */
function recordedError(type: GatewayErrorCode, message: string): { type: GatewayErrorCode; message: string } {
  return { type, message };
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) throw new Error(`request body larger than ${max} bytes`);
    chunks.push(c);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

function callerOfAuthorization(authorization: string): string | undefined {
  for (const a of providerAdapters()) {
    const caller = a.auth.callerOfAuthorization?.(authorization);
    if (caller !== undefined) return caller;
  }
  return undefined;
}

/** Pass-through mode: the client's own provider key goes upstream; only a hash of it is kept. */
export function passThroughKeyId(req: IncomingMessage): string | null {
  const h = req.headers;
  let key = h['x-api-key'] ?? h['x-goog-api-key'] ?? h['api-key'];
  if (!key && typeof h.authorization === 'string') {
    // A per-request signature (SigV4) names its caller by the part that does not change, as its adapter reads it.
    key = callerOfAuthorization(h.authorization) ?? h.authorization.replace(/^Bearer\s+/i, '');
  }
  if (!key) {
    const q = /[?&]key=([^&]+)/.exec(req.url ?? '');
    key = q?.[1];
  }
  const k = Array.isArray(key) ? key[0] : key;
  return k ? `pt_${createHash('sha256').update(k).digest('hex').slice(0, 16)}` : null;
}

/** A routed call's tags name the rule and, for a split, the arm (the unit-economics compare groups by `tag:costrail_route_arm`). */
function routedWho(who: CallAttribution, d: RoutingDecision): CallAttribution {
  const tags: Record<string, string> = { ...who.tags };
  if (d.ruleId !== null) tags['costrail_route_rule'] = d.ruleId;
  if (d.arm !== null) tags['costrail_route_arm'] = d.arm;
  return { ...who, tags };
}

const delay = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
