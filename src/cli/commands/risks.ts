import type { Command } from 'commander';
import type { RiskAssessment } from '../../risk/evaluate.js';
import { renderMatrix, renderRiskList } from '../../risk/render.js';
import { useColour } from '../colour.js';
import { withContext, type GlobalOptions } from '../context.js';
import { csvLine, renderTable } from '../table.js';
import type { RiskRegister } from '../../risk/config.js';
import type { RiskPositionRecord } from '../../store/store.js';
import { assessAndRecord } from '../../runs/risks.js';

const FORMATS = ['table', 'json', 'csv'];

/** The documented JSON shape of a risk assessment (README, "JSON output"). */
export function assessmentJson(a: RiskAssessment) {
  return {
    risk: a.riskId,
    recorded: a.recorded,
    assessed: a.assessed,
    changed: a.changed,
    exception: a.exception,
    triggered: a.triggered.map((t) => ({ trigger: t.triggerId, evidence: t.evidence })),
  };
}

/** A risk's history as a table, the documented JSON shape, or CSV. */
function printHistory(register: RiskRegister, history: RiskPositionRecord[], riskId: string, format: string): void {
  if (!register.risks.some((r) => r.id === riskId)) throw new Error(`unknown risk "${riskId}" (risks in ${register.file}: ${register.risks.map((r) => r.id).join(', ')})`);
  const rows = history.map((h) => ({ at: h.assessedAt, position: `${h.likelihood}/${h.impact}`, score: h.score, aboveTolerance: h.aboveTolerance, moved: h.triggered, evidence: h.evidence }));
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
    .addHelpText('after', '\nRisks are assessed on the stored evidence now; a moved position is recorded in the risk\'s history.')
    .action(async (opts: { format: string; history?: string }, cmd: Command) => {
      if (!FORMATS.includes(opts.format)) throw new Error(`--format is one of ${FORMATS.join(', ')}, not "${opts.format}"`);
      await withContext(cmd.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        if (!ctx.register) throw new Error(`no risk register: name one with risks_file in ${ctx.config.file}`);
        if (opts.history !== undefined) return printHistory(ctx.register, await ctx.store.riskHistory(opts.history), opts.history, opts.format);
        const assessments = await assessAndRecord(ctx.config, ctx.store, ctx.register, new Date());
        if (opts.format === 'json') {
          process.stdout.write(`${JSON.stringify({ risks: assessments.map(assessmentJson) }, null, 2)}\n`);
          return;
        }
        if (opts.format === 'csv') {
          const header = 'risk,recorded,assessed,score,above_tolerance,changed,evidence';
          const rows = assessments.map((a) =>
            csvLine([a.riskId, `${a.recorded.likelihood}/${a.recorded.impact}`, `${a.assessed.likelihood}/${a.assessed.impact}`, a.assessed.score, a.exception, a.changed, a.triggered.map((t) => t.evidence).join('; ')]),
          );
          process.stdout.write(`${[header, ...rows].join('\r\n')}\r\n`);
          return;
        }
        const colour = useColour();
        process.stdout.write(`${renderMatrix(ctx.register, assessments, { colour })}\n\n${renderRiskList(ctx.register, assessments, { colour })}\n`);
      });
    });
}
