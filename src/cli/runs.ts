import { choosePeriods, type PeriodChoice } from '../calendar/selection.js';
import { KIND_OF_FREQUENCY } from '../calendar/periods.js';
import type { LoadedConfig, LoadedPipeline } from '../config/load.js';
import type { IndicatorConfig } from '../config/schema.js';
import { runPipeline, type PeriodRun } from '../runs/execute.js';
import type { CommandContext } from './context.js';
import { findingJson, locateFinding } from './governance.js';
import { formatValue, renderTable } from './table.js';

/**
 * Runs pipelines one after another; one that fails is recorded and the next still runs. Periods
 * are worked out for every pipeline before any runs, and a pipeline with no period of its own
 * frequency in the one asked for (an annual pipeline and a month) is skipped, by name.
 */
export async function runPipelines(ctx: CommandContext, pipelines: LoadedPipeline[], choice: PeriodChoice): Promise<{ runs: PeriodRun[]; skipped: string[] }> {
  const plans = pipelines.map((pipeline) => {
    try {
      return { pipeline, periods: choosePeriods(ctx.config.calendar, KIND_OF_FREQUENCY[pipeline.frequency], choice, ctx.today) };
    } catch (err) {
      return { pipeline, skipped: `${pipeline.id} (${pipeline.frequency}) skipped: ${(err as Error).message}` };
    }
  });
  const runs: PeriodRun[] = [];
  for (const plan of plans) if (plan.periods) runs.push(...(await runPipeline(ctx, plan.pipeline, plan.periods)));
  return { runs, skipped: plans.flatMap((p) => (p.skipped ? [p.skipped] : [])) };
}

export function indicatorsById(pipelines: LoadedPipeline[]): Map<string, IndicatorConfig> {
  return new Map(pipelines.flatMap((p) => p.indicators.map((i) => [i.id, i] as const)));
}

/** The documented `run --json` shape (README, "JSON output"). */
export function runsJson(config: LoadedConfig, runs: PeriodRun[]) {
  const pipelines = new Map(config.pipelines.map((p) => [p.id, p]));
  const indicators = indicatorsById(config.pipelines);
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
      dataQuality: r.dataQuality,
      checks: r.checks.map((c) => ({
        check: c.checkId,
        type: c.type,
        status: c.status,
        severity: c.severity,
        failing: c.failing,
        checked: c.checked,
        share: c.share,
        message: c.message,
      })),
      values: r.values.map((v) => ({
        indicator: v.indicatorId,
        title: indicators.get(v.indicatorId)?.title ?? null,
        unit: indicators.get(v.indicatorId)?.unit ?? null,
        value: v.value,
        numerator: v.numerator,
        denominator: v.denominator,
        reason: v.reason,
        dataQuality: v.dataQuality,
        target: v.judgement?.target ?? null,
        tolerance: v.judgement?.toleranceAmount ?? null,
        rag: v.judgement?.rag ?? null,
        directionPrevious: v.judgement?.directionPrevious ?? null,
        directionLastYear: v.judgement?.directionLastYear ?? null,
        explanation: v.judgement?.explanation ?? null,
      })),
      governance: r.governance.map((g) => findingJson(locateFinding(config, pipelines.get(r.pipelineId)!, g))),
    })),
  };
}

export function runsTable(runs: PeriodRun[], indicators: Map<string, IndicatorConfig>): string {
  const rows: string[][] = [];
  for (const r of runs) {
    if (r.outcome === 'failed') {
      rows.push([r.pipelineId, r.period.id, '', 'FAILED', '', '', 'see below']);
      continue;
    }
    for (const v of r.values) {
      const ind = indicators.get(v.indicatorId);
      rows.push([r.pipelineId, r.period.id, v.indicatorId, formatValue(v.value, ind?.unit ?? '', ind?.decimals ?? 2), v.judgement?.rag ?? '', v.dataQuality, v.judgement?.explanation ?? v.reason ?? '']);
    }
  }
  const failures = runs.filter((r) => r.outcome === 'failed').map((r) => `FAILED ${r.pipelineId} ${r.period.id}: ${r.error}`);
  const checks = runs.flatMap((r) => r.checks.filter((c) => c.status !== 'passed').map((c) => `CHECK ${c.status.toUpperCase()} ${r.pipelineId} ${r.period.id} ${c.checkId} (${c.severity}): ${c.message}`));
  const governance = runs.flatMap((r) => r.governance.map((g) => `GOVERNANCE ${r.pipelineId} ${r.period.id}: ${g.message}`));
  return [renderTable(['pipeline', 'period', 'indicator', 'value', 'RAG', 'quality', 'explanation'], rows), ...failures, ...checks, ...governance].join('\n');
}
