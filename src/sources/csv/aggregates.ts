import type { Aggregation } from '../../config/schema.js';
import type { FinancialCalendar } from '../../calendar/periods.js';
import { allOf } from './conditions.js';
import type { Row, RowSchema } from './rows.js';

export type AggregateFn = Aggregation['fn'];

/**
 * What one aggregate has seen of one month's rows, mergeable across months. Sums are
 * compensated (Neumaier), so a year of pence-precise amounts adds up to the pence; only
 * median and distinct_count grow with the rows.
 */
export type AggregateState =
  | { fn: 'count'; n: number }
  | { fn: 'sum'; sum: number; compensation: number }
  | { fn: 'mean'; n: number; sum: number; compensation: number }
  | { fn: 'median'; values: number[] }
  | { fn: 'min' | 'max'; n: number; value: number }
  | { fn: 'distinct_count'; seen: Set<string | number> };

export function emptyState(fn: AggregateFn): AggregateState {
  switch (fn) {
    case 'count':
      return { fn, n: 0 };
    case 'sum':
      return { fn, sum: 0, compensation: 0 };
    case 'mean':
      return { fn, n: 0, sum: 0, compensation: 0 };
    case 'median':
      return { fn, values: [] };
    case 'min':
      return { fn, n: 0, value: Infinity };
    case 'max':
      return { fn, n: 0, value: -Infinity };
    case 'distinct_count':
      return { fn, seen: new Set() };
  }
}

function addToSum(state: { sum: number; compensation: number }, v: number): void {
  const t = state.sum + v;
  state.compensation += Math.abs(state.sum) >= Math.abs(v) ? state.sum - t + v : v - t + state.sum;
  state.sum = t;
}

/** Counts one row (count ignores `value`; distinct_count takes text or numbers, the rest numbers). */
export function addValue(state: AggregateState, value: number | string): void {
  switch (state.fn) {
    case 'count':
      state.n++;
      return;
    case 'sum':
      addToSum(state, value as number);
      return;
    case 'mean':
      state.n++;
      addToSum(state, value as number);
      return;
    case 'median':
      state.values.push(value as number);
      return;
    case 'min':
      state.n++;
      if ((value as number) < state.value) state.value = value as number;
      return;
    case 'max':
      state.n++;
      if ((value as number) > state.value) state.value = value as number;
      return;
    case 'distinct_count':
      state.seen.add(value);
      return;
  }
}

/** A new state holding what `a` and `b` have seen; both are left unchanged. */
export function mergeStates(a: AggregateState, b: AggregateState): AggregateState {
  if (a.fn !== b.fn) throw new Error(`cannot merge a ${a.fn} state with a ${b.fn} state`);
  switch (a.fn) {
    case 'count':
      return { fn: a.fn, n: a.n + (b as typeof a).n };
    case 'sum': {
      const s = b as typeof a;
      const merged = { fn: a.fn, sum: a.sum, compensation: a.compensation + s.compensation };
      addToSum(merged, s.sum);
      return merged;
    }
    case 'mean': {
      const s = b as typeof a;
      const merged = { fn: a.fn, n: a.n + s.n, sum: a.sum, compensation: a.compensation + s.compensation };
      addToSum(merged, s.sum);
      return merged;
    }
    case 'median':
      return { fn: a.fn, values: a.values.concat((b as typeof a).values) };
    case 'min':
    case 'max': {
      const s = b as typeof a;
      const value = a.fn === 'min' ? Math.min(a.value, s.value) : Math.max(a.value, s.value);
      return { fn: a.fn, n: a.n + s.n, value };
    }
    case 'distinct_count':
      return { fn: a.fn, seen: new Set([...a.seen, ...(b as typeof a).seen]) };
  }
}

/** The aggregate's value: 0 for a count or sum of no rows, null for the others. */
export function finalise(state: AggregateState): number | null {
  switch (state.fn) {
    case 'count':
      return state.n;
    case 'sum':
      return state.sum + state.compensation;
    case 'mean':
      return state.n === 0 ? null : (state.sum + state.compensation) / state.n;
    case 'median': {
      const n = state.values.length;
      if (n === 0) return null;
      const sorted = Float64Array.from(state.values).sort();
      const mid = n >> 1;
      return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
    }
    case 'min':
    case 'max':
      return state.n === 0 ? null : state.value;
    case 'distinct_count':
      return state.seen.size;
  }
}

/** Adds one typed row to a state of its aggregate, if the row passes the aggregate's `where`. */
export type Accumulator = (state: AggregateState, row: Row) => void;

/**
 * The per-row work of one aggregate. Rows whose `field` is empty are not counted, as in SQL:
 * `count` with a field counts rows that have it, and the numeric aggregates need a number.
 */
export function accumulator(aggregation: Aggregation, schema: RowSchema, calendar: FinancialCalendar): Accumulator {
  const { fn, field: name } = aggregation;
  const where = allOf(aggregation.where, schema, calendar);
  const passes = (row: Row) => where === undefined || where(row);
  if (name === undefined) {
    if (fn !== 'count') throw new Error(`aggregate ${fn} needs a field`);
    return (state, row) => {
      if (passes(row)) addValue(state, 0);
    };
  }
  const i = schema.indexOf.get(name);
  const field = i === undefined ? undefined : schema.fields[i];
  if (i === undefined || field === undefined) {
    throw new Error(`aggregate ${fn} of "${name}": not a declared csv field (${schema.fields.map((f) => f.name).join(', ')})`);
  }
  if ((field.type === 'text' || field.type === 'date') && fn !== 'count' && fn !== 'distinct_count') {
    throw new Error(`aggregate ${fn} of "${name}": the field is ${field.type}; declare it type amount or number`);
  }
  if (field.type === 'text') {
    return (state, row) => {
      const v = row.text[i] as string;
      if (v !== '' && passes(row)) addValue(state, v);
    };
  }
  return (state, row) => {
    const v = row.num[i] as number;
    if (!Number.isNaN(v) && passes(row)) addValue(state, v);
  };
}
