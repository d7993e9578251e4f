import type { Command } from 'commander';
import type { RiskRegister } from '../../risk/config.js';
import type { RecordedPosition } from '../../risk/position.js';
import { renderMatrix, renderRiskList } from '../riskMatrix.js';
import { assessmentJson, historyRows, recordedStandings, riskNamed } from '../../report/risks.js';
import { useColour } from '../colour.js';
import { withOpenService, type GlobalOptions } from '../context.js';
import { csvLine, renderTable } from '../table.js';

const FORMATS = ['table', 'json', 'csv'];

/** A risk's history as a table, the documented JSON shape, or CSV. */
function printHistory(register: RiskRegister, history: RecordedPosition[], riskId: string, format: string): void {
  riskNamed(register, riskId);
  const rows = historyRows(history);
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ risk: riskId, history: rows }, null, 2)}\n`);
  } else if (format === 'csv') {
    const lines = rows.map((r) => csvLine([r.at, r.position, r.score, r.aboveTolerance, r.moved, r.evidence.join('; ')]));
    process.stdout.write(`${['assessed_at,position,score,above_tolerance,moved_by_triggers,evidence', ...lines].join('\r\n')}\r\n`);
  } else if (!rows.length) {
    process.stdout.write(`${riskId} has no recorded position yet: risks are assessed after every run.\n`);
  } else {
    const table = rows.map((r) => [r.at, r.position, r.score, r.aboveTolerance ? 'ABOVE' : '', r.evidence.join('; ')]);
    process.stdout.write(`${riskId}: every change of position, oldest first\n${renderTable(['assessed at', 'position', 'score', 'tolerance', 'evidence'], table)}\n`);
  }
}

export function registerRisks(program: Command): void {
  program
    .command('risks')
    .description('the risk matrix with every risk placed and the tolerance line drawn, then the risks with their triggered evidence')
    .option('--format <format>', 'table, json or csv', 'table')
    .option('--history <risk>', "the risk's recorded positions, oldest first, each with the evidence that moved it")
    .addHelpText('after', "\nShows each risk at the position the last run recorded, with the evidence that put it there;\nrisks are assessed, and their moves recorded, by runs only.")
    .action(async (opts: { format: string; history?: string }, cmd: Command) => {
      if (!FORMATS.includes(opts.format)) throw new Error(`--format is one of ${FORMATS.join(', ')}, not "${opts.format}"`);
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        if (!open.register) throw new Error(`no risk register: name one with risks_file in ${open.config.file}`);
        if (opts.history !== undefined) return printHistory(open.register, await open.store.risks.riskHistory(opts.history), opts.history, opts.format);
        const standings = await recordedStandings(open.register, open.store.risks);
        if (opts.format === 'json') {
          process.stdout.write(`${JSON.stringify({ risks: standings.map(assessmentJson) }, null, 2)}\n`);
          return;
        }
        if (opts.format === 'csv') {
          const header = 'risk,recorded,assessed,score,above_tolerance,changed,evidence';
          const rows = standings.map((a) =>
            csvLine([a.riskId, `${a.recorded.likelihood}/${a.recorded.impact}`, `${a.assessed.likelihood}/${a.assessed.impact}`, a.assessed.score, a.exception, a.changed, a.triggered.map((t) => t.evidence).join('; ')]),
          );
          process.stdout.write(`${[header, ...rows].join('\r\n')}\r\n`);
          return;
        }
        const colour = useColour();
        process.stdout.write(`${renderMatrix(open.register, standings, { colour })}\n\n${renderRiskList(open.register, standings, { colour })}\n`);
      });
    });
}
