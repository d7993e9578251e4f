import { dateOf, dayOf, type Day } from './dates.js';

/** The fictional council whose finance and service systems the demo databases stand in for. */
export const COUNCIL_NAME = 'Ashbourne Vale District Council';

/** Financial years of demo data, by the calendar year they start in: 2023-24, 2024-25, 2025-26. */
export const DEMO_YEARS = [2023, 2024, 2025] as const;

export const DEMO_START: Day = dayOf('2023-04-01');
/** Exclusive. */
export const DEMO_END: Day = dayOf('2026-04-01');
/**
 * The day the systems were extracted: anything that would have happened later (a payment, a
 * completion, a decision) has not happened yet and is NULL.
 */
export const EXTRACT_DAY: Day = DEMO_END - 1;

/** Council homes (housing revenue account stock), the denominator of repairs per 1,000 homes. */
export const COUNCIL_HOMES = 5200;

/**
 * Service systems hold records from before the demo years, so the first demo months see the
 * payments, completions and decisions of work that arrived earlier, as a live system would.
 */
export const HISTORY_START: Day = dayOf('2022-12-01');

export interface DemoMonth {
  /** 'YYYY-MM' */
  id: string;
  start: Day;
  /** Exclusive. */
  end: Day;
  calendarMonth: number;
  fyYear: number;
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

/** April 2023 to March 2026. */
export const DEMO_MONTHS: readonly DemoMonth[] = monthsBetween(DEMO_START, DEMO_END);
/** From HISTORY_START to March 2026. */
export const HISTORY_MONTHS: readonly DemoMonth[] = monthsBetween(HISTORY_START, DEMO_END);

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
