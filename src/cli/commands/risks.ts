import type { Command } from 'commander';
import { historyCsv, historyJson, recordedStandings, riskHistory, risksCsv, risksJson, type RiskHistory } from '../../report/risks.js';
import { useColour } from '../colour.js';
import { withOpenService, type GlobalOptions } from '../context.js';
import { renderMatrix, renderRiskList } from '../riskMatrix.js';
import { csvText } from '../../text.js';
import { renderTable } from '../table.js';

const FORMATS = ['table', 'json', 'csv'];

/** A risk's history as a table, the documented JSON shape, or CSV. */
function printHistory(history: RiskHistory, format: string): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(historyJson(history), null, 2)}\n`);
  } else if (format === 'csv') {
    process.stdout.write(csvText(historyCsv(history)));
  } else if (!history.positions.length) {
    process.stdout.write(`${history.riskId} has no recorded position yet: risks are assessed after every run.\n`);
  } else {
    const table = historyJson(history).history.map((r) => [r.at, r.position, r.score, r.aboveTolerance ? 'ABOVE' : '', r.evidence.join('; ')]);
    process.stdout.write(`${history.riskId}: every change of position, oldest first\n${renderTable(['assessed at', 'position', 'score', 'tolerance', 'evidence'], table)}\n`);
  }
}

export function registerRisks(program: Command): void {
  program
    .command('risks')
    .description('the risk matrix with every risk placed and the tolerance line drawn, then the risks with their triggered evidence')
    .option('--format <format>', 'table, json or csv', 'table')
    .option('--history <risk>', "the risk's recorded positions, oldest first, each with the evidence that moved it")
    .addHelpText('after', '\nShows each risk at the position the last run recorded, with the evidence recorded then;\nrisks are assessed, and their moves recorded, by runs only.')
    .action(async (opts: { format: string; history?: string }, cmd: Command) => {
      if (!FORMATS.includes(opts.format)) throw new Error(`--format is one of ${FORMATS.join(', ')}, not "${opts.format}"`);
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        if (!open.register) throw new Error(`no risk register: name one with risks_file in ${open.config.file}`);
        if (opts.history !== undefined) return printHistory(await riskHistory(open.register, open.store.risks, opts.history), opts.format);
        const standings = await recordedStandings(open.register, open.store.risks);
        if (opts.format === 'json') {
          process.stdout.write(`${JSON.stringify(risksJson(standings), null, 2)}\n`);
        } else if (opts.format === 'csv') {
          process.stdout.write(csvText(risksCsv(standings)));
        } else {
          const colour = useColour();
          process.stdout.write(`${renderMatrix(open.register, standings, { colour })}\n\n${renderRiskList(open.register, standings, { colour })}\n`);
        }
      });
    });
}
