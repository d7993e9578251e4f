/**
 * Calendar dates without a time or zone, as `YYYY-MM-DD` strings. Periods are made of these so
 * that a period boundary never shifts with the machine's timezone; only `dateIn` ties a moment
 * to a date, and it is told the zone.
 */
export type LocalDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function localDate(year: number, month: number, day = 1): LocalDate {
  // Month arithmetic may overflow (month 13, month 0); Date.UTC normalises it.
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.toISOString().slice(0, 10);
}

export function parseLocalDate(text: string): { year: number; month: number; day: number } | undefined {
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (localDate(year, month, day) !== text) return undefined;
  return { year, month, day };
}

export function addMonths(date: LocalDate, months: number): LocalDate {
  const p = parseLocalDate(date);
  if (!p) throw new Error(`not a date: ${date}`);
  return localDate(p.year, p.month + months, p.day);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const p = parseLocalDate(date);
  if (!p) throw new Error(`not a date: ${date}`);
  return localDate(p.year, p.month, p.day + days);
}

export function assertTimeZone(timeZone: string): void {
  // Intl throws RangeError for an unknown zone; callers turn that into a config error.
  new Intl.DateTimeFormat('en-GB', { timeZone });
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function wallClock(instant: number, timeZone: string): number[] {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return [get('year'), get('month'), get('day'), get('hour'), get('minute'), get('second')];
}

function offsetAt(instant: number, timeZone: string): number {
  const [y, mo, d, h, mi, s] = wallClock(instant, timeZone) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(instant / 1000) * 1000;
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$/;

/**
 * The instant a wall-clock time without a zone ("2024-05-31 23:30:00", as SQLite text, MySQL
 * DATETIME and PostgreSQL timestamp hold them) names in `timeZone`; undefined if not such a time.
 */
export function zonedInstant(text: string, timeZone: string): Date | undefined {
  const m = NAIVE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '0'] = m;
  const naive = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +sec, Math.round(Number(`0.${frac}`) * 1000));
  // Two passes settle the offset even beside a change of the clocks.
  let t = naive - offsetAt(naive, timeZone);
  t = naive - offsetAt(t, timeZone);
  return new Date(t);
}

/** The calendar date that `instant` falls on in `timeZone`. */
export function dateIn(instant: Date, timeZone: string): LocalDate {
  const [y, mo, d] = wallClock(instant.getTime(), timeZone) as [number, number, number];
  return localDate(y, mo, d);
}

/** The wall-clock time `instant` shows in `timeZone`, to the second: "2026-10-25T01:30:00". */
export function localDateTime(instant: Date, timeZone: string): string {
  const [y, mo, d, h, mi, s] = wallClock(instant.getTime(), timeZone) as [number, number, number, number, number, number];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${localDate(y, mo, d)}T${two(h)}:${two(mi)}:${two(s)}`;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  const utc = (d: LocalDate) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
  return Math.round((utc(to) - utc(from)) / 86_400_000);
}
