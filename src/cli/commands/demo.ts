import type { Command } from 'commander';
import { prepareDemo } from '../../app/demo.js';
import { withService } from '../../app/open.js';
import { runCycle } from '../../app/runCycle.js';
import { dateIn } from '../../calendar/localDate.js';
import { dateInWords } from '../../calendar/recordDate.js';
import { COUNCIL_NAME } from '../../demo/generate.js';
import { createLogger } from '../../logger.js';
import { shown } from '../../text.js';
import { failedCheckLog } from '../../report/logEntries.js';
import type { PeriodRun } from '../../runs/execute.js';
import { serviceFor, type GlobalOptions } from '../context.js';
import { logTable } from '../logTable.js';
import { AWAITING, yearPivot } from '../pivot.js';
import { renderMatrix } from '../riskMatrix.js';
import { toldLines } from '../runsTable.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('generate the demo council databases and exports, run every pipeline over the demo years and print the values')
    .option('--as-of <date>', 'the day the demo is for (YYYY-MM-DD): its data runs to the last complete month before it (default today)')
    .option('--data-only', 'write the demo databases (finance also as T-SQL, for SQL Server) and exports, and run nothing: the store is not opened')
    .addHelpText('after', '\nThe same --as-of always gives the same data; the demo\'s stories keep their place in the financial year.')
    .action(async (opts: { asOf?: string; dataOnly?: boolean }, cmd: Command) => {
      const service = await serviceFor(cmd.optsWithGlobals<GlobalOptions>());
      const asOf = opts.asOf ?? dateIn(new Date(), service.config.service.timezone);
      const { timeline, choice, lastDay, plantedStory, written } = await prepareDemo(service, asOf);
      if (opts.dataOnly) {
        process.stdout.write(`${COUNCIL_NAME}: demo data as of ${dateInWords(asOf)} written: ${written.finance}, ${written.financeSql}, ${written.services}, ${written.exports}\n`);
        return;
      }
      const { config } = service;
      const first = choice.from!;
      const last = choice.to!;
      await withService(
        service,
        async (open) => {
          const cycle = await runCycle(open, { pipelines: config.pipelines, choice, asOf });
          const { runs, risks } = cycle;
          const indicators = config.pipelines.flatMap((p) => p.indicators);
          const lastMonth = dateInWords(lastDay).replace(/^\d+ /, '');
          const out: string[] = [`${COUNCIL_NAME}: demo indicators, financial years ${first} to ${last}, as of ${dateInWords(asOf)} (data to the end of ${lastMonth})`, ''];
          for (const year of timeline.years) out.push(yearPivot(config.calendar, year, runs, indicators), '');
          const awaiting = runs.filter((r) => r.outcome === 'awaiting');
          const failed = runs.filter((r) => r.outcome === 'failed');
          const leftOut = runs.filter((r) => r.outcome === 'succeeded' && r.rowsRejected > 0);
          const plantedFailures = failed.filter((r) => plantedStory(r) !== undefined).length;
          const planted = (r: PeriodRun) => {
            const story = plantedStory(r);
            return story === undefined ? '' : ` (planted: ${story})`;
          };
          out.push(
            `${runs.length} runs (${new Set(runs.map((r) => r.pipelineId)).size} pipelines x their periods) stored in ${open.store.name}; ` +
              `${failed.length} failed (${plantedFailures} planted), ${awaiting.length} awaiting data, ${leftOut.length} with malformed rows left out.`,
          );
          for (const r of failed) out.push(shown(`  FAILED ${r.pipelineId} ${r.period.id}${planted(r)}: ${r.error}`));
          for (const r of awaiting) out.push(shown(`  AWAITING ${r.pipelineId} ${r.period.id}: ${r.reason}`));
          for (const r of leftOut) out.push(shown(`  ROWS LEFT OUT ${r.pipelineId} ${r.period.id}${planted(r)}: ${r.warnings.join('; ')}`));
          out.push('Quarterly and annual values stand under their last month; ! marks a value whose data failed a');
          out.push(`data-quality check, ? one whose data only warned, ${AWAITING} a period whose data has not arrived.`);
          out.push('History: lineofsight values <indicator>.', '');
          const escalated = risks.filter((r) => r.changed).length;
          if (open.register) out.push(`Risk register: ${risks.length} risks, ${escalated} moved by triggers on the evidence (lineofsight risks)`, renderMatrix(open.register, risks, { colour: false }), '');
          const log = await failedCheckLog(open.store.checkLog, { status: 'open' });
          out.push(`Failed-check log: ${log.length} open entr${log.length === 1 ? 'y' : 'ies'} (lineofsight checks show <id> for the sample rows)`, logTable(log), '');
          out.push('Exception emails: what the demo council\'s managers would have received from this cycle.', ...toldLines(cycle));
          process.stdout.write(`${out.join('\n')}\n`);
          // The demo's planted failures are its story; any other is a real fault.
          if (failed.length > plantedFailures) process.exitCode = 1;
        },
        { logger: createLogger('warn') },
      );
    });
}
