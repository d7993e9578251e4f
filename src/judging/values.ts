import type { Period } from '../calendar/periods.js';
import type { LoadedConfig, LoadedPipeline } from '../config/load.js';
import type { IndicatorConfig } from '../config/schema.js';
import type { ComputedValue } from '../indicators/compute.js';
import { judgeRag } from '../rag/index.js';
import type { ValueJudgement } from './judgement.js';
import { ragInput, ratingOf, restartsYearToDate } from './rating.js';

/**
 * An indicator's stored value for a period, as judging reads it: where a replaced id and its
 * successor both hold one, the successor's own value (see docs/rag.md, "Replaced indicators").
 */
export type ValueAt = (indicator: IndicatorConfig, periodId: string) => number | null;

/**
 * One value judged: RAG against the target in force with the indicator's tolerance (or the
 * service default and its reason), and direction of travel against the previous period and the
 * same period last year.
 */
export function judgeOne(config: LoadedConfig, indicator: IndicatorConfig, period: Period, actual: number | null, previous: number | null, lastYear: number | null): ValueJudgement {
  const input = ragInput(config, indicator, period, actual, previous, lastYear);
  const judgement = judgeRag(input, ratingOf(config, indicator).scheme);
  return {
    target: input.target?.value ?? null,
    toleranceAmount: judgement.toleranceAmount,
    rag: judgement.status,
    explanation: judgement.explanation,
    directionPrevious: judgement.direction.previous,
    directionLastYear: judgement.direction.lastYear,
  };
}

/** A run's values for a period judged, each against its previous period and the same period last year. */
export function judgeValues(config: LoadedConfig, pipeline: LoadedPipeline, period: Period, values: readonly ComputedValue[], valueAt: ValueAt): Map<string, ValueJudgement> {
  const { calendar } = config;
  const previous = calendar.previous(period);
  const lastYear = calendar.sameLastYear(period);
  const out = new Map<string, ValueJudgement>();
  for (const indicator of pipeline.indicators) {
    const actual = values.find((v) => v.indicatorId === indicator.id)?.value ?? null;
    const before = restartsYearToDate(calendar, indicator, period) ? null : valueAt(indicator, previous.id);
    out.set(indicator.id, judgeOne(config, indicator, period, actual, before, valueAt(indicator, lastYear.id)));
  }
  return out;
}
