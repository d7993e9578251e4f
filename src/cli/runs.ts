import { choosePeriods, type PeriodChoice } from '../calendar/selection.js';
import { KIND_OF_FREQUENCY } from '../calendar/periods.js';
import type { LoadedPipeline } from '../config/load.js';
import type { IndicatorConfig } from '../config/schema.js';
import { runPipeline, type PeriodRun } from '../runs/execute.js';
import type { CommandContext } from './context.js';
import { formatValue, renderTable, truncate } from './table.js';

/** Runs pipelines one after another; one that fails is recorded and the next still runs. */
export async function runPipelines(ctx: CommandContext, pipelines: LoadedPipeline[], choice: PeriodChoice): Promise<PeriodRun[]> {
  const out: PeriodRun[] = [];
  for (const pipeline of pipelines) {
    const periods = choosePeriods(ctx.config.calendar, KIND_OF_FREQUENCY[pipeline.frequency], choice, ctx.today);
    out.push(...(await runPipeline(ctx, pipeline, periods)));
  }
  return out;
}

export function indicatorsById(pipelines: LoadedPipeline[]): Map<string, IndicatorConfig> {
  return new Map(pipelines.flatMap((p) => p.indicators.map((i) => [i.id, i] as const)));
}

/** The documented `run --json` shape (README, "JSON output"). */
export function runsJson(runs: PeriodRun[], indicators: Map<string, IndicatorConfig>) {
  return {
    runs: runs.map((r) => ({
      runId: r.runId,
      pipeline: r.pipelineId,
      period: r.period.id,
      periodStart: r.period.start,
      periodEnd: r.period.end,
      outcome: r.outcome,
      error: r.error,
      rowsRead: r.rowsRead,
      rowsRejected: r.rowsRejected,
      values: r.values.map((v) => ({
        indicator: v.indicatorId,
        title: indicators.get(v.indicatorId)?.title ?? null,
        unit: indicators.get(v.indicatorId)?.unit ?? null,
        value: v.value,
        numerator: v.numerator,
        denominator: v.denominator,
        reason: v.reason,
      })),
    })),
  };
}

export function runsTable(runs: PeriodRun[], indicators: Map<string, IndicatorConfig>): string {
  const rows: string[][] = [];
  for (const r of runs) {
    if (r.outcome === 'failed') {
      rows.push([r.pipelineId, r.period.id, '', 'FAILED', truncate(r.error ?? '', 90)]);
      continue;
    }
    for (const v of r.values) {
      const ind = indicators.get(v.indicatorId);
      rows.push([r.pipelineId, r.period.id, v.indicatorId, formatValue(v.value, ind?.unit ?? '', ind?.decimals ?? 2), v.reason ?? '']);
    }
  }
  return renderTable(['pipeline', 'period', 'indicator', 'value', 'note'], rows);
}
