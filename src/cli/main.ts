#!/usr/bin/env node
/** The `costrail` command line. One file per command under src/cli; this file only wires them. */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { CliError, describeError } from './cli-error.js';
import { registerCostCommand } from './cost-command.js';
import { registerPricesCommand } from './prices-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerDemoCommand } from './demo-command.js';
import { registerSimulatorCommand } from './simulator-command.js';
import { registerKeysCommand } from './keys-command.js';
import { registerTokensCommand } from './tokens-command.js';
import { registerBudgetsCommand } from './budgets-command.js';
import { registerKillSwitchCommand } from './kill-switch-command.js';
import { registerRateLimitsCommand } from './rate-limits-command.js';
import { registerEventsCommand } from './events-command.js';
import { registerSpendCommand } from './spend-command.js';
import { registerAnalyticsCommands } from './analytics-commands.js';
import { registerAlertsCommand } from './alerts-command.js';
import { registerAnomaliesCommand } from './anomalies-command.js';
import { registerForecastCommand } from './forecast-command.js';
import { registerReconcileCommand } from './reconcile-command.js';
import { registerBillingCommand } from './billing-pull-command.js';
import { registerEconomicsCommands } from './economics-commands.js';
import { registerAdvisorCommands } from './advisor-commands.js';
import { registerEvalCommands } from './eval-commands.js';
import { registerInventoryCommands } from './inventory-commands.js';
import { registerGpuCommands } from './gpu-commands.js';

// `costrail prices list | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

/** Exported for the CLI reference generator (scripts/docs), which reads every command's help in-process. */
export const program = new Command();
program
  .name('costrail')
  .description('Open-source AI FinOps: price every AI call exactly, attribute it, cap it, cut it.')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerCostCommand(program);
registerPricesCommand(program);
registerServeCommand(program);
registerDemoCommand(program);
registerSimulatorCommand(program);
registerKeysCommand(program);
registerTokensCommand(program);
registerBudgetsCommand(program);
registerKillSwitchCommand(program);
registerRateLimitsCommand(program);
registerEventsCommand(program);
registerSpendCommand(program);
registerAnalyticsCommands(program);
registerAlertsCommand(program);
registerAnomaliesCommand(program);
registerForecastCommand(program);
registerReconcileCommand(program);
registerBillingCommand(program);
registerEconomicsCommands(program);
registerAdvisorCommands(program);
registerEvalCommands(program);
registerInventoryCommands(program);
registerGpuCommands(program);

// Run only as the program (also through npm's bin symlink), not when imported for its help texts.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    process.stderr.write(`costrail: ${describeError(err)}\n`);
    process.exit(err instanceof CliError ? err.exitCode : 1);
  }
}
