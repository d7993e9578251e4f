import type { LocalDate } from '../calendar/localDate.js';
import type { FinancialCalendar, Period } from '../calendar/periods.js';
import type { CheckConfig, IndicatorConfig } from '../config/schema.js';
import type { ComputedValue } from '../quality/indicatorChecks.js';
import type { CheckOutcome } from '../quality/outcome.js';

export const INPUT_KEYS = ['value', 'numerator', 'denominator'] as const;

export interface Window {
  start: LocalDate;
  end: LocalDate;
}

/** The interval an indicator is computed over: its period, or the year to date. */
export function windowOf(calendar: FinancialCalendar, indicator: IndicatorConfig, period: Period): Window {
  return indicator.accumulation === 'year_to_date' ? calendar.yearToDate(period) : { start: period.start, end: period.end };
}

export interface Computed {
  values: ComputedValue[];
  rowsRead: number;
  rowsRejected: number;
  /** The source had no rows at all for the period: its values are shown but not stored. */
  noRows?: boolean;
}

export interface CheckContext {
  now: Date;
  timeZone: string;
  holidays: readonly string[];
}

/** How one kind of source computes a pipeline's values and runs its row-level checks for a period. */
export interface Engine {
  compute(period: Period): Promise<Computed>;
  rowCheck(check: CheckConfig, period: Period, ctx: CheckContext): Promise<CheckOutcome>;
}
