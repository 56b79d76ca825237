/**
 * `costrail demo`: the one-minute tour. Starts the simulated provider and the gateway, sends
 * synthetic traffic from several teams, features and customers, and shows where the money went.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { sendDemoTraffic } from '../demo/demo-traffic.js';
import { Decimal } from '../pricing/decimal.js';
import { startCostrail } from '../server/costrail-runtime.js';
import { demoBudgetStatus, ensureDemoBudgets, evaluateDemoAlerts, seedDemoHistory } from '../demo/demo-setup.js';

const HISTORY_BAR_TOTAL = 20_000;
import { signInLink } from '../server/dashboard-assets.js';
import { startSimulator } from '../simulator/index.js';
import type { Store } from '../store/store.js';
import { CliError, describeError } from './cli-error.js';
import { keepServingWithoutStdout, parsePort } from './serve-command.js';
import { formatUsd } from './money-format.js';
import { printTable } from './table.js';
import { environment } from '../config/environment.js';

/** The demo's own folder: `serve` on the default `./.costrail` must never see demo budgets or records. */
export const DEMO_DATA_DIR = './.costrail-demo';
/** Written into a demo folder; a folder holding a ledger without it is someone's real data. */
const DEMO_MARKER = 'costrail-demo.json';

/** Claims `dir` for the demo, refusing a folder that already holds a ledger that is not the demo's. */
function claimDemoFolder(dir: string): void {
  const marker = path.join(dir, DEMO_MARKER);
  if (fs.existsSync(marker)) return;
  const used = fs.existsSync(dir) && fs.readdirSync(dir).length > 0;
  if (used) throw new CliError(`${dir} already holds data that is not the demo's; the demo never writes into a real data folder (pick another --data)`, 2);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(marker, JSON.stringify({ note: 'made by costrail demo: simulated traffic only; delete this folder to reset the demo' }) + '\n');
}

interface DemoOpts {
  port: string;
  data: string;
  requests: string;
  exit?: boolean;
  json?: boolean;
}

/** Spend by team from the ledger (the analytics API replaces this once it lands). */
/** Today's spend by team (the demo's live traffic; the seeded history ends at today's UTC midnight), exact. */
async function spendByTeam(store: Store): Promise<{ team: string; requests: number; cost: string; unpriced: number }[]> {
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  const { rows } = await store.getSpend({ from: today.toISOString(), group_by: ['team'] });
  return rows.map((r) => ({ team: r.groups['team'] ?? '(unattributed)', requests: r.requests, cost: r.cost, unpriced: r.unpriced_requests })).sort((a, b) => Decimal.parse(b.cost).cmp(Decimal.parse(a.cost)));
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('One-minute tour: gateway + simulated provider + synthetic traffic from several teams, then the spend it produced')
    .option('--port <port>', 'gateway port', environment().COSTRAIL_PORT ?? '4100')
    // Not COSTRAIL_DATA: that names the real ledger, which the demo must never touch.
    .option('--data <dir>', 'the demo\'s own data folder, apart from serve\'s ./.costrail', DEMO_DATA_DIR)
    .option('--requests <n>', 'synthetic calls to send', '300')
    .option('--exit', 'exit after the traffic instead of serving until Ctrl-C')
    .option('--json', 'print the spend summary as JSON (implies --exit)')
    .action(async (opts: DemoOpts) => {
      const port = parsePort(opts.port);
      const requests = Number(opts.requests);
      if (!Number.isInteger(requests) || requests < 1) throw new CliError(`--requests must be a positive integer, not "${opts.requests}"`, 2);
      claimDemoFolder(opts.data);
      const sim = await startSimulator({ chunkDelayMs: 2 });
      let rt;
      try {
        rt = await startCostrail({ port, dataDir: opts.data, upstreams: { openai: `${sim.url}/v1`, anthropic: sim.url, gemini: sim.url }, quiet: true, advertise: true, simulated: true });
      } catch (e) {
        await sim.close();
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${port} is already in use; pass --port`);
        throw new CliError(describeError(e));
      }
      const log = opts.json ? () => undefined : (s: string) => process.stderr.write(s + '\n');
      log(`costrail gateway on ${rt.url} -> simulated provider on ${sim.url}`);
      log(`demo data folder: ${path.resolve(opts.data)} (simulated records only, source "simulator"; serve's ./.costrail is untouched)`);
      // Printed before the traffic too, so the dashboard can be watched filling up.
      log(`dashboard (signs you in): ${signInLink(rt.url, rt.adminToken)}`);
      const tty = !opts.json && process.stderr.isTTY;
      const history = tty ? new SingleBar({ format: 'two weeks of history [{bar}] {value}/{total} calls', hideCursor: true }, Presets.shades_classic) : undefined;
      history?.start(HISTORY_BAR_TOTAL, 0);
      const seeded = await seedDemoHistory(rt, (n, total) => {
        history?.setTotal(total);
        history?.update(n);
      });
      history?.stop();
      if (seeded > 0) log(`seeded ${seeded} calls of simulated history (two weeks, six teams)`);
      await ensureDemoBudgets(rt);
      const bar = tty ? new SingleBar({ format: 'synthetic traffic [{bar}] {value}/{total} calls', hideCursor: true }, Presets.shades_classic) : undefined;
      bar?.start(requests, 0);
      const result = await sendDemoTraffic(rt.url, requests, { onProgress: (n) => bar?.update(n) });
      bar?.stop();
      await rt.writer.flush();
      const budgets = await demoBudgetStatus(rt);
      const alerts = await evaluateDemoAlerts(rt);
      const rows = await spendByTeam(rt.store);
      const total = Decimal.sum(rows.map((r) => Decimal.parse(r.cost)));
      if (opts.json) {
        process.stdout.write(JSON.stringify({ gateway: rt.url, data: path.resolve(opts.data), history_seeded: seeded, sent: result.sent, not_ok: result.failed, total_usd: total.toString(), by_team: rows, budgets, alerts }, null, 2) + '\n');
      } else {
        log(`\nsent ${result.sent} calls (${result.failed} refused by a budget or answered with a provider error, each recorded too)\n`);
        printTable(rows.map((r) => ({ ...r, cost: formatUsd(r.cost) })), ['team', 'requests', 'cost', 'unpriced']);
        log(`\ntotal today ${formatUsd(total.toString())} (exact: ${total.toString()} USD)\n`);
        log('budgets:');
        for (const b of budgets) log(`  ${b.name}: spent ${formatUsd(b.spent)} of ${formatUsd(b.limit_usd)} (${b.action})`);
        log(alerts.length ? 'open alerts:' : 'open alerts: none yet (the detectors run every minute while this serves)');
        for (const a of alerts.slice(0, 8)) log(`  [${a.severity}] ${a.kind} ${JSON.stringify(a.scope)}: ${a.summary}`);
        log('');
        log('Try it yourself (OpenAI SDK or curl):');
        log(`  curl -s ${rt.url}/v1/chat/completions -H 'content-type: application/json' -H 'authorization: Bearer sk-any' \\`);
        log(`    -H 'x-costrail-team: me' -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}' -D - `);
        log('  (the response headers carry x-costrail-cost and x-costrail-request-id)');
      }
      if (opts.exit || opts.json) {
        await rt.close();
        await sim.close();
        return;
      }
      keepServingWithoutStdout();
      log(`\nDashboard (signs you in): ${signInLink(rt.url, rt.adminToken)}`);
      log('Serving until Ctrl-C.');
      const stop = () => void rt.close().then(() => sim.close()).then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
