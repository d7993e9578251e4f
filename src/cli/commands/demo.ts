import type { Command } from 'commander';
import { prepareDemo } from '../../app/demo.js';
import { withService } from '../../app/open.js';
import { runCycle } from '../../app/runCycle.js';
import type { LoadedConfig } from '../../config/load.js';
import { COUNCIL_NAME, DEMO_YEARS } from '../../demo/generate.js';
import { createLogger } from '../../logger.js';
import { failedCheckLog } from '../../report/logEntries.js';
import { serviceFor, type GlobalOptions } from '../context.js';
import { logTable } from '../logTable.js';
import { yearPivot } from '../pivot.js';
import { renderMatrix } from '../riskMatrix.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('generate the demo council databases, run every pipeline over the demo years and print the values')
    .action(async (_opts: unknown, cmd: Command) => {
      const service = await serviceFor(cmd.optsWithGlobals<GlobalOptions>());
      const { first, last } = await prepareDemo(service);
      const { config } = service;
      await withService(
        service,
        async (open) => {
          const { runs, risks } = await runCycle(open, { pipelines: config.pipelines, choice: { from: first, to: last } });
          const indicators = config.pipelines.flatMap((p) => p.indicators);
          const out: string[] = [`${COUNCIL_NAME}: demo indicators, financial years ${first} to ${last}`, ''];
          for (const year of DEMO_YEARS) out.push(yearPivot(config.calendar, year, runs, indicators), '');
          const failed = runs.filter((r) => r.outcome === 'failed');
          out.push(`${runs.length} runs (${new Set(runs.map((r) => r.pipelineId)).size} pipelines x their periods) stored in ${storeName(config)}; ${failed.length} failed.`);
          for (const r of failed) out.push(`  FAILED ${r.pipelineId} ${r.period.id}: ${r.error}`);
          out.push('Quarterly and annual values stand under their last month; ! marks a value whose data failed a');
          out.push('data-quality check, ? one whose data only warned. History: lineofsight values <indicator>.', '');
          const escalated = risks.filter((r) => r.changed).length;
          if (open.register) out.push(`Risk register: ${risks.length} risks, ${escalated} moved by triggers on the evidence (lineofsight risks)`, renderMatrix(open.register, risks, { colour: false }), '');
          const log = await failedCheckLog(open.store.checkLog, { status: 'open' });
          out.push(`Failed-check log: ${log.length} open entr${log.length === 1 ? 'y' : 'ies'} (lineofsight checks show <id> for the sample rows)`, logTable(log));
          process.stdout.write(`${out.join('\n')}\n`);
          if (failed.length) process.exitCode = 1;
        },
        { logger: createLogger('warn') },
      );
    });
}

function storeName(config: LoadedConfig): string {
  return config.service.store.client === 'sqlite' ? config.service.store.filename : 'PostgreSQL';
}
