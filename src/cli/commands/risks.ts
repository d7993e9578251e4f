import type { Command } from 'commander';
import type { RiskAssessment } from '../../risk/evaluate.js';
import { renderMatrix, renderRiskList } from '../../risk/render.js';
import { useColour } from '../colour.js';
import { withContext, type GlobalOptions } from '../context.js';
import { csvLine } from '../table.js';
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


export function registerRisks(program: Command): void {
  program
    .command('risks')
    .description('the risk matrix with every risk placed and the tolerance line drawn, then the risks with their triggered evidence')
    .option('--format <format>', 'table, json or csv', 'table')
    .addHelpText('after', '\nRisks are assessed on the stored evidence now; a moved position is recorded in the risk\'s history.')
    .action(async (opts: { format: string }, cmd: Command) => {
      if (!FORMATS.includes(opts.format)) throw new Error(`--format is one of ${FORMATS.join(', ')}, not "${opts.format}"`);
      await withContext(cmd.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        if (!ctx.register) throw new Error(`no risk register: name one with risks_file in ${ctx.config.file}`);
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
