import { describe, expect, it } from 'vitest';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { csvSpecSchema, type Condition } from '../src/config/schema.js';
import { allOf, anyOf, compileCondition } from '../src/sources/csv/conditions.js';
import { createRow, rowFiller, rowSchema } from '../src/sources/csv/rows.js';

const calendar = new FinancialCalendar();
const spec = csvSpecSchema.parse({
  files: 'x.csv',
  date: 'paid',
  fields: {
    body: { header: 'Body' },
    amount: { header: 'Amount', type: 'amount' },
    line: { header: 'Line', type: 'number' },
    paid: { header: 'Paid', type: 'date' },
  },
});
const schema = rowSchema(spec);
const columns = Int32Array.from([0, 1, 2, 3]);

/** The typed row of one record: body, amount, line, paid. */
function rowOf(cells: string[]) {
  const row = createRow(schema);
  rowFiller(schema, row, calendar)(cells, columns);
  return row;
}

const council = rowOf([' Oxford City Council ', '£1,234.50', '3', '21/01/2014']);
const credit = rowOf(['Oxford City Council', '(500.00)', '10', '2014-03-31']);
const trailer = rowOf(['', '', '', '']);

describe('compileCondition', () => {
  it.each<[Condition, boolean, boolean, boolean]>([
    // condition, on council, on credit, on trailer
    [{ field: 'body', op: 'eq', value: 'Oxford City Council' }, true, true, false],
    [{ field: 'body', op: 'ne', value: 'Oxford City Council' }, false, false, true],
    [{ field: 'body', op: 'empty' }, false, false, true],
    [{ field: 'body', op: 'not_empty' }, true, true, false],
    [{ field: 'body', op: 'in', value: ['Oxford City Council', 'Other'] }, true, true, false],
    [{ field: 'body', op: 'not_in', value: ['Other'] }, true, true, true],
    [{ field: 'body', op: 'matches', value: '^Oxford' }, true, true, false],
    [{ field: 'body', op: 'gt', value: 'A' }, true, true, false],
    [{ field: 'amount', op: 'gt', value: 0 }, true, false, false],
    [{ field: 'amount', op: 'lt', value: 0 }, false, true, false],
    [{ field: 'amount', op: 'gte', value: 1234.5 }, true, false, false],
    [{ field: 'amount', op: 'lte', value: '-500' }, false, true, false],
    [{ field: 'amount', op: 'eq', value: '£1,234.50' }, true, false, false],
    [{ field: 'amount', op: 'ne', value: 1234.5 }, false, true, true],
    [{ field: 'amount', op: 'in', value: [-500, 7] }, false, true, false],
    [{ field: 'amount', op: 'not_in', value: [-500] }, true, false, true],
    [{ field: 'amount', op: 'empty' }, false, false, true],
    [{ field: 'amount', op: 'matches', value: '^-' }, false, true, false],
    // Numeric, not string, comparison: "10" > "3" although "10" < "3" as text.
    [{ field: 'line', op: 'gt', value: 3 }, false, true, false],
    [{ field: 'line', op: 'eq', value: '3' }, true, false, false],
    [{ field: 'paid', op: 'gte', value: '2014-02-01' }, false, true, false],
    [{ field: 'paid', op: 'lt', value: '01/02/2014' }, true, false, false],
    [{ field: 'paid', op: 'eq', value: '31 Mar 2014' }, false, true, false],
    [{ field: 'paid', op: 'in', value: ['2014-01-21', '2014-01-22'] }, true, false, false],
    [{ field: 'paid', op: 'matches', value: '^2014-03-' }, false, true, false],
    [{ field: 'paid', op: 'empty' }, false, false, true],
  ])('%j', (condition, onCouncil, onCredit, onTrailer) => {
    const test = compileCondition(condition, schema, calendar);
    expect([test(council), test(credit), test(trailer)]).toEqual([onCouncil, onCredit, onTrailer]);
  });

  it.each<[Condition, RegExp]>([
    [{ field: 'nope', op: 'empty' }, /"nope" is not a declared csv field \(body, amount, line, paid\)/],
    [{ field: 'body', op: 'eq' }, /needs a value/],
    [{ field: 'body', op: 'in', value: 'x' }, /needs a list/],
    [{ field: 'body', op: 'eq', value: ['x'] }, /needs a single value/],
    [{ field: 'body', op: 'gt', value: 3 }, /"body" is text; declare it type number or amount/],
    [{ field: 'amount', op: 'gt', value: 'lots' }, /"lots" is not an amount/],
    [{ field: 'paid', op: 'gt', value: '31/02/2014' }, /is not a date/],
    [{ field: 'body', op: 'matches', value: '(' }, /not a regular expression/],
  ])('rejects %j', (condition, message) => {
    expect(() => compileCondition(condition, schema, calendar)).toThrow(message);
  });
});

describe('allOf / anyOf', () => {
  const positive: Condition = { field: 'amount', op: 'gt', value: 0 };
  const early: Condition = { field: 'paid', op: 'lt', value: '2014-02-01' };
  const noBody: Condition = { field: 'body', op: 'empty' };

  it('are undefined for no conditions, so a caller can skip the call', () => {
    expect(allOf([], schema, calendar)).toBeUndefined();
    expect(anyOf([], schema, calendar)).toBeUndefined();
  });

  it('combine conditions with and / or', () => {
    const both = allOf([positive, early], schema, calendar)!;
    const either = anyOf([noBody, { field: 'amount', op: 'lt', value: 0 }], schema, calendar)!;
    expect([both(council), both(credit), both(trailer)]).toEqual([true, false, false]);
    expect([either(council), either(credit), either(trailer)]).toEqual([false, true, true]);
  });
});
