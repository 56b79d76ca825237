/**
 * `costrail prices override set|list|remove`: negotiated discounts and custom prices without
 * hand-editing `<data>/price-overrides.json` (the file stays their durable home).
 */
import type { Command } from 'commander';
import type { Rates } from '../pricing/catalog-schema.js';
import { Decimal } from '../pricing/decimal.js';
import { addDiscount, readOverrides, removeOverride, setCustomPrice } from '../pricing/override-file.js';
import type { Discount, Overrides } from '../pricing/overrides.js';
import { runningApi, withApiOptions, type ApiAccessOptions, type ApiClient } from './api-access.js';
import { CliError, describeError } from './cli-error.js';
import { printTable } from './table.js';

interface SetOpts extends ApiAccessOptions {
  provider?: string;
  models?: string;
  model?: string;
  percent?: string;
  input?: string;
  output?: string;
  cacheRead?: string;
  cacheWrite?: string;
  from?: string;
  to?: string;
  note?: string;
  json?: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const today = () => new Date().toISOString().slice(0, 10);

function rate(v: string | undefined, flag: string): string | undefined {
  if (v === undefined) return undefined;
  const d = Decimal.tryParse(v.replace(/^\$/, ''));
  if (!d || d.isNegative()) throw new CliError(`${flag} must be a USD amount per 1M tokens such as 0.15, not "${v}"`, 2);
  return d.toString();
}

/** What to run so calls already in the ledger get the new price too. */
function repriceHint(from: string, viaServer: boolean): string {
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const now = viaServer ? 'the running server prices new calls with this now' : 'a server started on this data folder (or one running, within seconds) prices new calls with this';
  return `${now}. To apply it to calls already recorded:\n  costrail reprice --from ${from} --to ${tomorrow} --dry-run   (then without --dry-run)`;
}

interface OverrideList {
  discounts: (Omit<Discount, 'id'> & { id?: string | null })[];
  models: Overrides['models'];
}

/** The API's list in the file's shape (the API says null where the file omits a field). */
async function listViaApi(api: ApiClient): Promise<OverrideList> {
  const r = await api.get<{ discounts: Record<string, unknown>[]; custom_prices: { provider: string; model: string; prices: Overrides['models'][number]['prices'] }[] }>('/api/price-overrides');
  const discounts = r.discounts.map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== null)) as OverrideList['discounts'][number]);
  return { discounts, models: r.custom_prices.map((m) => ({ provider: m.provider, model: m.model, prices: m.prices })) };
}

export function registerPriceOverrideCommands(prices: Command): void {
  const override = prices.command('override').description('Negotiated discounts and custom prices (kept in <data>/price-overrides.json; through the server when one runs on the folder or --url is given)');

  withApiOptions(
    override
      .command('set')
      .description('Add a percent discount (--percent) or set a custom price for a fine-tuned or self-hosted model (--model with --input/--output)')
      .option('--provider <provider>', 'provider it covers (discounts: default every provider)')
      .option('--models <patterns>', 'discount: comma-separated model names, a trailing * matches a prefix (default every model)')
      .option('--percent <n>', 'discount: percent off list, e.g. 20, 20% or 12.5')
      .option('--model <name>', 'custom price: the model name as calls report it')
      .option('--input <usd>', 'custom price: USD per 1M input tokens')
      .option('--output <usd>', 'custom price: USD per 1M output tokens')
      .option('--cache-read <usd>', 'custom price: USD per 1M cached input tokens (default: the input rate)')
      .option('--cache-write <usd>', 'custom price: USD per 1M cache-write tokens (default: the input rate)')
      .option('--from <date>', 'first day it applies, YYYY-MM-DD (default today, UTC)')
      .option('--to <date>', 'discount: first day it no longer applies (default open-ended)')
      .option('--note <text>', 'discount: a note, e.g. the contract reference')
      .option('--json', 'print the stored entry as JSON'),
  ).action(async (o: SetOpts) => {
    const from = o.from ?? today();
    if (!DATE.test(from) || (o.to !== undefined && !DATE.test(o.to))) throw new CliError('--from and --to take YYYY-MM-DD', 2);
    const api = runningApi(o);
    let stored: unknown;
    try {
      if (o.percent !== undefined) {
        if (o.model !== undefined) throw new CliError('--percent is a discount (use --models for which models); --model is for a custom price', 2);
        const models = o.models?.split(',').map((m) => m.trim()).filter(Boolean);
        const discount = { percent: o.percent, effective_from: from, ...(o.provider ? { provider: o.provider.toLowerCase() } : {}), ...(models?.length ? { models } : {}), ...(o.to ? { effective_to: o.to } : {}), ...(o.note ? { note: o.note } : {}) };
        stored = api ? (await api.post<{ discount: unknown }>('/api/price-overrides/discounts', discount)).discount : addDiscount(o.data, discount);
      } else if (o.model !== undefined) {
        if (!o.provider) throw new CliError('a custom price needs --provider (e.g. openai for a fine-tune, or your own name for a self-hosted model)', 2);
        const input = rate(o.input, '--input');
        const output = rate(o.output, '--output');
        if (input === undefined || output === undefined) throw new CliError('a custom price needs --input and --output (USD per 1M tokens)', 2);
        const rates: Rates = { input, output };
        const cr = rate(o.cacheRead, '--cache-read');
        const cw = rate(o.cacheWrite, '--cache-write');
        if (cr !== undefined) rates.cache_read = cr;
        if (cw !== undefined) rates.cache_write = cw;
        stored = api
          ? (await api.post<{ custom_price: unknown }>('/api/price-overrides/custom-prices', { provider: o.provider.toLowerCase(), model: o.model, ...rates, effective_from: from })).custom_price
          : setCustomPrice(o.data, { provider: o.provider.toLowerCase(), model: o.model, rates, effective_from: from, source: `costrail prices override set (${today()})` });
      } else {
        throw new CliError('say what to set: --percent N (a discount) or --model NAME --input USD --output USD (a custom price)', 2);
      }
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(describeError(e), 2);
    }
    if (o.json) process.stdout.write(JSON.stringify(stored, null, 2) + '\n');
    else process.stdout.write(`saved ${JSON.stringify(stored)}\n`);
    process.stderr.write(repriceHint(from, api !== undefined) + '\n');
  });

  withApiOptions(override.command('list').description('Discounts and custom prices in force or scheduled').option('--json', 'print JSON')).action(async (o: ApiAccessOptions & { json?: boolean }) => {
    const api = runningApi(o);
    const ov: OverrideList = api ? await listViaApi(api) : readOverrides(o.data);
    if (o.json) {
      process.stdout.write(JSON.stringify({ discounts: ov.discounts, models: ov.models }, null, 2) + '\n');
      return;
    }
    const rows = [
      ...ov.discounts.map((d, i) => ({ id: d.id ?? `#${i + 1} (hand-written)`, kind: 'discount', provider: d.provider ?? '*', models: d.models?.join(',') ?? '*', price: `${d.percent}% off`, from: d.effective_from, to: d.effective_to ?? null })),
      ...ov.models.flatMap((m) => m.prices.map((p) => ({ id: `${m.provider}/${m.model}`, kind: 'custom price', provider: m.provider, models: m.model, price: `in $${p.rates.input ?? '-'} / out $${p.rates.output ?? '-'} per 1M`, from: p.effective_from, to: null }))),
    ];
    if (rows.length === 0) {
      process.stdout.write('no overrides; add one with `costrail prices override set --percent 20 --provider openai`\n');
      return;
    }
    printTable(rows, ['id', 'kind', 'provider', 'models', 'price', 'from', 'to']);
  });

  withApiOptions(override.command('remove').description('Remove a discount (by id) or a custom price (by provider/model)').argument('<id>', 'disc_… or provider/model')).action(async (id: string, o: ApiAccessOptions) => {
    const api = runningApi(o);
    if (api) await api.delete(`/api/price-overrides/${encodeURIComponent(id)}`);
    else if (!removeOverride(o.data, id)) throw new CliError(`no override "${id}" (see costrail prices override list)`, 2);
    process.stdout.write(`removed ${id}\n`);
  });
}
