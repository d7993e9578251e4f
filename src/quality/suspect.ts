import type { PeriodKind } from '../calendar/periods.js';
import { SUSPECT_VALUES_CHECK, type CheckOf as Of, type IndicatorConfig } from '../config/schema.js';
import type { ComputedValue } from '../indicators/compute.js';
import { formatValue } from '../indicators/format.js';
import type { CheckOutcome } from './result.js';

/** How many earlier values the rules weigh: half a year of months, six quarters, six years. */
export const SUSPECT_HISTORY = 6;
const HISTORY_IN_WORDS = 'six';

/** An earlier value, as the suspect-values rules read it. */
export interface EarlierValue {
  periodId: string;
  value: number;
}

/** The built-in check every pipeline runs on its rated indicators (warn: a value to question, not to refuse). */
export const SUSPECT_VALUES: Of<'suspect_values'> = {
  id: SUSPECT_VALUES_CHECK,
  type: 'suspect_values',
  description: 'A value that looks like missing or copied data: 0 far from the last six, or the last value exactly repeated.',
  severity: 'warn',
  sample: 100,
};

/** Indicators the check weighs: rated ones (a monitor indicator has no expected level) that have not turned it off. */
export function weighsSuspicion(indicator: IndicatorConfig): boolean {
  return indicator.suspect_values && indicator.rag !== 'monitor' && indicator.polarity !== 'none';
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const PLURAL: Record<PeriodKind, string> = { month: 'months', quarter: 'quarters', year: 'years' };

/**
 * Why a value looks like data that is missing or copied, in words, or undefined when it does not.
 * `earlier` is the SUSPECT_HISTORY values before it, oldest first. Exactly 0 where the median of
 * the earlier ones is not 0 and 0 lies more than three median absolute deviations from it; or
 * exactly the previous value where the earlier ones all differed from each other.
 */
export function suspicion(value: number, earlier: readonly EarlierValue[], kind: PeriodKind, show: (x: number) => string): string | undefined {
  if (earlier.length < SUSPECT_HISTORY) return undefined;
  const last = earlier.slice(-SUSPECT_HISTORY);
  const values = last.map((e) => e.value);
  const middle = median(values);
  const spread = median(values.map((x) => Math.abs(x - middle)));
  const span = `${HISTORY_IN_WORDS} ${PLURAL[kind]} between ${show(Math.min(...values))} and ${show(Math.max(...values))}`;
  if (value === 0 && middle !== 0 && Math.abs(middle) > 3 * spread) return `0 after ${span}: is the data missing?`;
  const previous = last[last.length - 1]!;
  if (value === previous.value && new Set(values).size === values.length) {
    return `${show(value)} again, exactly the value of ${previous.periodId}, after ${HISTORY_IN_WORDS} ${PLURAL[kind]} that all differed: is the data a copy of the last ${kind}'s?`;
  }
  return undefined;
}

/** What the check reads for a period: the values computed, and each indicator's earlier values. */
export interface SuspectContext {
  indicators: readonly IndicatorConfig[];
  values: readonly ComputedValue[];
  kind: PeriodKind;
  /** The SUSPECT_HISTORY values just before the period, oldest first; fewer when some are missing. */
  earlier(indicator: IndicatorConfig): readonly EarlierValue[];
}

/** Each suspect value is a failing row of the sample, naming its indicator; the rated values weighed are the rows checked. */
export function suspectValues(ctx: SuspectContext): CheckOutcome {
  const sample: Record<string, unknown>[] = [];
  let checked = 0;
  for (const indicator of ctx.indicators) {
    if (!weighsSuspicion(indicator)) continue;
    const value = ctx.values.find((v) => v.indicatorId === indicator.id)?.value ?? null;
    const earlier = ctx.earlier(indicator);
    if (value === null || earlier.length < SUSPECT_HISTORY) continue;
    checked++;
    const why = suspicion(value, earlier, ctx.kind, (x) => formatValue(x, indicator.unit, indicator.decimals));
    if (why) sample.push({ indicator: indicator.id, value, explanation: why });
  }
  const detail = sample.length
    ? sample.map((s) => `${s.indicator}: ${s.explanation}`).join('; ')
    : `${checked} value${checked === 1 ? '' : 's'} with ${HISTORY_IN_WORDS} earlier ones, none suspect`;
  return { failing: sample.length, checked, sample, detail };
}

/** Why each value a suspect-values result flags is suspect, by indicator: their data quality is at most warned. */
export function suspicionsOf(sample: readonly Record<string, unknown>[]): Map<string, string> {
  return new Map(sample.map((s) => [String(s.indicator), String(s.explanation)]));
}
