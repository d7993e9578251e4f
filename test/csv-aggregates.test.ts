import { describe, expect, it } from 'vitest';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { csvSpecSchema, type Aggregation } from '../src/config/schema.js';
import { accumulator, addValue, emptyState, finalise, mergeStates, type AggregateFn, type AggregateState } from '../src/sources/csv/aggregates.js';
import { createRow, rowFiller, rowSchema } from '../src/sources/csv/rows.js';

function stateOf(fn: AggregateFn, values: (number | string)[]): AggregateState {
  const state = emptyState(fn);
  for (const v of values) addValue(state, v);
  return state;
}

describe('aggregate states', () => {
  const values = [5, 1, 4, 1, 3, 9, 2];
  it.each<[AggregateFn, (number | string)[], number | null]>([
    ['count', values, 7],
    ['sum', values, 25],
    ['mean', values, 25 / 7],
    ['median', values, 3],
    ['median', [4, 1, 3, 2], 2.5],
    ['median', [-1, -10, 100], -1],
    ['min', values, 1],
    ['max', values, 9],
    ['min', [-3, -7], -7],
    ['max', [-3, -7], -3],
    ['distinct_count', values, 6],
    ['distinct_count', ['a', 'b', 'a'], 2],
    ['count', [], 0],
    ['sum', [], 0],
    ['mean', [], null],
    ['median', [], null],
    ['min', [], null],
    ['max', [], null],
    ['distinct_count', [], 0],
  ])('%s of %j is %s', (fn, xs, expected) => {
    expect(finalise(stateOf(fn, xs))).toBe(expected);
  });

  it.each<AggregateFn>(['count', 'sum', 'mean', 'median', 'min', 'max', 'distinct_count'])(
    '%s: merging the states of two parts equals the state of the whole, in either order, and with empty parts',
    (fn) => {
      const whole = finalise(stateOf(fn, values));
      const a = stateOf(fn, values.slice(0, 3));
      const b = stateOf(fn, values.slice(3));
      expect(finalise(mergeStates(a, b))).toBeCloseTo(whole as number, 12);
      expect(finalise(mergeStates(b, a))).toBeCloseTo(whole as number, 12);
      expect(finalise(mergeStates(emptyState(fn), a))).toBe(finalise(a));
      expect(finalise(mergeStates(a, emptyState(fn)))).toBe(finalise(a));
      expect(finalise(mergeStates(emptyState(fn), emptyState(fn)))).toBe(finalise(emptyState(fn)));
    },
  );

  it('merging leaves both inputs unchanged', () => {
    const a = stateOf('median', [1, 2]);
    const b = stateOf('distinct_count', ['x']);
    mergeStates(a, stateOf('median', [3]));
    mergeStates(b, stateOf('distinct_count', ['y']));
    expect(finalise(a)).toBe(1.5);
    expect(finalise(b)).toBe(1);
  });

  it('refuses to merge states of different aggregates', () => {
    expect(() => mergeStates(emptyState('sum'), emptyState('mean'))).toThrow(/cannot merge a sum state with a mean state/);
  });

  it('sums money without drifting: ten 10p amounts make exactly £1, across merges too', () => {
    const tenths = Array.from({ length: 10 }, () => 0.1);
    expect(tenths.reduce((t, x) => t + x, 0)).not.toBe(1);
    expect(finalise(stateOf('sum', tenths))).toBe(1);
    expect(finalise(mergeStates(stateOf('sum', tenths.slice(0, 3)), stateOf('sum', tenths.slice(3))))).toBe(1);
    expect(finalise(stateOf('mean', tenths))).toBe(0.1);
  });
});

describe('accumulator', () => {
  const calendar = new FinancialCalendar();
  const spec = csvSpecSchema.parse({
    files: 'x.csv',
    date: 'paid',
    fields: {
      paid: { header: 'Date', type: 'date' },
      amount: { header: 'Amount', type: 'amount' },
      supplier: { header: 'Supplier' },
    },
  });
  const schema = rowSchema(spec);
  const row = createRow(schema);
  const fill = rowFiller(schema, row, calendar);
  const columns = Int32Array.from([0, 1, 2]);
  const records = [
    ['01/04/2024', '100.00', 'Acme'],
    ['02/04/2024', '', 'Acme'],
    ['03/04/2024', '(20.00)', ' Bolt '],
    ['04/04/2024', '5', ''],
  ];

  function run(aggregation: Omit<Aggregation, 'where'> & { where?: Aggregation['where'] }): number | null {
    const add = accumulator({ where: [], ...aggregation }, schema, calendar);
    const state = emptyState(aggregation.fn);
    for (const r of records) {
      expect(fill(r, columns)).toBe(-1);
      add(state, row);
    }
    return finalise(state);
  }

  it.each<[string, Omit<Aggregation, 'where'> & { where?: Aggregation['where'] }, number | null]>([
    ['count of rows', { fn: 'count' }, 4],
    ['count of rows with an amount', { fn: 'count', field: 'amount' }, 3],
    ['sum skips empty amounts', { fn: 'sum', field: 'amount' }, 85],
    ['mean skips empty amounts', { fn: 'mean', field: 'amount' }, 85 / 3],
    ['median', { fn: 'median', field: 'amount' }, 5],
    ['min', { fn: 'min', field: 'amount' }, -20],
    ['max where supplier', { fn: 'max', field: 'amount', where: [{ field: 'supplier', op: 'eq', value: 'Bolt' }] }, -20],
    ['distinct suppliers (trimmed, empty ignored)', { fn: 'distinct_count', field: 'supplier' }, 2],
    ['distinct dates', { fn: 'distinct_count', field: 'paid' }, 4],
    ['sum where amount > 0', { fn: 'sum', field: 'amount', where: [{ field: 'amount', op: 'gt', value: 0 }] }, 105],
    ['mean where nothing matches', { fn: 'mean', field: 'amount', where: [{ field: 'supplier', op: 'eq', value: 'Nobody' }] }, null],
  ])('%s', (_name, aggregation, expected) => {
    expect(run(aggregation)).toBe(expected);
  });

  it.each<[Omit<Aggregation, 'where'>, RegExp]>([
    [{ fn: 'sum' }, /sum needs a field/],
    [{ fn: 'sum', field: 'nope' }, /"nope": not a declared csv field \(paid, amount, supplier\)/],
    [{ fn: 'mean', field: 'supplier' }, /mean of "supplier": the field is text/],
    [{ fn: 'max', field: 'paid' }, /max of "paid": the field is date/],
  ])('rejects %j', (aggregation, message) => {
    expect(() => accumulator({ where: [], ...aggregation }, schema, calendar)).toThrow(message);
  });
});
