import type { Command } from 'commander';
import { pipelinesNamed, runCycle } from '../../app/runCycle.js';
import { indicatorsById } from '../../report/indicators.js';
import { cycleJson } from '../../report/runReport.js';
import { withOpenService, type GlobalOptions } from '../context.js';
import { movedRisks, runsTable, toldLines } from '../runsTable.js';

interface RunOptions {
  all?: boolean;
  period?: string;
  from?: string;
  to?: string;
  json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('compute, store and print indicator values for a pipeline (or all) and period')
    .argument('[pipeline]', 'pipeline id')
    .option('--all', 'run every pipeline')
    .option('--period <period>', 'a year (2024-25), quarter (2024-25-Q1) or month (2024-05); each pipeline runs its own periods within it')
    .option('--from <period>', 'first period of a range')
    .option('--to <period>', 'last period of a range')
    .option('--json', 'print the documented JSON shape instead of a table')
    .addHelpText('after', '\nWithout a period, each pipeline runs for its latest complete period.\nExit status 1 when any run failed (the others still ran and were stored). A period whose data has\nnot arrived is AWAITING: not a failure (exit status 0), nothing stored, its indicators MISSING.')
    .action(async (pipelineId: string | undefined, opts: RunOptions, cmd: Command) => {
      if (!!pipelineId === !!opts.all) throw new Error('name one pipeline or give --all');
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        const pipelines = pipelinesNamed(open.config, opts.all ? undefined : pipelineId);
        const cycle = await runCycle(open, { pipelines, choice: opts, strict: !opts.all });
        const { runs, skipped, risks } = cycle;
        for (const line of skipped) process.stderr.write(`${line}\n`);
        process.stdout.write(
          opts.json ? `${JSON.stringify(cycleJson(open.config, cycle), null, 2)}\n` : `${[runsTable(runs, indicatorsById(open.config)), ...movedRisks(risks), ...toldLines(cycle)].join('\n')}\n`,
        );
        if (runs.some((r) => r.outcome === 'failed')) process.exitCode = 1;
      });
    });
}
