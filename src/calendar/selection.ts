import type { LocalDate } from './localDate.js';
import type { FinancialCalendar, Period, PeriodKind } from './periods.js';

export interface PeriodChoice {
  period?: string;
  from?: string;
  to?: string;
  /** Only the periods that have ended by this day (their exclusive end on or before it). */
  endedBy?: LocalDate;
}

/**
 * Which periods of `kind` a command means: those within `--period`, those from `--from` to
 * `--to`, or else the latest period of that kind to have ended by `today`; of those, only the
 * ones ended by `endedBy` where it is given.
 */
/** Refuses a choice naming a period that is not one, before any pipeline is planned: a typo is an error, never "nothing to run". */
export function checkChoice(calendar: FinancialCalendar, choice: PeriodChoice): void {
  for (const id of [choice.period, choice.from, choice.to]) if (id !== undefined) calendar.parse(id);
}

export function choosePeriods(calendar: FinancialCalendar, kind: PeriodKind, choice: PeriodChoice, today: LocalDate): Period[] {
  const chosen = chosenPeriods(calendar, kind, choice, today);
  const { endedBy } = choice;
  if (endedBy === undefined) return chosen;
  const ended = chosen.filter((p) => p.end <= endedBy);
  if (chosen.length && !ended.length) throw new Error(`no ${kind} of ${chosen[0]!.id} to ${chosen[chosen.length - 1]!.id} has ended by ${endedBy}`);
  return ended;
}

function chosenPeriods(calendar: FinancialCalendar, kind: PeriodKind, choice: PeriodChoice, today: LocalDate): Period[] {
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
