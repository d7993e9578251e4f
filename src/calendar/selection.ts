import type { LocalDate } from './localDate.js';
import type { FinancialCalendar, Period, PeriodKind } from './periods.js';

export interface PeriodChoice {
  period?: string;
  from?: string;
  to?: string;
}

/**
 * Which periods of `kind` a command means: those within `--period`, those from `--from` to
 * `--to`, or else the latest period of that kind to have ended by `today`.
 */
export function choosePeriods(calendar: FinancialCalendar, kind: PeriodKind, choice: PeriodChoice, today: LocalDate): Period[] {
  if (choice.period && (choice.from || choice.to)) throw new Error('give either --period or --from/--to, not both');
  if (choice.period) return calendar.within(calendar.parse(choice.period), kind);
  if (choice.from || choice.to) {
    const latest = calendar.latestComplete(today, kind);
    const from = choice.from ? calendar.parse(choice.from) : latest;
    const to = choice.to ? calendar.parse(choice.to) : latest;
    if (from.start >= to.end) throw new Error(`--from ${from.id} is after --to ${to.id}`);
    return calendar.range(from, to, kind);
  }
  return [calendar.latestComplete(today, kind)];
}
