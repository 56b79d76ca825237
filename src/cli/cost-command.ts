/** `costrail cost`: price one raw provider response (JSON body or captured stream). */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { priceUsage } from '../pricing/cost.js';
import { loadPriceBook } from '../pricing/catalog-loader.js';
import { PROVIDER_IDS, billedModel, readProviderResponse, type ResponseReading } from '../providers/registry.js';
import type { ApiKind } from '../providers/spec.js';
import type { ProviderId } from '../providers/registry.js';
import { CliError, describeError } from './cli-error.js';
import { environment } from '../config/environment.js';

export interface CostOptions {
  provider: string;
  model?: string;
  api?: string;
  prices?: string;
  batch?: boolean;
  tier?: string;
  at?: string;
  cacheTtl?: string;
  data?: string;
}

export function registerCostCommand(program: Command): void {
  program
    .command('cost')
    .description('Read one raw provider response (JSON body, SSE stream or Bedrock event stream) and print its usage and exact cost as JSON')
    .argument('<file>', 'response file, or - for standard input')
    .requiredOption('-p, --provider <provider>', `provider that produced it: ${PROVIDER_IDS.join(', ')}`)
    .option('-m, --model <model>', 'model requested (used when the response does not name one, e.g. Bedrock Converse, Cohere)')
    .option('--api <api>', 'API shape when it cannot be told from the payload (chat.completions, responses, embeddings, messages, converse, invoke, ...)')
    .option('--prices <file>', 'price file (Costrail or LiteLLM format) used instead of the built-in catalog')
    .option('--batch', 'the call went through a batch API')
    .option('--tier <tier>', 'service tier when the response does not report it: flex | priority | standard')
    .option('--at <date>', 'when the call happened (ISO date/time), to pick the effective price; default now')
    .option('--cache-ttl <ttl>', 'Anthropic cache_control ttl requested (5m | 1h) for responses without the TTL split')
    .option('--data <dir>', 'data folder holding imported catalogs and overrides', environment().COSTRAIL_DATA ?? './.costrail')
    .addHelpText('after', '\nExample:\n  costrail cost --provider anthropic response.sse\n  curl ... | costrail cost --provider openai -')
    .action((file: string, opts: CostOptions) => {
      const result = runCost(file, opts);
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    });
}

export function runCost(file: string, opts: CostOptions): Record<string, unknown> {
  const provider = opts.provider.toLowerCase();
  if (!(PROVIDER_IDS as readonly string[]).includes(provider)) {
    throw new CliError(`unknown provider "${opts.provider}" (known: ${PROVIDER_IDS.join(', ')})`, 2);
  }
  if (opts.tier && !['flex', 'priority', 'standard', 'default', 'batch'].includes(opts.tier)) {
    throw new CliError(`--tier must be flex, priority or standard, not "${opts.tier}"`, 2);
  }
  if (opts.cacheTtl && opts.cacheTtl !== '5m' && opts.cacheTtl !== '1h') throw new CliError(`--cache-ttl must be 5m or 1h, not "${opts.cacheTtl}"`, 2);
  const at = opts.at ? new Date(opts.at) : new Date();
  if (Number.isNaN(at.getTime())) throw new CliError(`--at "${opts.at}" is not a date`, 2);

  const name = file === '-' ? 'standard input' : file;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file === '-' ? 0 : file));
  } catch (e) {
    throw new CliError(`${name}: cannot read (${(e as NodeJS.ErrnoException).code ?? describeError(e)})`);
  }
  if (bytes.length === 0) throw new CliError(`${name}: empty input`);

  let reading: ResponseReading;
  try {
    reading = readProviderResponse(provider as ProviderId, bytes, {
      api: opts.api as ApiKind | undefined,
      model_requested: opts.model,
      cache_ttl_requested: opts.cacheTtl as '5m' | '1h' | undefined,
    });
  } catch (e) {
    throw new CliError(`${name}: ${describeError(e)}`);
  }

  let book;
  try {
    book = loadPriceBook({ pricesFile: opts.prices, dataDir: opts.data });
  } catch (e) {
    throw new CliError(describeError(e));
  }

  const ex = reading.extraction;
  const model = billedModel(provider as ProviderId, ex?.model ?? reading.model, opts.model);
  const base = {
    provider,
    model: model ?? null,
    model_requested: opts.model ?? null,
    api: ex?.api ?? reading.api,
    stream: reading.stream,
  };
  if (!ex) {
    return {
      ...base,
      usage: null,
      usage_source: null,
      cost: null,
      priced: false,
      price_version: book.version,
      reason: reading.stream
        ? 'the stream carried no usage (OpenAI chat streams report it only with stream_options.include_usage); the gateway estimates such calls'
        : 'the body carries no usage (an error response?)',
    };
  }
  if (!model) throw new CliError(`${name}: the response does not name its model; pass --model`, 2);

  const priced = priceUsage(book, {
    provider,
    model,
    usage: ex.usage,
    at,
    batch: opts.batch,
    service_tier: ex.service_tier ?? (opts.tier === 'standard' ? undefined : opts.tier),
    tier_basis_tokens: ex.tier_basis_tokens,
    traffic_type: ex.traffic_type,
    inference_geo: ex.inference_geo,
    provider_cost_usd: ex.provider_cost_usd,
  });
  return {
    ...base,
    // A moving alias is reported as the dated model it meant at --at; the alias stays as requested.
    ...(priced.resolved_model ? { model: priced.resolved_model, model_requested: opts.model ?? model } : {}),
    usage: ex.usage,
    usage_source: 'provider',
    usage_version: ex.usage_version,
    cost: priced.cost,
    priced: priced.priced,
    price_version: priced.price_version,
    ...(priced.reason ? { reason: priced.reason } : {}),
    ...(priced.priced_as ? { priced_as: priced.priced_as } : {}),
    ...(priced.rates ? { rates_usd_per_mtok: priced.rates } : {}),
    service_tier: ex.service_tier ?? null,
    provider_cost_usd: ex.provider_cost_usd ?? null,
    details: ex.details ?? {},
    notes: priced.notes,
    raw_usage: ex.raw,
  };
}
