/** `costrail events`: the CLI twin of `GET /api/events` (ledger records, newest first). */
import type { Command } from 'commander';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import type { EventsPage } from '../store/store.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { addFilterParams, addParam, outputFormat, toCsv, withFilterOptions, type FilterOpts } from './ledger-cli-options.js';
import { formatUsd } from './money-format.js';
import { printTable } from './table.js';

interface EventsOpts extends ApiAccessOptions, FilterOpts {
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
  json?: boolean;
  csv?: boolean;
}

const CSV_COLUMNS = ['id', 'started_at', 'source', 'provider', 'api', 'model', 'status', 'team', 'project', 'feature', 'customer', 'user', 'env', 'input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'output_tokens', 'reasoning_tokens', 'cost', 'priced', 'price_version', 'key_id', 'trace_id', 'tags'];
const TABLE_COLUMNS = ['started_at', 'team', 'feature', 'customer', 'provider', 'model', 'status', 'input_tokens', 'output_tokens', 'cost'];

function flat(r: LedgerRecord): Record<string, unknown> {
  return { ...r, ...r.attribution, ...(r.usage ?? {}), cost: r.cost?.total ?? null, tags: r.tags };
}

export function registerEventsCommand(program: Command): void {
  withApiOptions(
    withFilterOptions(
      program
        .command('events')
        .description('List ledger records (one per AI call), newest first')
        .option('--from <iso>', 'inclusive start, ISO 8601 (default: the first record in the ledger)')
        .option('--to <iso>', 'exclusive end, ISO 8601 (default: now)')
        .option('--limit <n>', 'records per page, 1-1000', '100')
        .option('--cursor <cursor>', 'continue after a previous page (its next_cursor)'),
    )
      .option('--json', 'print the API answer as JSON')
      .option('--csv', 'print CSV'),
  ).action(async (opts: EventsOpts) => {
    const format = outputFormat(opts);
    const params = new URLSearchParams();
    addParam(params, 'from', opts.from);
    addParam(params, 'to', opts.to);
    addParam(params, 'limit', opts.limit);
    addParam(params, 'cursor', opts.cursor);
    addFilterParams(params, opts);
    const page = await withApi(opts, ({ client }) => client.get<EventsPage>(`/api/events?${params.toString()}`));
    if (format === 'json') {
      process.stdout.write(JSON.stringify(page, null, 2) + '\n');
      return;
    }
    const rows = page.events.map(flat);
    if (format === 'csv') {
      process.stdout.write(toCsv(rows, CSV_COLUMNS));
      return;
    }
    // An unpriced call shows as 'unpriced', never as a blank that reads like $0.
    printTable(rows.map((r) => ({ ...r, cost: r.priced === false && r.cost === null ? 'unpriced' : formatUsd(r.cost as string | null) })), TABLE_COLUMNS);
    process.stdout.write(`\n${rows.length} records${page.next_cursor ? `; more with --cursor ${page.next_cursor}` : ''}\n`);
  });
}
