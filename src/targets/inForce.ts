import type { FinancialCalendar, Period } from '../calendar/periods.js';
import type { IndicatorConfig, TargetConfig } from '../config/schema.js';
import { spanOf } from '../config/targetSpans.js';

/** Where a target came from among an indicator's targets, to name it in findings. */
export interface TargetInForce {
  target: TargetConfig;
  index: number;
}

/**
 * The target in force for a period: a target set for that very period, else one set for a
 * period that contains it (a year's target covers its months), else the latest `from` target
 * that began on or before the period. Undefined when none is: a governance finding, not a crash.
 */
export function targetInForce(calendar: FinancialCalendar, indicator: IndicatorConfig, period: Period): TargetInForce | undefined {
  let best: (TargetInForce & { rank: number; start: string }) | undefined;
  indicator.targets.forEach((target, index) => {
    const span = spanOf(calendar, target);
    if (span.start > period.start) return;
    if (span.end !== undefined && span.end < period.end) return;
    // Rank: an exact period beats a containing period beats a `from`; later starts beat earlier.
    const rank = span.end === undefined ? 0 : span.start === period.start && span.end === period.end ? 2 : 1;
    if (!best || rank > best.rank || (rank === best.rank && span.start > best.start)) best = { target, index, rank, start: span.start };
  });
  return best && { target: best.target, index: best.index };
}
