import { describe, expect, it } from 'vitest';
import { ragWord } from '../src/cli/colour.js';
import { renderTable } from '../src/cli/table.js';
import { csvLine } from '../src/text.js';
import { formatCompact, formatMeasured, formatValue } from '../src/indicators/format.js';

describe('CLI output', () => {
  it.each([
    [['a', 1, null, undefined], 'a,1,,'],
    [['says "hi"', 'x,y', 'two\nlines'], '"says ""hi""","x,y","two\nlines"'],
  ])('quotes CSV cells as RFC 4180 asks: %j', (values, line) => {
    expect(csvLine(values)).toBe(line);
  });

  it.each([
    [1234.5, '£', 2, '£1,234.50'],
    [-1234.5, '£', 0, '-£1,235'],
    [91.25, '%', 1, '91.3%'],
    [null, '%', 1, '—'],
  ])('formats %d %s with %i decimals as %s', (value, unit, decimals, text) => {
    expect(formatValue(value, unit, decimals)).toBe(text);
  });

  // Tables and explanations write numbers one way: a value that rounds to zero has no sign.
  it.each([
    [-0.001, '£', 2, '£0.00'],
    [-0.04, '%', 1, '0.0%'],
    [-1234567.891, '', 2, '-1,234,567.89'],
    [1.005, '', 2, '1.01'],
    [2.675, '£', 2, '£2.68'],
  ])('writes %d %s at %i decimals as %s in a table and in an explanation alike', (value, unit, decimals, text) => {
    expect(formatValue(value, unit, decimals)).toBe(text);
    expect(formatMeasured(value, unit, decimals)).toBe(text);
  });

  it.each([
    [2_100_000, '£', 0, '£2.1m'],
    [35_400, '£', 0, '£35k'],
    [93.44, '%', 2, '93.4%'],
    [12, '', 0, '12'],
    [1234, '', 0, '1234'],
    [-0.01, '£', 1, '£0.0'],
  ])('squeezes %d %s into %s', (value, unit, decimals, text) => {
    expect(formatCompact(value, unit, decimals)).toBe(text);
  });

  it('right-aligns numeric columns and left-aligns text', () => {
    expect(renderTable(['id', 'value'], [['a', '5'], ['bb', '10']])).toBe('id  value\n--  -----\na       5\nbb     10');
  });

  it('lines coloured RAG words up as their plain words, colour taking no room on screen', () => {
    const rows = [['HR01', 'RED', 'why'], ['FIN01', 'GREEN_AMBER', 'why']];
    const plain = renderTable(['id', 'RAG', 'explanation'], rows);
    const coloured = renderTable(['id', 'RAG', 'explanation'], rows.map(([id, rag, why]) => [id!, ragWord(rag!, true), why!]));
    expect(coloured).not.toBe(plain);
    expect(coloured.replace(/\u001b\[[\d;]*m/g, '')).toBe(plain);
  });
});
