import { describe, expect, it } from 'vitest';
import { dateIn } from '../src/calendar/localDate.js';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { choosePeriods } from '../src/calendar/selection.js';

const uk = new FinancialCalendar(4);

describe('period ids (UK, April start)', () => {
  it.each([
    ['2024-25', 'year', '2024-04-01', '2025-04-01', 2024],
    ['1999-00', 'year', '1999-04-01', '2000-04-01', 1999],
    ['2024-25-Q1', 'quarter', '2024-04-01', '2024-07-01', 2024],
    ['2024-25-Q3', 'quarter', '2024-10-01', '2025-01-01', 2024],
    ['2024-25-Q4', 'quarter', '2025-01-01', '2025-04-01', 2024],
    ['2024-05', 'month', '2024-05-01', '2024-06-01', 2024],
    ['2025-03', 'month', '2025-03-01', '2025-04-01', 2024],
    ['2024-12', 'month', '2024-12-01', '2025-01-01', 2024],
    [' 2025-01 ', 'month', '2025-01-01', '2025-02-01', 2024],
  ])('%s is a %s [%s, %s) in FY %i', (id, kind, start, end, fy) => {
    const p = uk.parse(id);
    expect(p).toMatchObject({ kind, start, end, fyYear: fy });
    expect(uk.parse(p.id)).toEqual(p);
  });

  it.each(['2024-26', '2024-13', '2024-00', '2024-25-Q5', '2024-26-Q1', 'Q1 2024', '', '24-25'])('refuses %j', (id) => {
    expect(() => uk.parse(id)).toThrow(/unknown period/);
  });
});

describe('calendar arithmetic', () => {
  it.each([
    ['2024-04-01', 'month', '2024-04'],
    ['2024-06-30', 'quarter', '2024-25-Q1'],
    ['2024-07-01', 'quarter', '2024-25-Q2'],
    ['2025-03-31', 'year', '2024-25'],
    ['2025-04-01', 'year', '2025-26'],
    ['2025-02-14', 'quarter', '2024-25-Q4'],
  ] as const)('%s lies in %s %s', (date, kind, id) => {
    expect(uk.containing(date, kind).id).toBe(id);
  });

  it.each([
    ['2024-04', '2024-03', '2023-04'],
    ['2024-25-Q1', '2023-24-Q4', '2023-24-Q1'],
    ['2024-25', '2023-24', '2023-24'],
    ['2025-01', '2024-12', '2024-01'],
  ])('%s follows %s and a year after %s', (id, previous, lastYear) => {
    expect(uk.previous(uk.parse(id)).id).toBe(previous);
    expect(uk.sameLastYear(uk.parse(id)).id).toBe(lastYear);
    expect(uk.next(uk.parse(previous)).id).toBe(id);
  });

  it('lists the months and quarters of a year, in order', () => {
    const year = uk.parse('2024-25');
    expect(uk.within(year, 'month').map((p) => p.id)).toEqual([
      '2024-04', '2024-05', '2024-06', '2024-07', '2024-08', '2024-09', '2024-10', '2024-11', '2024-12', '2025-01', '2025-02', '2025-03',
    ]);
    expect(uk.within(year, 'quarter').map((p) => p.id)).toEqual(['2024-25-Q1', '2024-25-Q2', '2024-25-Q3', '2024-25-Q4']);
    expect(() => uk.within(uk.parse('2024-05'), 'quarter')).toThrow(/shorter than a quarter/);
  });

  it('gives the year-to-date window from April, across the calendar year end', () => {
    expect(uk.yearToDate(uk.parse('2025-02'))).toEqual({ start: '2024-04-01', end: '2025-03-01' });
    expect(uk.yearToDate(uk.parse('2024-25-Q2'))).toEqual({ start: '2024-04-01', end: '2024-10-01' });
  });

  it('ranges over financial years', () => {
    const ids = uk.range(uk.parse('2023-24'), uk.parse('2024-25'), 'quarter').map((p) => p.id);
    expect(ids).toHaveLength(8);
    expect(ids[0]).toBe('2023-24-Q1');
    expect(ids[7]).toBe('2024-25-Q4');
  });
});

describe('other year starts', () => {
  it.each([
    [1, '2024', '2024-01-01', '2025-01-01', '2024-Q2', '2024-04-01'],
    [7, '2024-25', '2024-07-01', '2025-07-01', '2024-25-Q2', '2024-10-01'],
    [9, '2024-25', '2024-09-01', '2025-09-01', '2024-25-Q3', '2025-03-01'],
  ])('start month %i: year %s is [%s, %s); %s starts %s', (start, yearId, ys, ye, qId, qs) => {
    const cal = new FinancialCalendar(start);
    expect(cal.parse(yearId)).toMatchObject({ kind: 'year', start: ys, end: ye });
    expect(cal.parse(qId)).toMatchObject({ kind: 'quarter', start: qs });
  });

  it('refuses a start month outside 1-12', () => {
    expect(() => new FinancialCalendar(13)).toThrow(/1-12/);
  });
});

describe('timezone', () => {
  it('tells the local date of an instant', () => {
    expect(dateIn(new Date('2024-03-31T23:30:00Z'), 'Europe/London')).toBe('2024-04-01');
    expect(dateIn(new Date('2024-03-31T23:30:00Z'), 'UTC')).toBe('2024-03-31');
  });
});

describe('choosing periods to run', () => {
  it.each([
    [{}, 'month', '2024-06-15', ['2024-05']],
    [{}, 'quarter', '2024-06-15', ['2023-24-Q4']],
    [{}, 'year', '2024-06-15', ['2023-24']],
    [{ period: '2024-25-Q2' }, 'month', '2026-01-01', ['2024-07', '2024-08', '2024-09']],
    [{ period: '2024-25' }, 'quarter', '2026-01-01', ['2024-25-Q1', '2024-25-Q2', '2024-25-Q3', '2024-25-Q4']],
    [{ from: '2024-11', to: '2025-02' }, 'month', '2026-01-01', ['2024-11', '2024-12', '2025-01', '2025-02']],
    [{ from: '2023-24', to: '2024-25' }, 'year', '2026-01-01', ['2023-24', '2024-25']],
    // The demo's partial last year: only what has ended by the end of its data.
    [{ from: '2025-26', to: '2026-27', endedBy: '2026-12-01' }, 'month', '2026-12-02', ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']],
    [{ from: '2025-26', to: '2026-27', endedBy: '2026-12-01' }, 'quarter', '2026-12-02', ['2025-26-Q1', '2025-26-Q2', '2025-26-Q3', '2025-26-Q4', '2026-27-Q1', '2026-27-Q2']],
    [{ from: '2025-26', to: '2026-27', endedBy: '2026-12-01' }, 'year', '2026-12-02', ['2025-26']],
  ] as const)('%j of %s periods on %s', (choice, kind, today, ids) => {
    expect(choosePeriods(uk, kind, choice, today).map((p) => p.id)).toEqual(ids);
  });

  it('refuses a period shorter than the pipeline frequency, and a backwards range', () => {
    expect(() => choosePeriods(uk, 'quarter', { period: '2024-05' }, '2025-01-01')).toThrow(/shorter/);
    expect(() => choosePeriods(uk, 'month', { from: '2025-02', to: '2024-11' }, '2026-01-01')).toThrow(/after/);
    expect(() => choosePeriods(uk, 'year', { period: '2026-27', endedBy: '2026-12-01' }, '2026-12-02')).toThrow('no year of 2026-27 to 2026-27 has ended by 2026-12-01');
  });
});
