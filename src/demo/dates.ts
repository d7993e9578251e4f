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

/** 'DD/MM/YYYY', as UK systems export a date. */
export function ukDateOf(day: Day): string {
  const [year, month, date] = dateOf(day).split('-');
  return `${date}/${month}/${year}`;
}

/** 'YYYY-MM' of a day. */
export function monthOf(day: Day): string {
  return dateOf(day).slice(0, 7);
}

/** Calendar month 1-12 of a day. */
export function calendarMonthOf(day: Day): number {
  return new Date(day * MS_PER_DAY).getUTCMonth() + 1;
}

/** 0 Sunday ... 6 Saturday. */
export function weekdayOf(day: Day): number {
  return new Date(day * MS_PER_DAY).getUTCDay();
}

export function isWeekend(day: Day): boolean {
  const dow = weekdayOf(day);
  return dow === 0 || dow === 6;
}

/** Easter Sunday of a year (the Gregorian computus, Meeus/Jones/Butcher). */
function easterSunday(year: number): Day {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const h = (19 * a + b - Math.floor(b / 4) - Math.floor((b - Math.floor((8 * b + 13) / 25)) / 3) + 15) % 30;
  const l = (32 + 2 * (b % 4) + 2 * Math.floor(c / 4) - h - (c % 4)) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayOf(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
}

const mondayOnOrAfter = (day: Day) => day + ((8 - weekdayOf(day)) % 7);
const mondayOnOrBefore = (day: Day) => day - ((weekdayOf(day) + 6) % 7);

/** Bank holidays proclaimed once (a coronation), beside the ones every year has. */
const ONE_OFF_HOLIDAYS = ['2023-05-08'];

/** England and Wales bank holidays of a calendar year, with the substitute days for those that fall at a weekend. */
function bankHolidaysOf(year: number): Day[] {
  const newYear = dayOf(`${year}-01-01`);
  const easter = easterSunday(year);
  const christmas = dayOf(`${year}-12-25`);
  // Christmas and Boxing Day at a weekend move to the next weekdays, in order.
  const christmasDays: Day[] = [];
  for (let d = christmas; christmasDays.length < 2; d++) if (weekdayOf(d) !== 0 && weekdayOf(d) !== 6) christmasDays.push(d);
  return [
    weekdayOf(newYear) === 6 ? newYear + 2 : weekdayOf(newYear) === 0 ? newYear + 1 : newYear,
    easter - 2,
    easter + 1,
    mondayOnOrAfter(dayOf(`${year}-05-01`)),
    mondayOnOrBefore(dayOf(`${year}-05-31`)),
    mondayOnOrBefore(dayOf(`${year}-08-31`)),
    ...christmasDays,
  ];
}

const holidays = new Map<number, Set<Day>>();

/** Whether a day is an England and Wales bank holiday. */
export function isBankHoliday(day: Day): boolean {
  const year = Number(dateOf(day).slice(0, 4));
  let days = holidays.get(year);
  if (!days) {
    days = new Set([...bankHolidaysOf(year), ...ONE_OFF_HOLIDAYS.map(dayOf).filter((d) => dateOf(d).startsWith(String(year)))]);
    holidays.set(year, days);
  }
  return days.has(day);
}

export function isWorkingDay(day: Day): boolean {
  return !isWeekend(day) && !isBankHoliday(day);
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
