import { describe, expect, it } from 'vitest';
import { bindingNamesIn, periodBindings } from '../src/calendar/bindings.js';
import { FinancialCalendar } from '../src/calendar/periods.js';

describe('query bindings', () => {
  it.each([
    ['WHERE d >= :period_start AND d < :period_end', ['period_start', 'period_end']],
    ['WHERE d >= :period_start::date', ['period_start']],
    ['SELECT x::numeric, y::date FROM t', []],
    ["WHERE t = '10:30' AND u = :fy_id", ['fy_id']],
    ['WHERE a = :perod_end', ['perod_end']],
    ['SELECT * FROM :period_id:', ['period_id: (an identifier binding; write :period_id for a value)']],
    ['WHERE a = \\:literal', []],
  ])('%s uses %j', (sql, names) => {
    expect(bindingNamesIn(sql)).toEqual(names);
  });

  it('gives a year-to-date window with the financial year beside it', () => {
    const calendar = new FinancialCalendar(4);
    const feb = calendar.parse('2025-02');
    expect(periodBindings(calendar, feb, calendar.yearToDate(feb))).toEqual({
      period_start: '2024-04-01',
      period_end: '2025-03-01',
      fy_start: '2024-04-01',
      fy_end: '2025-04-01',
      period_id: '2025-02',
      fy_id: '2024-25',
    });
  });
});
