import type { Command } from 'commander';
import { withContext, type GlobalOptions } from '../context.js';
import { assessAndRecord } from '../../runs/risks.js';
import { indicatorsById, runPipelines, runsJson, runsTable } from '../runs.js';
import { assessmentJson } from './risks.js';

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
    .addHelpText('after', '\nWithout a period, each pipeline runs for its latest complete period.\nExit status 1 when any run failed (the others still ran and were stored).')
    .action(async (pipelineId: string | undefined, opts: RunOptions, cmd: Command) => {
      if (!!pipelineId === !!opts.all) throw new Error('name one pipeline or give --all');
      await withContext(cmd.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        const pipelines = opts.all ? ctx.config.pipelines : ctx.config.pipelines.filter((p) => p.id === pipelineId);
        if (!pipelines.length) {
          throw new Error(`unknown pipeline "${pipelineId}" (known: ${ctx.config.pipelines.map((p) => p.id).join(', ')})`);
        }
        const { runs, skipped } = await runPipelines(ctx, pipelines, opts);
        if (!opts.all && skipped.length) throw new Error(skipped.join('; '));
        for (const line of skipped) process.stderr.write(`${line}\n`);
        // Risks are assessed after every run, on the evidence the run has just added.
        const risks = await assessAndRecord(ctx.config, ctx.store, ctx.register, new Date());
        const moved = risks.filter((r) => r.changed).map((r) => `RISK ${r.riskId} at ${r.assessed.likelihood}/${r.assessed.impact}${r.exception ? ' (above the tolerance line)' : ''}: ${r.triggered.map((t) => t.evidence).join('; ')}`);
        process.stdout.write(
          opts.json
            ? `${JSON.stringify({ ...runsJson(ctx.config, runs), risks: risks.map(assessmentJson) }, null, 2)}\n`
            : `${[runsTable(runs, indicatorsById(ctx.config.pipelines)), ...moved].join('\n')}\n`,
        );
        if (runs.some((r) => r.outcome === 'failed')) process.exitCode = 1;
      });
    });
}
