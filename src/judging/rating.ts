import type { FinancialCalendar, Period } from '../calendar/periods.js';
import type { LoadedConfig } from '../config/load.js';
import type { IndicatorConfig, TargetConfig } from '../config/schema.js';
import { schemeNamed, type RagInput, type RagScheme, type RagTarget, type RagTolerance } from '../rag/index.js';
import { targetInForce } from '../targets/inForce.js';

/** What an indicator is judged by, worked out once per indicator rather than once per value. */
export interface Rating {
  scheme: RagScheme;
  tolerance: RagTolerance;
  monitor: boolean;
}
const ratings = new WeakMap<IndicatorConfig, Rating>();
const ragTargets = new WeakMap<TargetConfig, RagTarget>();

export function ratingOf(config: LoadedConfig, indicator: IndicatorConfig): Rating {
  let rating = ratings.get(indicator);
  if (!rating) {
    const { rag } = config.service;
    const monitor = indicator.rag === 'monitor';
    const tolerance = indicator.tolerance ?? rag.default_tolerance;
    rating = {
      scheme: schemeNamed(!indicator.rag || monitor ? rag.scheme : indicator.rag, rag.schemes),
      tolerance: { ...tolerance, reason: tolerance.reason ?? '' },
      monitor,
    };
    ratings.set(indicator, rating);
  }
  return rating;
}

function ragTargetIn(calendar: FinancialCalendar, indicator: IndicatorConfig, period: Period): RagTarget | null {
  const target = targetInForce(calendar, indicator, period)?.target;
  if (!target) return null;
  let t = ragTargets.get(target);
  if (!t) ragTargets.set(target, (t = { value: target.value, floor: target.floor, stretch: target.stretch, range: target.range }));
  return t;
}

/** The RAG engine's input for one value of an indicator. */
export function ragInput(config: LoadedConfig, indicator: IndicatorConfig, period: Period, actual: number | null, previous: number | null, lastYear: number | null): RagInput {
  const { tolerance, monitor } = ratingOf(config, indicator);
  const target = ragTargetIn(config.calendar, indicator, period);
  return { polarity: indicator.polarity, monitor, unit: indicator.unit, decimals: indicator.decimals, actual, target, tolerance, previous, lastYear, period: period.id };
}

/**
 * Whether a value has no previous period to be compared with for direction of travel. A
 * year-to-date value restarts with each financial year: its first period's window is that period
 * alone, the previous period's was the whole of last year, so they are not compared (the same
 * period last year, a window of the same length, still is).
 */
export function restartsYearToDate(calendar: FinancialCalendar, indicator: IndicatorConfig, period: Period): boolean {
  return indicator.accumulation === 'year_to_date' && period.kind !== 'year' && calendar.positionInYear(period) === 1;
}

