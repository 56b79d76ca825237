/**
 * `instrument(client, { attribution })`: an instrumented copy of an official `openai` or
 * `@anthropic-ai/sdk` client (both take a `fetch` through `withOptions`); `costrailFetch()` for
 * `@google/genai`, which takes its fetch at construction. Every call the copy makes
 * leaves a ledger record (source `sdk`) sent to the Costrail server in batches.
 */
import { environment } from '../config/environment.js';
import { meteredFetch } from './metered-fetch.js';
import { RecordSender, type RecordSink } from './record-sender.js';
import { AdmissionClient, type AdmissionClientOptions } from './admission-client.js';
import type { AttributionInput } from './attribution-context.js';

export interface InstrumentOptions {
  attribution?: AttributionInput;
  /** Where records go; default one shared RecordSender (COSTRAIL_URL / COSTRAIL_TOKEN). */
  sink?: RecordSink;
  /** The fetch the client would use (default the global one). */
  fetch?: typeof fetch;
  /**
   * Ask the Costrail server before each call (budgets, rate limits, kill switches): `true` uses
   * COSTRAIL_URL / COSTRAIL_TOKEN; an object sets url, token, timeout and fail mode; an
   * AdmissionClient is used as is. Default off (COSTRAIL_SDK_ADMISSION=on turns it on).
   */
  admission?: boolean | AdmissionClientOptions | AdmissionClient;
  /** The Costrail gateway's URL, when the client's baseURL points at it (default COSTRAIL_URL): attribution goes there as headers. */
  gatewayUrl?: string;
}

interface FetchConfigurable {
  withOptions(options: { fetch?: typeof fetch }): unknown;
}

let shared: RecordSender | undefined;
/** The process-wide sender instrumented clients use by default; what it still holds at exit goes to its spool. */
export function defaultRecordSender(): RecordSender {
  if (!shared) {
    const sender = new RecordSender();
    shared = sender;
    process.once('beforeExit', () => void sender.close());
    process.once('exit', () => sender.spillAll());
  }
  return shared;
}

export function instrument<C extends FetchConfigurable>(client: C, opts: InstrumentOptions = {}): C {
  if (typeof client?.withOptions !== 'function') throw new TypeError('instrument(): pass an official openai or @anthropic-ai/sdk client (it must have withOptions); for @google/genai pass costrailFetch() as httpOptions.fetch');
  return client.withOptions({ fetch: costrailFetch(opts) }) as C;
}

/**
 * The recording fetch itself, for clients configured at construction: `@google/genai` takes it as
 * `new GoogleGenAI({ httpOptions: { fetch: costrailFetch({ attribution }) } })`.
 */
export function costrailFetch(opts: InstrumentOptions = {}): typeof fetch {
  const env = environment();
  const gatewayOrigins = new Set<string>();
  const gateway = opts.gatewayUrl ?? env['COSTRAIL_URL'];
  if (gateway) {
    try {
      gatewayOrigins.add(new URL(gateway).origin);
    } catch {
      /* not a URL: origins are still learned from responses */
    }
  }
  const wanted = opts.admission ?? env['COSTRAIL_SDK_ADMISSION'] === 'on';
  const admission = wanted instanceof AdmissionClient ? wanted : wanted === false ? undefined : new AdmissionClient(wanted === true ? {} : wanted);
  return meteredFetch(opts.fetch ?? globalThis.fetch, { sink: opts.sink ?? defaultRecordSender(), base: opts.attribution ?? {}, admission, gatewayOrigins });
}
