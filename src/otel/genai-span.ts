/**
 * Recognizes a GenAI model-call span and reads what it says about the call, whichever of the
 * attribute generations in the wild emitted it:
 *   A. OpenTelemetry GenAI semantic conventions: gen_ai.provider.name, gen_ai.usage.input_tokens,
 *      gen_ai.usage.cache_read.input_tokens, ...
 *   B. the older names still emitted by OpenLLMetry and non-migrated instrumentations:
 *      gen_ai.system, gen_ai.usage.prompt_tokens / completion_tokens,
 *      gen_ai.usage.cache_read_input_tokens, llm.usage.*
 *   C. OpenInference: llm.system / llm.provider, llm.model_name, llm.token_count.*
 * Each field is read from the first name present, newest convention first.
 *
 * Usage counters overlap in every generation (prompt includes cached input; completion includes
 * reasoning), while the ledger's usage kinds are disjoint (providers/spec.ts). The conversion is
 * done here, once: input = prompt − cache read − cache write, output = completion − reasoning.
 * When a span's cache counters exceed its prompt count, the instrumentation reported the prompt
 * exclusive of cache (Anthropic's own input_tokens, as some older instrumentations copy it), so
 * nothing is subtracted; likewise for reasoning larger than completion.
 */
import { emptyUsage, type Usage } from '../providers/spec.js';
import { tokenCountProblem } from '../providers/usage-bounds.js';
import type { OtlpSpan, SpanAttributeValue, SpanAttributes } from './otlp-trace-request.js';

export interface GenAiCall {
  provider: string;
  model: string | null;
  modelRequested: string | null;
  /** Null when the span carries no token count at all. */
  usage: Usage | null;
  /** The usage attributes as the span carried them, for re-pricing. */
  rawUsage: Record<string, number>;
  responseId: string | null;
  operation: string | null;
  stream: boolean;
  /** Counters the span carried that were unusable (negative, absurd), by attribute name. */
  refused: string[];
}

/** Any of these on a span makes it a candidate; everything else is skipped after a few map lookups. */
const MARKERS = ['gen_ai.provider.name', 'gen_ai.system', 'gen_ai.request.model', 'gen_ai.response.model', 'llm.model_name', 'llm.system', 'llm.request.model', 'openinference.span.kind'] as const;

/** Operations that describe agents and tools rather than a billed model call. */
const NOT_MODEL_CALLS = new Set(['invoke_agent', 'create_agent', 'execute_tool']);
const OPENINFERENCE_CALL_KINDS = new Set(['LLM', 'EMBEDDING']);

const NAMES = {
  provider: ['gen_ai.provider.name', 'llm.provider', 'gen_ai.system', 'llm.system'],
  responseModel: ['gen_ai.response.model', 'llm.response.model', 'llm.model_name'],
  requestModel: ['gen_ai.request.model', 'llm.request.model'],
  input: ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt', 'llm.usage.prompt_tokens'],
  output: ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion', 'llm.usage.completion_tokens'],
  cacheRead: ['gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens', 'llm.token_count.prompt_details.cache_read', 'llm.usage.cache_read_input_tokens'],
  cacheWrite: ['gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_creation_input_tokens', 'llm.token_count.prompt_details.cache_write', 'llm.usage.cache_creation_input_tokens'],
  reasoning: ['gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens', 'llm.token_count.completion_details.reasoning', 'llm.usage.reasoning_tokens'],
  audioInput: ['llm.token_count.prompt_details.audio'],
  audioOutput: ['llm.token_count.completion_details.audio'],
  // OpenLLMetry emits gen_ai.response.id too; OpenInference has none (see responseIdOf).
  responseId: ['gen_ai.response.id', 'llm.response.id'],
  operation: ['gen_ai.operation.name', 'llm.request.type'],
  stream: ['gen_ai.request.stream', 'llm.is_streaming'],
} as const;

/**
 * Provider names as the conventions spell them → the ledger's provider ids (src/providers/registry.ts).
 * Unknown names are kept as sent (lowercased): the price book then says whether it knows them.
 */
const PROVIDER_IDS: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  'gcp.gemini': 'gemini',
  gemini: 'gemini',
  google: 'gemini',
  'gcp.gen_ai': 'gemini',
  'gcp.vertex_ai': 'vertex',
  vertexai: 'vertex',
  vertex_ai: 'vertex',
  'aws.bedrock': 'bedrock',
  aws: 'bedrock',
  bedrock: 'bedrock',
  'azure.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  'az.ai.openai': 'azure',
  'az.ai.inference': 'azure',
  azure: 'azure',
  mistral_ai: 'mistral',
  mistralai: 'mistral',
  mistral: 'mistral',
  x_ai: 'xai',
  xai: 'xai',
  deepseek: 'deepseek',
  groq: 'groq',
  cohere: 'cohere',
  together: 'together',
  together_ai: 'together',
  openrouter: 'openrouter',
};

/** The ledger provider id a convention's provider name means. */
export function ledgerProviderOf(name: string): string {
  const key = name.trim().toLowerCase();
  return PROVIDER_IDS[key] ?? key;
}

/** The GenAI call a span describes, or undefined when it is not a model call. */
export function readGenAiSpan(span: OtlpSpan): GenAiCall | undefined {
  const a = span.attributes;
  if (!MARKERS.some((m) => a.has(m))) return undefined;
  const kind = str(a, ['openinference.span.kind']);
  if (kind !== null && !OPENINFERENCE_CALL_KINDS.has(kind.toUpperCase())) return undefined;
  const operation = str(a, NAMES.operation);
  if (operation !== null && NOT_MODEL_CALLS.has(operation)) return undefined;
  const providerName = str(a, NAMES.provider);
  const modelRequested = str(a, NAMES.requestModel);
  const model = str(a, NAMES.responseModel) ?? modelRequested;
  if (providerName === null && model === null) return undefined;

  const rawUsage: Record<string, number> = {};
  const refused: string[] = [];
  const count = (names: readonly string[]): number | undefined => {
    for (const n of names) {
      const v = a.get(n);
      if (v === undefined || v === null) continue;
      const problem = tokenCountProblem(v);
      if (problem !== undefined) {
        refused.push(`${n} ${problem}`);
        return undefined;
      }
      rawUsage[n] = v as number;
      return v as number;
    }
    return undefined;
  };
  const prompt = count(NAMES.input);
  const completion = count(NAMES.output);
  const cacheRead = count(NAMES.cacheRead) ?? 0;
  const cacheWrite = count(NAMES.cacheWrite) ?? 0;
  const reasoning = count(NAMES.reasoning) ?? 0;
  const audioIn = count(NAMES.audioInput) ?? 0;
  const audioOut = count(NAMES.audioOutput) ?? 0;

  let usage: Usage | null = null;
  if (refused.length === 0 && (prompt !== undefined || completion !== undefined)) {
    usage = emptyUsage();
    const p = prompt ?? 0;
    const cached = cacheRead + cacheWrite + audioIn;
    usage.input_tokens = cached <= p ? p - cached : p;
    usage.cache_read_tokens = cacheRead;
    usage.cache_write_tokens = cacheWrite;
    usage.audio_input_tokens = audioIn;
    const c = completion ?? 0;
    const inner = reasoning + audioOut;
    usage.output_tokens = inner <= c ? c - inner : c;
    usage.reasoning_tokens = reasoning;
    usage.audio_output_tokens = audioOut;
  }
  return {
    provider: providerName === null ? 'unknown' : ledgerProviderOf(providerName),
    model,
    modelRequested,
    usage,
    rawUsage,
    responseId: responseIdOf(a),
    operation,
    stream: a.get(NAMES.stream[0]) === true || a.get(NAMES.stream[1]) === true,
    refused,
  };
}

/** Bodies above this are not parsed for an id (OpenInference can put whole conversations in output.value). */
const MAX_OUTPUT_VALUE = 1024 * 1024;

/**
 * The provider's response id: `gen_ai.response.id` (semantic conventions, OpenLLMetry); for
 * OpenInference, which has no such attribute, the `id` (OpenAI, Anthropic) or `responseId` (Gemini)
 * of the response JSON its instrumentations put in `output.value` (mime type application/json).
 */
function responseIdOf(a: SpanAttributes): string | null {
  const named = str(a, NAMES.responseId);
  if (named !== null) return named;
  const out = a.get('output.value');
  const mime = a.get('output.mime_type');
  if (typeof out !== 'string' || mime !== 'application/json' || out.length > MAX_OUTPUT_VALUE || !out.startsWith('{')) return null;
  try {
    const body: unknown = JSON.parse(out);
    if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
    const rec = body as Record<string, unknown>;
    const id = typeof rec['id'] === 'string' ? rec['id'] : rec['responseId'];
    return typeof id === 'string' && id.trim() !== '' && id.length <= 256 ? id.trim() : null;
  } catch {
    return null;
  }
}

function str(a: SpanAttributes, names: readonly string[]): string | null {
  for (const n of names) {
    const v: SpanAttributeValue | undefined = a.get(n);
    if (typeof v === 'string' && v.trim() !== '') return v.trim().slice(0, 256);
  }
  return null;
}
