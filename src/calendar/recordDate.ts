import { dateIn, zonedInstant, type LocalDate } from './localDate.js';
import type { FinancialCalendar } from './periods.js';

/** A record's date as a database or CSV file gives it: the instant, and the local date it falls on. */
export interface RecordDate {
  at: Date;
  day: LocalDate;
}

/**
 * Reads a database or CSV value as an instant and the local date it falls on, or undefined when
 * it is no date. A value with no zone (SQLite text, MySQL DATETIME, PostgreSQL timestamp) is
 * wall-clock time in the service timezone. Freshness and data arrival both read the newest
 * record's date through this one function.
 */
export function recordDateOf(value: unknown, timeZone: string): RecordDate | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : { at: value, day: dateIn(value, timeZone) };
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  const naive = zonedInstant(text, timeZone);
  if (naive) return { at: naive, day: text.slice(0, 10) };
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : { at, day: dateIn(at, timeZone) };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "31 March 2026": a date as a manager reads it in a sentence. */
export function dateInWords(day: LocalDate): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return `${date} ${MONTHS[month - 1]} ${year}`;
}

/** A period as a heading names it: "May 2024", "Q1 2024-25", "2024-25". */
export function periodInWords(calendar: FinancialCalendar, periodId: string): string {
  const period = calendar.parse(periodId);
  if (period.kind === 'month') return `${MONTHS[Number(period.start.slice(5, 7)) - 1]} ${period.start.slice(0, 4)}`;
  if (period.kind === 'quarter') return `Q${calendar.positionInYear(period)} ${calendar.yearId(period.fyYear)}`;
  return period.id;
}
