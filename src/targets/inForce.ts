import type { FinancialCalendar, Period } from '../calendar/periods.js';
import type { IndicatorConfig, TargetConfig } from '../config/schema.js';

/** Where a target came from among an indicator's targets, to name it in findings. */
export interface TargetInForce {
  target: TargetConfig;
  index: number;
}

interface Span {
  start: string;
  /** Exclusive; undefined for a `from` target, which runs on until replaced. */
  end: string | undefined;
}

function spanOf(calendar: FinancialCalendar, target: TargetConfig): Span {
  if (target.period !== undefined) {
    const p = calendar.parse(target.period);
    return { start: p.start, end: p.end };
  }
  return { start: calendar.parse(target.from!).start, end: undefined };
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

/**
 * Pairs of an indicator's targets that claim the same periods with equal standing, so neither
 * could be said to be in force: two for the same period, or two from the same period onwards.
 * (A quarter's target inside a year's is not an overlap: the more specific one is in force.)
 */
export function overlappingTargets(calendar: FinancialCalendar, indicator: IndicatorConfig): [number, number][] {
  const keys = indicator.targets.map((t) => {
    const span = spanOf(calendar, t);
    return `${t.period === undefined ? 'from' : 'period'}:${span.start}:${span.end ?? ''}`;
  });
  const out: [number, number][] = [];
  keys.forEach((key, j) => {
    const i = keys.indexOf(key);
    if (i < j) out.push([i, j]);
  });
  return out;
}
