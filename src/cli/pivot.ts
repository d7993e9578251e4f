import type { FinancialCalendar } from '../calendar/periods.js';
import type { IndicatorConfig } from '../config/schema.js';
import type { PeriodRun } from '../runs/execute.js';
import { formatCompact } from '../indicators/format.js';
import { renderTable, truncate } from './table.js';

/**
 * One financial year as committee reports lay it out: an indicator a row, a month a column, a
 * quarter's or year's value under its last month. A period with no value shows a dash, one whose
 * data has not arrived an ellipsis, and an indicator with no value all year is left out; failed
 * runs have no values and are listed by the caller. A value from data that failed a check is
 * marked !, one from data that only warned ?.
 */
/** The cell of a period whose data has not arrived. */
export const AWAITING = '…';

export function yearPivot(calendar: FinancialCalendar, fyYear: number, runs: PeriodRun[], indicators: IndicatorConfig[]): string {
  const months = calendar.within(calendar.year(fyYear), 'month');
  const column = new Map(months.map((m, i) => [m.end, i]));
  const cells = new Map<string, string[]>();
  for (const run of runs) {
    if (run.period.fyYear !== fyYear) continue;
    const i = column.get(run.period.end);
    if (i === undefined) continue;
    for (const v of run.values) {
      const indicator = indicators.find((x) => x.id === v.indicatorId);
      const row = cells.get(v.indicatorId) ?? Array<string>(12).fill('');
      row[i] = run.outcome === 'awaiting' ? AWAITING : formatCompact(v.value, indicator?.unit ?? '', indicator?.decimals ?? 1) + (v.dataQuality === 'failed' ? '!' : v.dataQuality === 'warned' ? '?' : '');
      cells.set(v.indicatorId, row);
    }
  }
  const headers = ['indicator', 'title', ...months.map((m) => new Date(`${m.start}T00:00:00Z`).toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' }))];
  const shown = (id: string) => (cells.get(id) ?? []).some((c) => c !== '' && c !== '—');
  const rows = indicators.filter((i) => shown(i.id)).map((i) => [i.id, truncate(i.title, 34), ...(cells.get(i.id) ?? [])]);
  return `${calendar.yearId(fyYear)}\n${renderTable(headers, rows)}`;
}
