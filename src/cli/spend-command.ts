/** `costrail spend`: the CLI twin of `GET /api/spend` (spend and usage by any dimension). */
import type { Command } from 'commander';
import type { FlatSpendRow } from '../analytics/ledger-routes.js';
import type { SpendResult } from '../store/store.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { addFilterParams, addParam, outputFormat, toCsv, withFilterOptions, type FilterOpts } from './ledger-cli-options.js';
import { bucketDate, formatUsd } from './money-format.js';
import { printTable } from './table.js';

interface SpendOpts extends ApiAccessOptions, FilterOpts {
  from?: string;
  to?: string;
  groupBy?: string;
  granularity?: string;
  tz?: string;
  json?: boolean;
  csv?: boolean;
}

const SUMS = ['cost', 'requests', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'unpriced_requests'];

export function registerSpendCommand(program: Command): void {
  withApiOptions(
    withFilterOptions(
      program
        .command('spend')
        .description('Spend (exact USD) and usage grouped by any dimensions, bucketed by time')
        .option('--from <iso>', 'inclusive start, ISO 8601 (default: the first record in the ledger)')
        .option('--to <iso>', 'exclusive end, ISO 8601 (default: now, so every record so far)')
        .option('--group-by <dims>', 'comma list, e.g. team,model or feature,tag:experiment')
        .option('--granularity <g>', 'minute | hour | day | week | month | none', 'none')
        .option('--tz <zone>', 'IANA time zone for day/week/month buckets (weeks start Monday)', 'UTC'),
    )
      .option('--json', 'print the API answer as JSON')
      .option('--csv', 'print CSV'),
  ).action(async (opts: SpendOpts) => {
    const format = outputFormat(opts);
    const params = new URLSearchParams();
    addParam(params, 'from', opts.from);
    addParam(params, 'to', opts.to);
    addParam(params, 'group_by', opts.groupBy);
    addParam(params, 'granularity', opts.granularity);
    addParam(params, 'tz', opts.tz);
    addFilterParams(params, opts);
    const res = await withApi(opts, ({ client }) => client.get<{ rows: FlatSpendRow[]; total: SpendResult['total'] }>(`/api/spend?${params.toString()}`));
    if (format === 'json') {
      process.stdout.write(JSON.stringify(res, null, 2) + '\n');
      return;
    }
    const dims = (opts.groupBy ?? '').split(',').map((d) => d.trim()).filter(Boolean);
    const columns = [...(opts.granularity && opts.granularity !== 'none' ? ['period'] : []), ...dims, ...SUMS];
    if (format === 'csv') {
      process.stdout.write(toCsv(res.rows, columns));
      return;
    }
    // Tables are for reading: $ amounts rounded by size, day/week/month buckets as local dates. --json/--csv stay exact.
    const dated = opts.granularity === 'day' || opts.granularity === 'week' || opts.granularity === 'month';
    const shown = res.rows.map((r) => ({ ...r, cost: formatUsd(r.cost as string | null), ...(dated && typeof r.period === 'string' ? { period: bucketDate(r.period, opts.tz) } : {}) }));
    printTable(shown, columns);
    const unpriced = res.total.unpriced_requests ? `; ${res.total.unpriced_requests} unpriced (not counted as $0)` : '';
    const saved = res.total.saved && res.total.saved !== '0' ? `; ${formatUsd(res.total.saved)} saved by the response cache (exact: ${res.total.saved} USD)` : '';
    process.stdout.write(`\ntotal ${formatUsd(res.total.cost)} over ${res.total.requests} requests${unpriced} (exact: ${res.total.cost} USD)${saved}\n`);
  });
}
