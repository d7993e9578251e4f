import { addDays, dateIn, localDateTime, type LocalDate } from './localDate.js';

/** A day of the week as sending hours name it. */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Indexed by Date's getUTCDay, Sunday first. */
const WEEKDAY_OF: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * When mail that is not urgent may go, as `email.sending_hours` configures it (the calendar
 * reads no config, so it names the shape it needs): on these days, from `from` until `to`
 * ("HH:MM", wall-clock time), and on bank holidays only when `bank_holidays`.
 */
export interface SendingHours {
  days: readonly Weekday[];
  from: string;
  to: string;
  bank_holidays: boolean;
}

const DAY = 86_400_000;

/**
 * `at` itself when it falls within the sending hours (or none are configured), else the instant
 * they next open: `from` on the next day they cover. Hours are read off the wall clock in
 * `timeZone`, so that they mean what the council's clocks say across the clocks' changes: a time
 * the clocks skip in spring is in no hours (hours that open in the skipped hour open as the
 * clocks go forward), and a time they show twice in autumn is in hours both times.
 */
export function nextSendable(at: Date, hours: SendingHours | undefined, timeZone: string, bankHolidays: readonly LocalDate[]): Date {
  if (!hours) return at;
  // Without this the search below would never end; config refuses it, other callers might not.
  if (!hours.days.length) throw new Error('sending hours cover no day of the week');
  const holidays = new Set(bankHolidays);
  const covered = (day: LocalDate) => hours.days.includes(WEEKDAY_OF[new Date(`${day}T00:00:00Z`).getUTCDay()]!) && (hours.bank_holidays || !holidays.has(day));
  const today = dateIn(at, timeZone);
  const time = localDateTime(at, timeZone).slice(11);
  if (covered(today) && time >= `${hours.from}:00` && time < `${hours.to}:00`) return at;
  // Ends: the days of the week are some, and bank holidays are finite.
  for (let day = today; ; day = addDays(day, 1)) {
    if (!covered(day)) continue;
    const opening = openingOf(day, hours.from, timeZone, at);
    if (opening) return opening;
  }
}

/**
 * The first instant not before `notBefore` at which `day`'s wall clock in `timeZone` shows
 * `time` ("HH:MM"); where the clocks skip it, the instant they go forward past it.
 */
function openingOf(day: LocalDate, time: string, timeZone: string, notBefore: Date): Date | undefined {
  const wanted = `${day}T${time}:00`;
  const shows = (t: number) => localDateTime(new Date(t), timeZone);
  // The offset from UTC that the wall clock keeps at `t`, to the second.
  const offsetAt = (t: number) => Date.parse(`${shows(t)}Z`) - t;
  const wall = Date.parse(`${wanted}Z`);
  // Read with the offsets of the day before and the day after: one instant, but beside a change
  // of the clocks the time's two showings (autumn) or neither (spring, the clocks skip it).
  const withBefore = wall - offsetAt(wall - DAY);
  const withAfter = wall - offsetAt(wall + DAY);
  const showings = [...new Set([withBefore, withAfter])].filter((t) => shows(t) === wanted).sort((a, b) => a - b);
  if (!showings.length) {
    // Skipped: `withAfter` shows a time before it, `withBefore` one after; the change lies between.
    let [before, after] = [withAfter, withBefore];
    while (after - before > 1000) {
      const mid = before + Math.floor((after - before) / 2000) * 1000;
      if (shows(mid) >= wanted) after = mid;
      else before = mid;
    }
    showings.push(after);
  }
  const next = showings.find((t) => t >= notBefore.getTime());
  return next === undefined ? undefined : new Date(next);
}
