import type { LocalDate } from '../calendar/localDate.js';
import { dateOf, dayOf, type Day } from './dates.js';

/** The fictional council whose finance and service systems the demo databases stand in for. */
export const COUNCIL_NAME = 'Ashbourne Vale District Council';

/** Council homes (housing revenue account stock), the denominator of repairs per 1,000 homes. */
export const COUNCIL_HOMES = 5200;

/**
 * The financial years the demo is written in, by the calendar year each starts in: its stories
 * (a vacancy in June 2024, a miscoded posting in November 2024) are told in these years, and a
 * timeline moves them by whole years so that they keep their place in the year.
 */
export const WRITTEN_YEARS = [2023, 2024, 2025] as const;

export interface DemoMonth {
  /** 'YYYY-MM' */
  id: string;
  start: Day;
  /** Exclusive. */
  end: Day;
  calendarMonth: number;
  fyYear: number;
}

/**
 * When the demo council's data runs: three financial years ending with the last complete month
 * before the day it is generated for, the last year partial. Everything is generated in these
 * years; `day` and `month` move a date the demo is written with into them.
 */
export interface DemoTimeline {
  /** The day the demo is generated for ("today" to the demo's systems). */
  asOf: LocalDate;
  /** Whole financial years between the years written and the years generated. */
  shift: number;
  /** The three financial years, by the calendar year each starts in. */
  years: number[];
  /** Exclusive: the first day of the month after the last complete one. */
  end: Day;
  /**
   * The day the systems were extracted: anything that would have happened later (a payment, a
   * completion, a decision) has not happened yet and is NULL.
   */
  extractDay: Day;
  /**
   * Service systems hold records from before the demo years (the December before the first),
   * so the first demo months see the payments, completions and decisions of work that arrived
   * earlier, as a live system would.
   */
  historyStart: Day;
  /** The first April to the last complete month. */
  months: DemoMonth[];
  /** From historyStart to the last complete month. */
  historyMonths: DemoMonth[];
  /** A day the demo is written with ('2024-06-18'), moved into the years generated. */
  day(written: LocalDate): Day;
  /** A month the demo is written with ('2024-06'), moved into the years generated. */
  month(written: string): string;
  /** The year a generated financial year is written as: what the per-year stories are keyed by. */
  writtenYear(fyYear: number): number;
  /** A generated day or month ('2025-06-18', '2025-06') as the demo is written with it. */
  written(date: string): string;
}

function monthsBetween(from: Day, to: Day): DemoMonth[] {
  const out: DemoMonth[] = [];
  for (let start = from; start < to; ) {
    const [year, month] = dateOf(start).split('-').map(Number) as [number, number];
    const end = dayOf(`${month === 12 ? year + 1 : year}-${String((month % 12) + 1).padStart(2, '0')}-01`);
    out.push({ id: dateOf(start).slice(0, 7), start, end, calendarMonth: month, fyYear: month >= 4 ? year : year - 1 });
    start = end;
  }
  return out;
}

/** Moves a 'YYYY-MM' or 'YYYY-MM-DD' by whole years; 29 February becomes the 28th in a common year. */
function shiftYears(text: string, years: number): string {
  const moved = `${Number(text.slice(0, 4)) + years}${text.slice(4)}`;
  if (moved.length === 10 && moved.endsWith('-02-29') && dateOf(dayOf(moved)) !== moved) return `${moved.slice(0, 8)}28`;
  return moved;
}

/**
 * The demo's timeline as of a day: its three financial years end at the last complete month
 * before `asOf`. The same day always gives the same timeline, and with it the same data.
 */
export function demoTimeline(asOf: LocalDate): DemoTimeline {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || dateOf(dayOf(asOf)) !== asOf) throw new Error(`"${asOf}" is not a date (YYYY-MM-DD)`);
  const end = dayOf(`${asOf.slice(0, 7)}-01`);
  const lastMonth = dateOf(end - 1);
  const [year, month] = lastMonth.split('-').map(Number) as [number, number];
  const lastYear = month >= 4 ? year : year - 1;
  const shift = lastYear - WRITTEN_YEARS[WRITTEN_YEARS.length - 1]!;
  const years = WRITTEN_YEARS.map((y) => y + shift);
  const start = dayOf(`${years[0]}-04-01`);
  const historyStart = dayOf(`${years[0]! - 1}-12-01`);
  return {
    asOf,
    shift,
    years,
    end,
    extractDay: end - 1,
    historyStart,
    months: monthsBetween(start, end),
    historyMonths: monthsBetween(historyStart, end),
    day: (written) => dayOf(shiftYears(written, shift)),
    month: (written) => shiftYears(written, shift),
    writtenYear: (fyYear) => fyYear - shift,
    written: (date) => shiftYears(date, -shift),
  };
}

/**
 * The same years generated whole, to their last March: what a budget set at the start of the
 * last year is planned on, though only its months to date have happened.
 */
export function wholeYearsOf(t: DemoTimeline): DemoTimeline {
  return demoTimeline(`${t.years[t.years.length - 1]! + 1}-04-01`);
}

/** The financial year (by its starting calendar year) of a day. */
export function fyOf(day: Day): number {
  const [year, month] = dateOf(day).split('-').map(Number) as [number, number];
  return month >= 4 ? year : year - 1;
}

export function fyId(fyYear: number): string {
  return `${fyYear}-${String((fyYear + 1) % 100).padStart(2, '0')}`;
}

/** Money is generated in whole pence so sums are exact; columns hold pounds. */
export function pounds(pence: number): number {
  return pence / 100;
}
