import type { Command } from 'commander';
import { formatValue } from '../../indicators/format.js';
import { scorecard, scorecardCsv, scorecardJson, scorecardLineJson, type ScorecardFilter } from '../../report/scorecard.js';
import { ragWord, useColour } from '../colour.js';
import { withOpenService, type GlobalOptions } from '../context.js';
import { csvText } from '../../text.js';
import { renderTable } from '../table.js';

type ScorecardOptions = ScorecardFilter & { format: string };

const FORMATS = ['table', 'json', 'csv'];

export function registerScorecard(program: Command): void {
  program
    .command('scorecard')
    .description('every indicator with its value, target, tolerance, RAG, direction of travel, data quality and explanation')
    .option('--period <period>', 'as at this period (default: the latest complete month); each indicator shows its latest period within it')
    .option('--service <service>', 'only this service')
    .option('--clinic <clinic>', 'only this improvement clinic (service grouping)')
    .option('--priority <priority>', 'only this corporate priority')
    .option('--format <format>', 'table, json or csv', 'table')
    .action(async (opts: ScorecardOptions, cmd: Command) => {
      if (!FORMATS.includes(opts.format)) throw new Error(`--format is one of ${FORMATS.join(', ')}, not "${opts.format}"`);
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        const card = await scorecard(open.config, open.store.runs, opts, open.today());
        const { asAt, lines } = card;
        if (opts.format === 'json') {
          process.stdout.write(`${JSON.stringify(scorecardJson(card), null, 2)}\n`);
          return;
        }
        if (opts.format === 'csv') {
          process.stdout.write(csvText(scorecardCsv(card)));
          return;
        }
        const colour = useColour();
        const rows = lines.map((l) => {
          const j = scorecardLineJson(l);
          const unit = l.indicator.unit;
          const fmt = (x: number | null) => formatValue(x, unit, l.indicator.decimals);
          return [
            j.indicator,
            j.period,
            fmt(j.value),
            fmt(j.target),
            formatValue(j.tolerance, unit === '%' ? '' : unit, l.indicator.decimals),
            ragWord(j.rag, colour),
            `${j.directionPrevious ?? '—'} / ${j.directionLastYear ?? '—'}`,
            j.dataQuality ?? '—',
            j.explanation,
          ];
        });
        process.stdout.write(`Scorecard as at ${asAt.id}\n${renderTable(['indicator', 'period', 'value', 'target', 'tolerance', 'RAG', 'direction (prev / last yr)', 'quality', 'explanation'], rows)}\n`);
      });
    });
}
