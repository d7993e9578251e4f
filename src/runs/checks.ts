import type { Clock } from '../calendar/clock.js';
import type { Period } from '../calendar/periods.js';
import type { LoadedPipeline } from '../config/load.js';
import type { CheckConfig } from '../config/schema.js';
import type { ComputedValue } from '../indicators/compute.js';
import type { Logger } from '../logger.js';
import { applyThresholds, errored } from '../quality/outcome.js';
import { runnerOf, type ValuesContext } from '../quality/checkRegistry.js';
import type { CheckOutcome, CheckResult } from '../quality/result.js';
import { SUSPECT_HISTORY, SUSPECT_VALUES, weighsSuspicion } from '../quality/suspect.js';
import type { Engine } from './engine.js';
import type { PipelineHistory } from './history.js';

/** What a pipeline's checks read for one period. */
export interface PeriodChecks {
  pipeline: LoadedPipeline;
  period: Period;
  values: readonly ComputedValue[];
  engine: Engine;
  history: PipelineHistory;
  clock: Clock;
  season: number;
  /** Already names the pipeline. */
  logger: Logger;
}

/**
 * Runs the checks of a pipeline for a period (every one, or those `which` keeps). A check that
 * cannot run ends in status error and never stops the others; each failure is also one
 * structured log line.
 */
export async function runChecks(at: PeriodChecks, which: (check: CheckConfig) => boolean = () => true): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checksOf(at.pipeline)) {
    if (!which(check)) continue;
    let result: CheckResult;
    try {
      result = applyThresholds(check, await outcomeOf(check, at));
    } catch (err) {
      result = errored(check, err);
    }
    results.push(result);
    if (result.status !== 'passed') {
      const level = result.status === 'failed' && result.severity === 'error' ? 'error' : 'warn';
      at.logger[level](
        {
          event: 'data_quality_check',
          check: check.id,
          type: check.type,
          source: at.pipeline.source,
          period: at.period.id,
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

/** A check on computed values runs here; any other is measured by the source's engine. */
function outcomeOf(check: CheckConfig, at: PeriodChecks): Promise<CheckOutcome> | CheckOutcome {
  const values = runnerOf(check).values;
  if (!values) return at.engine.measure(check, at.period, at.clock);
  const ctx: ValuesContext = {
    values: at.values,
    indicators: at.pipeline.indicators,
    kind: at.period.kind,
    earlier: (indicator) => at.history.earlier(indicator, at.period, SUSPECT_HISTORY),
    season: at.season,
    history: (indicatorId) => at.history.baseline(at.pipeline.indicators.find((i) => i.id === indicatorId)!, check.id, at.period),
  };
  return values(check, ctx);
}

/** Every check a pipeline runs: its own, and suspect values where it has an indicator to weigh. */
export function checksOf(pipeline: LoadedPipeline): CheckConfig[] {
  return pipeline.indicators.some(weighsSuspicion) ? [...pipeline.checks, SUSPECT_VALUES] : pipeline.checks;
}
