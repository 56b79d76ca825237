/**
 * `costrail simulate --days N --requests M`: fills the store with realistic synthetic traffic
 * (src/simulator/traffic-model.ts), priced by the real price book. Deterministic per seed, so a
 * re-run inserts nothing twice.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import { Decimal } from '../pricing/decimal.js';
import { loadPriceBook } from '../pricing/catalog-loader.js';
import { planTraffic } from '../simulator/traffic-model.js';
import { withApi, withApiOptions, type ApiAccessOptions } from './api-access.js';
import { CliError, describeError } from './cli-error.js';
import { startProgress } from './progress.js';

interface SimulateOpts extends ApiAccessOptions {
  days: string;
  requests: string;
  seed: string;
  start?: string;
  incidentsOut?: string;
  json?: boolean;
}

const BATCH = 10_000;

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} must be a positive integer, not "${v}"`, 2);
  return n;
}

export function registerSimulateCommand(program: Command): void {
  withApiOptions(
    program
      .command('simulate')
      .description('Fill the store with realistic synthetic traffic: teams, features, customers, models; seasonality, a launch spike, a retry storm')
      .requiredOption('--days <n>', 'days of traffic (ending today unless --start)')
      .requiredOption('--requests <m>', 'total calls over the period')
      .option('--seed <s>', 'random seed (same seed, same records)', '1')
      .option('--start <date>', 'first day, YYYY-MM-DD (UTC)')
      .option('--incidents-out <file>', 'write the labelled incidents (launch spike, retry storm) as JSON')
      .option('--json', 'print the summary as JSON'),
  ).action(async (opts: SimulateOpts) => {
    const days = positiveInt('--days', opts.days);
    const requests = positiveInt('--requests', opts.requests);
    const seed = positiveInt('--seed', opts.seed);
    if (opts.start !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.start)) throw new CliError(`--start must be a date YYYY-MM-DD, not "${opts.start}"`, 2);
    const book = loadPriceBook({ dataDir: opts.data });
    let plan;
    try {
      plan = planTraffic({ days, requests, seed, start: opts.start, book });
    } catch (e) {
      throw new CliError(describeError(e), 2);
    }
    const summary = await withApi(opts, async (session) => {
      const insert = async (batch: LedgerRecord[]): Promise<number> => {
        if (session.runtime) return (await session.runtime.store.insertRecords(batch)).inserted;
        const body = batch.map((r) => JSON.stringify(r)).join('\n');
        return (await session.client.postText<{ inserted: number }>('/api/import/ledger', 'application/x-ndjson', body)).inserted;
      };
      // Through the API a batch must fit one request body.
      const batchSize = session.runtime ? BATCH : 2000;
      const bar = startProgress('simulating', requests, { quiet: opts.json, unit: 'calls' });
      let generated = 0;
      let inserted = 0;
      let unpriced = 0;
      let cost = Decimal.ZERO;
      let batch: LedgerRecord[] = [];
      try {
        for (const { record } of plan.calls()) {
          generated++;
          if (record.cost) cost = cost.add(Decimal.parse(record.cost.total));
          else if (record.usage) unpriced++;
          batch.push(record);
          if (batch.length >= batchSize) {
            inserted += await insert(batch);
            batch = [];
            bar.update(generated);
          }
        }
        if (batch.length) inserted += await insert(batch);
        bar.update(generated);
      } finally {
        bar.stop();
      }
      return { from: plan.from, to: plan.to, generated, inserted, cost: cost.toString(), unpriced_requests: unpriced, incidents: plan.incidents };
    });
    if (opts.incidentsOut) fs.writeFileSync(opts.incidentsOut, JSON.stringify(plan.incidents, null, 2) + '\n');
    if (opts.json) {
      process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      return;
    }
    process.stdout.write(`simulated ${summary.generated} calls from ${summary.from} to ${summary.to}: inserted ${summary.inserted}, cost $${Decimal.parse(summary.cost).round(2).toString()}, unpriced ${summary.unpriced_requests}\n`);
    for (const i of summary.incidents) process.stdout.write(`  ${i.kind} ${i.from} → ${i.to}: ${i.description}\n`);
  });
}
