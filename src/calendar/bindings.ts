import type { FinancialCalendar, Period } from './periods.js';

/** Named bindings every pipeline query receives (`:period_start` ...). Dates are `YYYY-MM-DD`. */
export const PERIOD_BINDINGS = ['period_start', 'period_end', 'fy_start', 'fy_end', 'period_id', 'fy_id'] as const;
export type PeriodBindings = Record<(typeof PERIOD_BINDINGS)[number], string>;

/**
 * Bindings for a query window. Ends are exclusive: a query selects `d >= :period_start AND
 * d < :period_end`. For a year-to-date window `period_start` is the financial year's start.
 */
export function periodBindings(calendar: FinancialCalendar, period: Period, window: { start: string; end: string }): PeriodBindings {
  const year = calendar.year(period.fyYear);
  return {
    period_start: window.start,
    period_end: window.end,
    fy_start: year.start,
    fy_end: year.end,
    period_id: period.id,
    fy_id: year.id,
  };
}

/**
 * Binding names a query uses, as knex reads them: `:name`, and `:name::date` (a PostgreSQL cast
 * after a binding), but not `::date` alone or `'10:30'`. `:name:` is knex's identifier binding,
 * which would splice a value into the SQL as a name: it is reported under its own key.
 */
export function bindingNamesIn(sql: string): string[] {
  const names = new Set<string>();
  for (const m of sql.matchAll(/(?<![:\w\\]):([A-Za-z_]\w*)(?!\w)(:?)(:?)/g)) {
    const identifier = m[2] === ':' && m[3] !== ':';
    names.add(identifier ? `${m[1]}: (an identifier binding; write :${m[1]} for a value)` : (m[1] as string));
  }
  return [...names];
}
