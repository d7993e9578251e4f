import { addMonths, localDate, parseLocalDate, type LocalDate } from './localDate.js';

export type Frequency = 'monthly' | 'quarterly' | 'annual';
export type PeriodKind = 'month' | 'quarter' | 'year';

/** A reporting period: the half-open interval [start, end) of calendar dates. */
export interface Period {
  id: string;
  kind: PeriodKind;
  start: LocalDate;
  end: LocalDate;
  /** Calendar year in which this period's financial year starts. */
  fyYear: number;
}

export const KIND_OF_FREQUENCY: Record<Frequency, PeriodKind> = {
  monthly: 'month',
  quarterly: 'quarter',
  annual: 'year',
};

const MONTHS_IN: Record<PeriodKind, number> = { month: 1, quarter: 3, year: 12 };

/**
 * UK financial-year periods (or any year starting on `startMonth`). Ids: years `2024-25`
 * (`2024` when the year starts in January), quarters `2024-25-Q1`, months `2024-05`.
 * A `YYYY-YY` id whose two years are consecutive is a financial year, so the months that
 * would collide with one (December 2011 and `2011-12`) must be reached through their year.
 */
export class FinancialCalendar {
  constructor(readonly startMonth = 4) {
    if (!Number.isInteger(startMonth) || startMonth < 1 || startMonth > 12) {
      throw new Error(`financial year start month must be 1-12, not ${startMonth}`);
    }
  }

  yearId(fyYear: number): string {
    return this.startMonth === 1 ? String(fyYear) : `${fyYear}-${String((fyYear + 1) % 100).padStart(2, '0')}`;
  }

  year(fyYear: number): Period {
    const start = localDate(fyYear, this.startMonth);
    return { id: this.yearId(fyYear), kind: 'year', start, end: addMonths(start, 12), fyYear };
  }

  quarter(fyYear: number, q: number): Period {
    const start = localDate(fyYear, this.startMonth + (q - 1) * 3);
    return { id: `${this.yearId(fyYear)}-Q${q}`, kind: 'quarter', start, end: addMonths(start, 3), fyYear };
  }

  month(year: number, month: number): Period {
    const start = localDate(year, month);
    return { id: start.slice(0, 7), kind: 'month', start, end: addMonths(start, 1), fyYear: this.fyYearOf(start) };
  }

  fyYearOf(date: LocalDate): number {
    const p = parseLocalDate(date);
    if (!p) throw new Error(`not a date: ${date}`);
    return p.month >= this.startMonth ? p.year : p.year - 1;
  }

  /** Periods are values: parsed once, shared after (judging 360,000 values parses few ids many times). */
  private readonly parsed = new Map<string, Period>();

  /** Parses a period id, or explains why it is not one. */
  parse(id: string): Period {
    let period = this.parsed.get(id);
    if (!period) {
      period = Object.freeze(this.parseFresh(id));
      this.parsed.set(id, period);
    }
    return period;
  }

  private parseFresh(id: string): Period {
    const text = id.trim();
    const year = /^(\d{4})/.exec(text);
    // Four digits are not yet a year: 0099 would read as 1999, 9999 as nothing at all.
    if (year && (Number(year[1]) < FIRST_YEAR || Number(year[1]) > LAST_YEAR)) throw new Error(`unknown period "${text}": periods are of the years ${FIRST_YEAR} to ${LAST_YEAR}`);
    let m = /^(\d{4})-(\d{2})-Q([1-4])$/.exec(text) ?? (this.startMonth === 1 ? /^(\d{4})()-Q([1-4])$/.exec(text) : null);
    if (m) {
      const fy = Number(m[1]);
      if (this.startMonth !== 1 && Number(m[2]) !== (fy + 1) % 100) throw new Error(badPeriod(text));
      return this.quarter(fy, Number(m[3]));
    }
    m = /^(\d{4})-(\d{2})$/.exec(text);
    if (m) {
      const y = Number(m[1]);
      const n = Number(m[2]);
      if (this.startMonth !== 1 && n === (y + 1) % 100) return this.year(y);
      if (n >= 1 && n <= 12) return this.month(y, n);
      throw new Error(badPeriod(text));
    }
    if (this.startMonth === 1 && /^\d{4}$/.test(text)) return this.year(Number(text));
    throw new Error(badPeriod(text));
  }

  /** The period of `kind` that contains `date`. */
  containing(date: LocalDate, kind: PeriodKind): Period {
    const p = parseLocalDate(date);
    if (!p) throw new Error(`not a date: ${date}`);
    const fy = this.fyYearOf(date);
    if (kind === 'month') return this.month(p.year, p.month);
    if (kind === 'year') return this.year(fy);
    const monthsIn = (p.month - this.startMonth + 12) % 12;
    return this.quarter(fy, Math.floor(monthsIn / 3) + 1);
  }

  /** Periods of `kind` lying within `outer`, in order; `outer` must be at least as long. */
  within(outer: Period, kind: PeriodKind): Period[] {
    if (MONTHS_IN[kind] > MONTHS_IN[outer.kind]) {
      throw new Error(`period ${outer.id} is a ${outer.kind}, shorter than a ${kind}`);
    }
    const out: Period[] = [];
    for (let start = outer.start; start < outer.end; start = addMonths(start, MONTHS_IN[kind])) {
      out.push(this.containing(start, kind));
    }
    return out;
  }

  /** Periods of `kind` from the one containing `from`'s start to the last that starts before `to` ends. */
  range(from: Period, to: Period, kind: PeriodKind): Period[] {
    const out: Period[] = [];
    for (let p = this.containing(from.start, kind); p.start < to.end; p = this.next(p)) out.push(p);
    return out;
  }

  next(period: Period): Period {
    return this.containing(period.end, period.kind);
  }

  previous(period: Period): Period {
    return this.containing(addMonths(period.start, -MONTHS_IN[period.kind]), period.kind);
  }

  sameLastYear(period: Period): Period {
    return this.containing(addMonths(period.start, -12), period.kind);
  }

  /** The year-to-date window of a period: from its financial year's start to its end. */
  yearToDate(period: Period): { start: LocalDate; end: LocalDate } {
    return { start: this.year(period.fyYear).start, end: period.end };
  }

  /** Which month (1-12) or quarter (1-4) of its financial year a period is; 1 for a year. */
  positionInYear(period: Period): number {
    const months = (Number(period.start.slice(5, 7)) - this.startMonth + 12) % 12;
    return Math.floor(months / MONTHS_IN[period.kind]) + 1;
  }

  /** The latest period of `kind` that has ended on or before `today`. */
  latestComplete(today: LocalDate, kind: PeriodKind): Period {
    return this.previous(this.containing(today, kind));
  }
}

/** The years a period may be of: a council's reporting, not a calendar's every year. */
export const FIRST_YEAR = 1990;
export const LAST_YEAR = 2099;

function badPeriod(text: string): string {
  return `unknown period "${text}": expected a financial year (2024-25), a quarter (2024-25-Q1) or a month (2024-05)`;
}
