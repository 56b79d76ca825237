#!/usr/bin/env node
/** The `costrail` command line. One file per command under src/cli; this file only wires them. */
import { Command } from 'commander';

const program = new Command();
program
  .name('costrail')
  .description('Open-source AI FinOps: price every AI call exactly, attribute it, cap it, cut it.')
  .version('0.1.0')
  .showHelpAfterError();

await program.parseAsync(process.argv);
