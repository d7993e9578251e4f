import { describe, expect, it } from 'vitest';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { parseAmount, parseNumber, parseUkDate } from '../src/sources/csv/values.js';

const uk = new FinancialCalendar(4);

describe('parseAmount', () => {
  it.each<[string, number | undefined]>([
    ['1234.56', 1234.56],
    ['£1,234.56', 1234.56],
    ['"1,044.70"', 1044.7],
    ['1,044.70', 1044.7],
    ['(1,234.56)', -1234.56],
    ['0.36-', -0.36],
    ['1,234.00-', -1234],
    ['165,546.00-', -165546],
    ['-12.5', -12.5],
    ['+12.5', 12.5],
    ['-£12.50', -12.5],
    ['£-12.50', -12.5],
    ['  860.54  ', 860.54],
    ['\t860.54', 860.54],
    ['1,234,567.89', 1234567.89],
    ['500', 500],
    ['.5', 0.5],
    ['5.', 5],
    ['0.00', 0],
    ['-0.00', 0],
    ['1234567890123.45', 1234567890123.45],
    ['12345678901234567.5', 12345678901234567.5],
    ['', undefined],
    ['   ', undefined],
    ['abc', undefined],
    ['12a', undefined],
    ['1,5', undefined],
    ['12,34.00', undefined],
    [',123', undefined],
    ['1.2.3', undefined],
    ['1.234,56', undefined],
    ['--5', undefined],
    ['(5)-', undefined],
    ['(5', undefined],
    ['£', undefined],
    ['-', undefined],
    ['1e3', undefined],
  ])('%j -> %s', (text, expected) => {
    expect(parseAmount(text)).toBe(expected);
  });

  it('agrees with Number() to the last bit for two-decimal amounts', () => {
    for (let pence = 0; pence < 200_000; pence += 7) {
      const text = (pence / 100).toFixed(2);
      expect(parseAmount(text)).toBe(Number(text));
    }
  });
});

describe('parseNumber', () => {
  it.each<[string, number | undefined]>([
    ['89', 89],
    ['1,234', 1234],
    ['-0.5', -0.5],
    [' 42 ', 42],
    ['', undefined],
    ['£5', undefined],
    ['(5)', undefined],
    ['5-', undefined],
    ['n/a', undefined],
  ])('%j -> %s', (text, expected) => {
    expect(parseNumber(text)).toBe(expected);
  });
});

describe('parseUkDate', () => {
  it.each<[string, string | undefined]>([
    ['31/01/2024', '2024-01-31'],
    ['31/1/2024', '2024-01-31'],
    ['1/1/2024', '2024-01-01'],
    ['2024-01-31', '2024-01-31'],
    ['2024-1-31', '2024-01-31'],
    ['31-Jan-2024', '2024-01-31'],
    ['31-Jan-24', '2024-01-31'],
    ['31-jan-99', '1999-01-31'],
    ['14 Nov 2023', '2023-11-14'],
    ['1 Dec 2023', '2023-12-01'],
    ['14 November 2023', '2023-11-14'],
    ['14 Sept 2023', '2023-09-14'],
    ['31.01.2024', '2024-01-31'],
    [' 03/10/2018 ', '2018-10-03'],
    ['31/01/2024 00:00:00', '2024-01-31'],
    ['2024-01-31T00:00:00', '2024-01-31'],
    ['29/02/2024', '2024-02-29'],
    ['2023/24 Q1', '2023-04-01'],
    ['2023/24 Q2', '2023-07-01'],
    ['2023-24 Q2', '2023-07-01'],
    ['2023/24 Q4', '2024-01-01'],
    ['2025/26 Q3', '2025-10-01'],
    ['31/02/2024', undefined],
    ['29/02/2023', undefined],
    ['2024-02-30', undefined],
    ['32/01/2024', undefined],
    ['31/13/2024', undefined],
    ['00/01/2024', undefined],
    ['ab/cd/efgh', undefined],
    ['14 Foo 2023', undefined],
    ['2023/25 Q2', undefined],
    ['2023/24 Q5', undefined],
    ['', undefined],
    ['Payment Date', undefined],
  ])('%j -> %s', (text, expected) => {
    expect(parseUkDate(text, uk)).toBe(expected);
  });

  it('starts quarters where the calendar starts its year', () => {
    expect(parseUkDate('2023/24 Q1', new FinancialCalendar(7))).toBe('2023-07-01');
    expect(parseUkDate('2023/24 Q3', new FinancialCalendar(7))).toBe('2024-01-01');
  });
});
