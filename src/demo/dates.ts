import type { LocalDate } from '../calendar/localDate.js';

/**
 * Dates as whole days since 1970-01-01 (UTC), so the generator can add and compare days
 * cheaply; they become `YYYY-MM-DD` strings only when written.
 */
export type Day = number;

const MS_PER_DAY = 86_400_000;

export function dayOf(date: LocalDate): Day {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / MS_PER_DAY);
}

export function dateOf(day: Day): LocalDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 'YYYY-MM-DD HH:MM:SS', the one timestamp literal SQLite, PostgreSQL and MariaDB all accept. */
export function timestampOf(day: Day, minuteOfDay: number): string {
  const hh = String(Math.floor(minuteOfDay / 60)).padStart(2, '0');
  const mm = String(minuteOfDay % 60).padStart(2, '0');
  return `${dateOf(day)} ${hh}:${mm}:00`;
}

/** 'YYYY-MM' of a day. */
export function monthOf(day: Day): string {
  return dateOf(day).slice(0, 7);
}

/** Calendar month 1-12 of a day. */
export function calendarMonthOf(day: Day): number {
  return new Date(day * MS_PER_DAY).getUTCMonth() + 1;
}

export function isWeekend(day: Day): boolean {
  const dow = new Date(day * MS_PER_DAY).getUTCDay();
  return dow === 0 || dow === 6;
}

/** England and Wales bank holidays over the demo years and the weeks after them. */
const BANK_HOLIDAYS = new Set(
  [
    '2023-01-02', '2023-04-07', '2023-04-10', '2023-05-01', '2023-05-08', '2023-05-29', '2023-08-28', '2023-12-25', '2023-12-26',
    '2024-01-01', '2024-03-29', '2024-04-01', '2024-05-06', '2024-05-27', '2024-08-26', '2024-12-25', '2024-12-26',
    '2025-01-01', '2025-04-18', '2025-04-21', '2025-05-05', '2025-05-26', '2025-08-25', '2025-12-25', '2025-12-26',
    '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28',
  ].map(dayOf),
);

export function isWorkingDay(day: Day): boolean {
  return !isWeekend(day) && !BANK_HOLIDAYS.has(day);
}

/** The working day `n` working days after `day` (the next working day counts as the first). */
export function addWorkingDays(day: Day, n: number): Day {
  let d = day;
  for (let left = n; left > 0; ) {
    d++;
    if (isWorkingDay(d)) left--;
  }
  return d;
}

/** The last working day on or before `day`. */
export function workingDayOnOrBefore(day: Day): Day {
  let d = day;
  while (!isWorkingDay(d)) d--;
  return d;
}
