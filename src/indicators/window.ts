import type { LocalDate } from '../calendar/localDate.js';
import type { FinancialCalendar, Period } from '../calendar/periods.js';
import type { IndicatorConfig } from '../config/schema.js';

/** The inputs an indicator may name: a value, or a numerator and a denominator. */
export const INPUT_KEYS = ['value', 'numerator', 'denominator'] as const;

export interface Window {
  start: LocalDate;
  end: LocalDate;
}

/** The interval an indicator is computed over: its period, or the year to date. */
export function windowOf(calendar: FinancialCalendar, indicator: IndicatorConfig, period: Period): Window {
  return indicator.accumulation === 'year_to_date' ? calendar.yearToDate(period) : { start: period.start, end: period.end };
}
