import type { FinancialCalendar } from '../calendar/periods.js';
import type { IndicatorConfig, TargetConfig } from './schema.js';

interface Span {
  start: string;
  /** Exclusive; undefined for a `from` target, which runs on until replaced. */
  end: string | undefined;
}

/** The periods a target claims: its own period, or from its start until replaced. */
export function spanOf(calendar: FinancialCalendar, target: TargetConfig): Span {
  if (target.period !== undefined) {
    const p = calendar.parse(target.period);
    return { start: p.start, end: p.end };
  }
  return { start: calendar.parse(target.from!).start, end: undefined };
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
