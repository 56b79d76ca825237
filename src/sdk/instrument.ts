/**
 * `instrument(client, { attribution })`: an instrumented copy of an official `openai` or
 * `@anthropic-ai/sdk` client (both take a `fetch` through `withOptions`); `costrailFetch()` for
 * `@google/genai`, which takes its fetch at construction. Every call the copy makes
 * leaves a ledger record (source `sdk`) sent to the Costrail server in batches.
 */
import { meteredFetch } from './metered-fetch.js';
import { RecordSender, type RecordSink } from './record-sender.js';
import type { AttributionInput } from './attribution-context.js';

export interface InstrumentOptions {
  attribution?: AttributionInput;
  /** Where records go; default one shared RecordSender (COSTRAIL_URL / COSTRAIL_TOKEN). */
  sink?: RecordSink;
  /** The fetch the client would use (default the global one). */
  fetch?: typeof fetch;
}

interface FetchConfigurable {
  withOptions(options: { fetch?: typeof fetch }): unknown;
}

let shared: RecordSender | undefined;
/** The process-wide sender instrumented clients use by default. */
export function defaultRecordSender(): RecordSender {
  shared ??= new RecordSender();
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
  return meteredFetch(opts.fetch ?? globalThis.fetch, opts.sink ?? defaultRecordSender(), opts.attribution ?? {});
}
