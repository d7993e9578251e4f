import type { Command } from 'commander';
import { KIND_OF_FREQUENCY, type Period } from '../../calendar/periods.js';
import type { IndicatorConfig } from '../../config/schema.js';
import type { StoredValue } from '../../store/store.js';
import { ragWord, useColour } from '../colour.js';
import { withContext, type GlobalOptions } from '../context.js';
import { csvLine, formatValue, renderTable } from '../table.js';

interface ScorecardOptions {
  period?: string;
  service?: string;
  clinic?: string;
  priority?: string;
  format: string;
}

interface Line {
  indicator: IndicatorConfig;
  pipelineId: string;
  period: Period;
  stored: StoredValue | undefined;
}

const FORMATS = ['table', 'json', 'csv'];

/** The documented JSON shape of a scorecard line (README, "JSON output"). */
function lineJson(l: Line) {
  const v = l.stored;
  return {
    indicator: l.indicator.id,
    title: l.indicator.title,
    unit: l.indicator.unit,
    pipeline: l.pipelineId,
    service: l.indicator.service,
    clinic: l.indicator.clinic ?? null,
    priority: l.indicator.priority ?? null,
    owner: l.indicator.owner ?? null,
    period: l.period.id,
    value: v?.value ?? null,
    target: v?.judgement?.target ?? null,
    tolerance: v?.judgement?.toleranceAmount ?? null,
    rag: v?.judgement?.rag ?? (v ? 'NOT_JUDGED' : 'MISSING'),
    directionPrevious: v?.judgement?.directionPrevious ?? null,
    directionLastYear: v?.judgement?.directionLastYear ?? null,
    dataQuality: v?.dataQuality ?? null,
    explanation: v?.judgement?.explanation ?? (v ? '' : `MISSING: no value stored for ${l.period.id}`),
  };
}

const CSV_COLUMNS = ['indicator', 'title', 'unit', 'pipeline', 'service', 'clinic', 'priority', 'owner', 'period', 'value', 'target', 'tolerance', 'rag', 'directionPrevious', 'directionLastYear', 'dataQuality', 'explanation'] as const;


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
      await withContext(cmd.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        const calendar = ctx.config.calendar;
        const asAt = opts.period ? calendar.parse(opts.period) : calendar.latestComplete(ctx.today, 'month');
        const lines: Line[] = [];
        for (const pipeline of ctx.config.pipelines) {
          const kind = KIND_OF_FREQUENCY[pipeline.frequency];
          // The indicator's own period that contains the last day of the one asked for, or the
          // one before if that has not ended by then.
          let period = calendar.containing(calendar.previous(calendar.containing(asAt.end, 'month')).start, kind);
          if (period.end > asAt.end) period = calendar.previous(period);
          for (const indicator of pipeline.indicators) {
            if (opts.service && indicator.service !== opts.service) continue;
            if (opts.clinic && indicator.clinic !== opts.clinic) continue;
            if (opts.priority && indicator.priority !== opts.priority) continue;
            lines.push({ indicator, pipelineId: pipeline.id, period, stored: undefined });
          }
        }
        const stored = await ctx.store.valuesInPeriods(
          lines.map((l) => l.indicator.id),
          [...new Set(lines.map((l) => l.period.id))],
        );
        const byKey = new Map(stored.map((v) => [`${v.indicatorId}/${v.periodId}`, v]));
        for (const l of lines) l.stored = byKey.get(`${l.indicator.id}/${l.period.id}`);

        if (opts.format === 'json') {
          process.stdout.write(`${JSON.stringify({ asAt: asAt.id, indicators: lines.map(lineJson) }, null, 2)}\n`);
          return;
        }
        if (opts.format === 'csv') {
          const rows = lines.map((l) => {
            const j = lineJson(l);
            return csvLine(CSV_COLUMNS.map((c) => j[c]));
          });
          process.stdout.write(`${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`);
          return;
        }
        const colour = useColour();
        const rows = lines.map((l) => {
          const j = lineJson(l);
          const unit = l.indicator.unit;
          const fmt = (x: number | null) => (x === null ? '—' : formatValue(x, unit, l.indicator.decimals));
          return [
            j.indicator,
            j.period,
            fmt(j.value),
            fmt(j.target),
            j.tolerance === null ? '—' : formatValue(j.tolerance, unit === '%' ? '' : unit, l.indicator.decimals),
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
