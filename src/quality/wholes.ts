import { parseMaxAge } from '../calendar/age.js';
import type { Clock } from '../calendar/clock.js';
import { addDays, dateIn, parseLocalDate, type LocalDate } from '../calendar/localDate.js';
import { recordDateOf } from '../calendar/recordDate.js';
import type { CheckOf as Of } from '../config/schema.js';
import { quoted } from '../text.js';
import type { CheckOutcome } from './result.js';

function isWorkingDay(date: LocalDate, holidays: ReadonlySet<string>): boolean {
  const p = parseLocalDate(date)!;
  const weekday = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(date);
}

/**
 * Whether the newest record is recent enough at `now`. Hours compare instants; days and working
 * days compare calendar dates in the service timezone, so a record from yesterday is one day old
 * however late yesterday it came, and a Friday record is one working day old on Monday.
 */
export function freshnessOutcome(
  check: Of<'freshness'>,
  newest: unknown,
  ctx: Clock,
): CheckOutcome {
  const found = recordDateOf(newest, ctx.timeZone);
  const column = check.column ?? 'record';
  if (!found) {
    const none = newest === null || newest === undefined || newest === '';
    const detail = none ? (check.column ? `no records in ${check.column}` : 'no records') : `the newest ${column} ${quoted(String(newest))} is not a date or time`;
    return { failing: 1, checked: null, sample: [], detail };
  }
  const age = parseMaxAge(check.max_age);
  const newestText = newest instanceof Date ? newest.toISOString() : String(newest);
  if ('hours' in age) {
    const hours = (ctx.now.getTime() - found.at.getTime()) / 3_600_000;
    return { failing: hours > age.hours ? 1 : 0, checked: null, sample: [], detail: `newest ${column} ${newestText} is ${hours.toFixed(1)} hours old (at most ${check.max_age})` };
  }
  const today = dateIn(ctx.now, ctx.timeZone);
  const newestDay = found.day;
  let old = 0;
  if ('days' in age) {
    for (let d = newestDay; d < today; d = addDays(d, 1)) old++;
  } else {
    const holidays = new Set(ctx.holidays);
    for (let d = addDays(newestDay, 1); d <= today; d = addDays(d, 1)) if (isWorkingDay(d, holidays)) old++;
  }
  const limit = 'days' in age ? age.days : age.workingDays;
  const unit = 'days' in age ? 'day' : 'working day';
  return { failing: old > limit ? 1 : 0, checked: null, sample: [], detail: `newest ${column} ${newestDay} is ${old} ${unit}${old === 1 ? '' : 's'} old (at most ${check.max_age})` };
}

/** Rows in the period against fixed bounds, or against the same period last year. */
export function rowCountOutcome(check: Of<'row_count'>, rows: number, lastYear: number | null): CheckOutcome {
  const problems: string[] = [];
  if (check.min !== undefined && rows < check.min) problems.push(`fewer than ${check.min}`);
  if (check.max !== undefined && rows > check.max) problems.push(`more than ${check.max}`);
  if (check.within_percent_of_last_year !== undefined) {
    // With nothing a year earlier (a new service, the first year of data) there is no trend to
    // judge against: the fixed bounds, if any, still apply.
    if (lastYear !== null && lastYear > 0) {
      const change = ((rows - lastYear) / lastYear) * 100;
      if (Math.abs(change) > check.within_percent_of_last_year) {
        problems.push(`${change > 0 ? '+' : ''}${change.toFixed(1)}% on last year's ${lastYear}, beyond ${check.within_percent_of_last_year}%`);
      }
    }
  }
  const detail = `${rows} row${rows === 1 ? '' : 's'} in the period${problems.length ? `: ${problems.join('; ')}` : ''}`;
  return { failing: problems.length ? 1 : 0, checked: null, sample: [], detail };
}

/** Two totals that should agree, within an absolute amount or a percentage of the larger. */
export function reconciliationOutcome(check: Of<'reconciliation'>, left: number | null, right: number | null): CheckOutcome {
  const l = left ?? 0;
  const r = right ?? 0;
  const difference = l - r;
  const allowed = Math.max(check.tolerance.absolute ?? 0, ((check.tolerance.percent ?? 0) / 100) * Math.max(Math.abs(l), Math.abs(r)));
  const name = (label: string | undefined, fallback: string) => label ?? fallback;
  const detail = `${name(check.left.label, 'left')} ${l.toFixed(2)} vs ${name(check.right.label, 'right')} ${r.toFixed(2)}: difference ${difference.toFixed(2)}, tolerance ${allowed.toFixed(2)}`;
  return {
    failing: Math.abs(difference) > allowed + 1e-9 ? 1 : 0,
    checked: null,
    sample: [{ left: l, right: r, difference }],
    detail,
  };
}
