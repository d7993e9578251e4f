import path from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../../config/load.js';
import { COUNCIL_NAME, DEMO_YEARS, generateDemoDatabases } from '../../demo/generate.js';
import { loadConfigFor, withConfig, type GlobalOptions } from '../context.js';
import { yearPivot } from '../pivot.js';
import { renderMatrix } from '../../risk/render.js';
import { assessAndRecord } from '../../runs/risks.js';
import { logTable } from './checks.js';
import { runPipelines } from '../runs.js';

/** The demo databases' files, as the configuration's `finance` and `services` sources name them. */
function demoFiles(config: LoadedConfig): { dir: string; finance: string; services: string } {
  const fileOf = (name: string): string => {
    const source = config.service.sources[name];
    if (source?.client !== 'sqlite' || typeof source.connection !== 'string') {
      throw new Error(`the demo needs a SQLite source "${name}" in ${config.file} (see config/lineofsight.yaml)`);
    }
    return path.resolve(source.connection);
  };
  const finance = fileOf('finance');
  const services = fileOf('services');
  if (path.dirname(finance) !== path.dirname(services)) throw new Error('the demo writes its finance and services databases into one folder');
  return { dir: path.dirname(finance), finance, services };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('generate the demo council databases, run every pipeline over the demo years and print the values')
    .action(async (_opts: unknown, cmd: Command) => {
      const config = await loadConfigFor(cmd.optsWithGlobals<GlobalOptions>());
      const files = demoFiles(config);
      const written = await generateDemoDatabases(files.dir);
      if (path.resolve(written.finance) !== files.finance || path.resolve(written.services) !== files.services) {
        throw new Error(`the demo wrote ${written.finance} and ${written.services}, but the sources read ${files.finance} and ${files.services}`);
      }
      await withConfig(config, async (ctx) => {
        const first = config.calendar.yearId(DEMO_YEARS[0]);
        const last = config.calendar.yearId(DEMO_YEARS[DEMO_YEARS.length - 1]!);
        const { runs } = await runPipelines(ctx, config.pipelines, { from: first, to: last });
        const indicators = config.pipelines.flatMap((p) => p.indicators);
        const out: string[] = [`${COUNCIL_NAME}: demo indicators, financial years ${first} to ${last}`, ''];
        for (const year of DEMO_YEARS) out.push(yearPivot(config.calendar, year, runs, indicators), '');
        const failed = runs.filter((r) => r.outcome === 'failed');
        out.push(`${runs.length} runs (${pipelinesCount(runs)} pipelines x their periods) stored in ${storeName(config)}; ${failed.length} failed.`);
        for (const r of failed) out.push(`  FAILED ${r.pipelineId} ${r.period.id}: ${r.error}`);
        out.push('Quarterly and annual values stand under their last month; ! marks a value whose data failed a');
        out.push('data-quality check, ? one whose data only warned. History: lineofsight values <indicator>.', '');
        const risks = await assessAndRecord(config, ctx.store, ctx.register, new Date());
        const escalated = risks.filter((r) => r.changed).length;
        if (ctx.register) out.push(`Risk register: ${risks.length} risks, ${escalated} moved by triggers on the evidence (lineofsight risks)`, renderMatrix(ctx.register, risks, { colour: false }), '');
        const log = await ctx.store.checkLog({ status: 'open' });
        out.push(`Failed-check log: ${log.length} open entr${log.length === 1 ? 'y' : 'ies'} (lineofsight checks show <id> for the sample rows)`, logTable(log));
        process.stdout.write(`${out.join('\n')}\n`);
        if (failed.length) process.exitCode = 1;
      });
    });
}

function pipelinesCount(runs: { pipelineId: string }[]): number {
  return new Set(runs.map((r) => r.pipelineId)).size;
}

function storeName(config: LoadedConfig): string {
  return config.service.store.client === 'sqlite' ? config.service.store.filename : 'PostgreSQL';
}
