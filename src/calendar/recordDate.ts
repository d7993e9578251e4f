import { dateIn, zonedInstant, type LocalDate } from './localDate.js';

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
