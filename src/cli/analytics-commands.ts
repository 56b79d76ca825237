/** The analytics area's commands, registered together so cli/main.ts needs one line. */
import type { Command } from 'commander';
import { registerImportCommand } from './import-command.js';
import { registerSimulateCommand } from './simulate-command.js';
import { registerReportCommand } from './report-command.js';
import { registerExportCommand } from './export-command.js';
import { registerRepriceCommand } from './reprice-command.js';
import { registerRetentionCommand } from './retention-command.js';

export function registerAnalyticsCommands(program: Command): void {
  registerImportCommand(program);
  registerSimulateCommand(program);
  registerReportCommand(program);
  registerExportCommand(program);
  registerRepriceCommand(program);
  registerRetentionCommand(program);
}
