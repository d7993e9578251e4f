import type { Period } from '../calendar/periods.js';
import type { LoadedPipeline } from '../config/load.js';
import type { CheckConfig } from '../config/schema.js';
import { noNegative, numeratorNotAboveDenominator, type ComputedValue } from '../quality/indicatorChecks.js';
import { errored, judge, type CheckOutcome, type CheckResult } from '../quality/outcome.js';
import { suddenChange } from '../quality/suddenChange.js';
import type { CheckContext, Computed, Engine } from './engine.js';
import type { RunContext } from './execute.js';

/**
 * Runs every check of a pipeline for a period (its logger already names the pipeline). A check that cannot run ends in status error and
 * never stops the others; each failure is also one structured log line.
 */
export async function runChecks(ctx: RunContext, pipeline: LoadedPipeline, period: Period, computed: Computed, engine: Engine, checkCtx: CheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of pipeline.checks) {
    let result: CheckResult;
    try {
      result = judge(check, await outcomeOf(ctx, pipeline, check, period, computed.values, engine, checkCtx));
    } catch (err) {
      result = errored(check, err);
    }
    results.push(result);
    if (result.status !== 'passed') {
      const level = result.status === 'failed' && result.severity === 'error' ? 'error' : 'warn';
      ctx.logger[level](
        {
          event: 'data_quality_check',
          check: check.id,
          type: check.type,
          source: pipeline.source,
          period: period.id,
          status: result.status,
          severity: result.severity,
          failing: result.failing,
          share: result.share,
        },
        result.message,
      );
    }
  }
  return results;
}

async function outcomeOf(
  ctx: RunContext,
  pipeline: LoadedPipeline,
  check: CheckConfig,
  period: Period,
  values: ComputedValue[],
  engine: Engine,
  checkCtx: CheckContext,
): Promise<CheckOutcome> {
  switch (check.type) {
    case 'numerator_not_above_denominator':
      return numeratorNotAboveDenominator(check, values);
    case 'no_negative':
      return noNegative(check, values);
    case 'sudden_change':
      return suddenChangeOutcome(ctx, pipeline, check, period, values);
    default:
      return engine.rowCheck(check, period, checkCtx);
  }
}

async function suddenChangeOutcome(
  ctx: RunContext,
  pipeline: LoadedPipeline,
  check: Extract<CheckConfig, { type: 'sudden_change' }>,
  period: Period,
  values: ComputedValue[],
): Promise<CheckOutcome> {
  const calendar = ctx.config.calendar;
  const indicator = pipeline.indicators.find((i) => i.id === check.indicator)!;
  const stored = await ctx.store.storedValues([indicator.id, ...indicator.replaces], { to: period.start });
  const flagged = new Set((await ctx.store.flaggedPeriods([check.id], pipeline.id)).map((f) => f.periodId));
  const history = stored
    .map((v) => ({ v, p: calendar.parse(v.periodId) }))
    .filter(({ p }) => p.kind === period.kind)
    .map(({ v, p }) => ({
      periodId: v.periodId,
      season: calendar.positionInYear(p),
      value: v.value,
      excluded: v.dataQuality === 'failed' || flagged.has(v.periodId),
    }));
  const current = values.find((v) => v.indicatorId === indicator.id)?.value ?? null;
  return suddenChange(check, current, calendar.positionInYear(period), history);
}
