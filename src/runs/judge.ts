import type { Period } from '../calendar/periods.js';
import type { LoadedPipeline } from '../config/load.js';
import type { IndicatorConfig } from '../config/schema.js';
import type { ComputedValue } from '../quality/indicatorChecks.js';
import { judgeRag, schemeNamed } from '../rag/index.js';
import type { StoredValue, ValueJudgement } from '../store/store.js';
import { targetInForce } from '../targets/inForce.js';
import type { RunContext } from './execute.js';

/** The stored value of an indicator (or of an id it replaces) for a period. */
function historyOf(stored: readonly StoredValue[], indicator: IndicatorConfig, periodId: string): number | null {
  const ids = [indicator.id, ...indicator.replaces];
  return stored.find((v) => v.periodId === periodId && ids.includes(v.indicatorId))?.value ?? null;
}

/**
 * Judges a period's values: RAG against the target in force with the indicator's tolerance (or
 * the service default and its reason), and direction of travel against the previous period and
 * the same period last year, read for the whole pipeline in one query.
 */
export async function judgeValues(ctx: RunContext, pipeline: LoadedPipeline, period: Period, values: readonly ComputedValue[]): Promise<Map<string, ValueJudgement>> {
  const { calendar, service } = ctx.config;
  const previous = calendar.previous(period);
  const lastYear = calendar.sameLastYear(period);
  const stored = await ctx.store.valuesInPeriods(
    pipeline.indicators.flatMap((i) => [i.id, ...i.replaces]),
    [previous.id, lastYear.id],
  );
  const out = new Map<string, ValueJudgement>();
  for (const indicator of pipeline.indicators) {
    const value = values.find((v) => v.indicatorId === indicator.id);
    const monitor = indicator.rag === 'monitor';
    const scheme = schemeNamed(!indicator.rag || monitor ? service.rag.scheme : indicator.rag, service.rag.schemes);
    const target = targetInForce(calendar, indicator, period)?.target;
    const tolerance = indicator.tolerance ?? service.rag.default_tolerance;
    const judgement = judgeRag(
      {
        polarity: indicator.polarity,
        monitor,
        unit: indicator.unit,
        decimals: indicator.decimals,
        actual: value?.value ?? null,
        target: target ? { value: target.value, floor: target.floor, stretch: target.stretch, range: target.range } : null,
        tolerance: { ...tolerance, reason: tolerance.reason ?? '' },
        previous: historyOf(stored, indicator, previous.id),
        lastYear: historyOf(stored, indicator, lastYear.id),
        period: period.id,
      },
      scheme,
    );
    out.set(indicator.id, {
      target: target?.value ?? null,
      toleranceAmount: judgement.toleranceAmount,
      rag: judgement.status,
      explanation: judgement.explanation,
      directionPrevious: judgement.direction.previous,
      directionLastYear: judgement.direction.lastYear,
    });
  }
  return out;
}
