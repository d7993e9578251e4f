#!/usr/bin/env node
import { Command } from 'commander';
import { ConfigError, formatProblem } from '../config/problems.js';
import { bounded, shown } from '../text.js';
import { registerBackfill } from './commands/backfill.js';
import { registerChecks } from './commands/checks.js';
import { registerDemo } from './commands/demo.js';
import { registerExceptions } from './commands/exceptions.js';
import { registerMigrate } from './commands/migrate.js';
import { registerOutbox } from './commands/outbox.js';
import { registerReport } from './commands/report.js';
import { registerRisks } from './commands/risks.js';
import { registerRun } from './commands/run.js';
import { registerScorecard } from './commands/scorecard.js';
import { registerServe } from './commands/serve.js';
import { registerStatus } from './commands/status.js';
import { registerValidate } from './commands/validate.js';
import { registerValues } from './commands/values.js';

const program = new Command('lineofsight')
  .description('Council performance indicators, computed from finance and service data for UK financial-year periods.')
  .option('-c, --config <file>', 'service config file (default: $LINEOFSIGHT_CONFIG or config/lineofsight.yaml)')
  .showHelpAfterError();

registerValidate(program);
registerRun(program);
registerBackfill(program);
registerValues(program);
registerChecks(program);
registerScorecard(program);
registerRisks(program);
registerExceptions(program);
registerReport(program);
registerOutbox(program);
registerMigrate(program);
registerServe(program);
registerStatus(program);
registerDemo(program);

// A reader that stops early (`validate | head -1`) has what it wanted: that is no error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.problems.map((p) => shown(bounded(formatProblem(p)))).join('\n')}\n${err.problems.length} problem(s): nothing was run.\n`);
  } else {
    process.stderr.write(`lineofsight: ${shown(bounded((err as Error).message))}\n`);
  }
  process.exitCode = 1;
}
