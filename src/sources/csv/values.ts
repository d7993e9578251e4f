import type { FinancialCalendar } from '../../calendar/periods.js';
import { dateIn, type LocalDate } from '../../calendar/localDate.js';

/*
 * Cell parsers for the forms UK council exports actually use. They run once per cell over
 * millions of rows, so the common forms are recognised by character codes and regular
 * expressions are a fallback for the rare ones.
 */

// Character codes the parsers look for: blanks, signs and brackets, separators, the pound sign.
const TAB = 9, SPACE = 32, NBSP = 160, QUOTE = 34;
const OPEN_PAREN = 40, CLOSE_PAREN = 41, PLUS = 43, MINUS = 45;
const COMMA = 44, DOT = 46, SLASH = 47, ZERO = 48, POUND = 163;

// Exact powers of ten: an integer mantissa divided by one of these rounds exactly as Number() would.
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
const MAX_EXACT_DIGITS = 15;
const COMMAS = /,/g;

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === NBSP;
}

/**
 * A money amount: `£1,234.56`, `1234.56`, `"1,044.70"`, `(1,234.56)` and `1,234.00-` (both
 * negative, as ledgers print credits), `-12`. Empty or unreadable text gives undefined; the
 * caller decides whether that is missing or malformed.
 */
export function parseAmount(text: string): number | undefined {
  return scanNumber(text, true);
}

/** A plain number, optionally signed, with optional thousands commas: `1,234`, `-0.5`. */
export function parseNumber(text: string): number | undefined {
  return scanNumber(text, false);
}

function scanNumber(s: string, money: boolean): number | undefined {
  let i = 0;
  let end = s.length;
  while (i < end && isSpace(s.charCodeAt(i))) i++;
  while (end > i && isSpace(s.charCodeAt(end - 1))) end--;
  if (money && end - i >= 2 && s.charCodeAt(i) === QUOTE && s.charCodeAt(end - 1) === QUOTE) {
    i++;
    end--;
  }
  if (i === end) return undefined;

  let signs = 0;
  let negative = false;
  if (money && s.charCodeAt(i) === OPEN_PAREN) {
    if (s.charCodeAt(end - 1) !== CLOSE_PAREN) return undefined;
    i++;
    end--;
    signs++;
    negative = true;
  }
  if (money && end > i && s.charCodeAt(end - 1) === MINUS) {
    end--;
    signs++;
    negative = true;
  }
  let c = s.charCodeAt(i);
  if (money && c === POUND) c = s.charCodeAt(++i);
  if (c === MINUS || c === PLUS) {
    signs++;
    negative = c === MINUS;
    c = s.charCodeAt(++i);
    if (money && c === POUND) i++;
  }
  if (signs > 1) return undefined;

  const start = i;
  let mantissa = 0;
  let digits = 0;
  let intDigits = 0;
  let fracDigits = 0;
  let seenDot = false;
  // Digits since the last thousands comma, or -1 before any: a comma must be followed by
  // exactly three digits, so a European decimal comma ("1,5") is not misread as 15.
  let group = -1;
  for (; i < end; i++) {
    c = s.charCodeAt(i);
    const d = c - ZERO;
    if (d >= 0 && d <= 9) {
      mantissa = mantissa * 10 + d;
      digits++;
      if (seenDot) fracDigits++;
      else {
        intDigits++;
        if (group >= 0) group++;
      }
    } else if (c === COMMA && !seenDot) {
      if (intDigits === 0 || (group >= 0 && group !== 3)) return undefined;
      group = 0;
    } else if (c === DOT && !seenDot) {
      if (group >= 0 && group !== 3) return undefined;
      seenDot = true;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || (!seenDot && group >= 0 && group !== 3)) return undefined;

  const value =
    digits <= MAX_EXACT_DIGITS ? mantissa / (POW10[fracDigits] as number) : Number(s.slice(start, end).replace(COMMAS, ''));
  // 400 digits are Infinity to a double: no number a council publishes, so not a value.
  if (!Number.isFinite(value)) return undefined;
  return negative && value !== 0 ? -value : value;
}

// ---- dates --------------------------------------------------------------------------------

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const NUMERIC_DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$/;
const ISO_LOOSE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const NAMED_MONTH = /^(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4}|\d{2})$/;
const QUARTER_LABEL = /^(\d{4})[/-](\d{2})[ -]?Q([1-4])$/i;
// Spreadsheet exports often append midnight to a date: `31/01/2024 00:00:00`.
const TIME_SUFFIX = /[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;
// An ISO 8601 instant, with its offset: the day it falls on depends on the service's timezone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function digitAt(s: string, i: number): number {
  const d = s.charCodeAt(i) - ZERO;
  return d >= 0 && d <= 9 ? d : NaN;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Two-digit years are 1970-2069: council open data starts in the 2000s. */
function fullYear(year: number, digits: number): number {
  if (digits > 2) return year;
  return year + (year >= 70 ? 1900 : 2000);
}

function key(year: number, month: number, day: number): number {
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month))) return NaN;
  return year * 10000 + month * 100 + day;
}

function monthOfName(name: string): number {
  const lower = name.toLowerCase();
  for (let m = 0; m < 12; m++) {
    if ((MONTH_NAMES[m] as string).startsWith(lower)) return m + 1;
  }
  return NaN;
}

/**
 * A date as the number yyyymmdd (NaN when `text` is not one), which orders like the
 * `YYYY-MM-DD` string and yields its month without building a string per row.
 * A financial-quarter label (`2023/24 Q2`) stands for the first day of that quarter; an instant
 * with an offset (`2024-03-31T23:30:00Z`) for its day in `timeZone` (with no timeZone, no day).
 */
export function parseDateKey(text: string, calendar: FinancialCalendar, timeZone?: string): number {
  let s = text;
  if (s.length > 0 && (isSpace(s.charCodeAt(0)) || isSpace(s.charCodeAt(s.length - 1)))) s = s.trim();
  if (s.length > 16 && ISO_INSTANT.test(s)) return timeZone === undefined ? NaN : instantDateKey(s, timeZone);
  if (s.length > 10 && TIME_SUFFIX.test(s)) s = s.replace(TIME_SUFFIX, '');
  if (s.length === 10) {
    if (s.charCodeAt(2) === SLASH && s.charCodeAt(5) === SLASH) {
      const day = digitAt(s, 0) * 10 + digitAt(s, 1);
      const month = digitAt(s, 3) * 10 + digitAt(s, 4);
      const year = digitAt(s, 6) * 1000 + digitAt(s, 7) * 100 + digitAt(s, 8) * 10 + digitAt(s, 9);
      return key(year, month, day);
    }
    if (s.charCodeAt(4) === MINUS && s.charCodeAt(7) === MINUS) {
      const year = digitAt(s, 0) * 1000 + digitAt(s, 1) * 100 + digitAt(s, 2) * 10 + digitAt(s, 3);
      const month = digitAt(s, 5) * 10 + digitAt(s, 6);
      const day = digitAt(s, 8) * 10 + digitAt(s, 9);
      return key(year, month, day);
    }
  }
  let m = NUMERIC_DMY.exec(s);
  if (m) return key(fullYear(Number(m[3]), (m[3] as string).length), Number(m[2]), Number(m[1]));
  m = ISO_LOOSE.exec(s);
  if (m) return key(Number(m[1]), Number(m[2]), Number(m[3]));
  m = NAMED_MONTH.exec(s);
  if (m) return key(fullYear(Number(m[3]), (m[3] as string).length), monthOfName(m[2] as string), Number(m[1]));
  m = QUARTER_LABEL.exec(s);
  if (m) {
    const fy = Number(m[1]);
    if (Number(m[2]) !== (fy + 1) % 100) return NaN;
    const monthIndex = calendar.startMonth - 1 + (Number(m[3]) - 1) * 3;
    return key(fy + Math.floor(monthIndex / 12), (monthIndex % 12) + 1, 1);
  }
  return NaN;
}

function instantDateKey(text: string, timeZone: string): number {
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) return NaN;
  const day = dateIn(at, timeZone);
  return Number(day.slice(0, 4)) * 10000 + Number(day.slice(5, 7)) * 100 + Number(day.slice(8, 10));
}

export function formatDateKey(dateKey: number): LocalDate {
  const year = Math.floor(dateKey / 10000);
  const month = Math.floor(dateKey / 100) % 100;
  const day = dateKey % 100;
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

/**
 * A UK-written date as `YYYY-MM-DD`: `31/01/2024`, `31/1/2024`, `2024-01-31`, `31-Jan-2024`,
 * `31-Jan-24`, `14 Nov 2023`, `14 November 2023`, or a quarter label (`2023/24 Q2`, `2023-24 Q2`)
 * as the first day of that quarter of `calendar`. Impossible dates (31/02/2024) give undefined.
 */
export function parseUkDate(text: string, calendar: FinancialCalendar): LocalDate | undefined {
  const dateKey = parseDateKey(text, calendar);
  return Number.isNaN(dateKey) ? undefined : formatDateKey(dateKey);
}
