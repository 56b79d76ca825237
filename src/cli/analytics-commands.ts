/** The analytics area's commands, registered together so cli/main.ts needs one line. */
import type { Command } from 'commander';
import { registerImportCommand } from './import-command.js';
import { registerSimulateCommand } from './simulate-command.js';

export function registerAnalyticsCommands(program: Command): void {
  registerImportCommand(program);
  registerSimulateCommand(program);
}
