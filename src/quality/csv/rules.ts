import type { FinancialCalendar } from '../../calendar/periods.js';
import type { CheckConfig, CheckOf as Of } from '../../config/schema.js';
import { compileCondition, type RowSchema } from '../../sources/csv/index.js';
import { KeyLog } from './keyLog.js';
import { cellKey } from './keys.js';
import type { RowRule } from './tally.js';

/** What a check does with each row in its scope, worked out once from its config and the CSV spec. */
export interface RowTest {
  /** Undefined when counting the rows in scope is all the check needs (row_count, reconciliation). */
  rule: RowRule | undefined;
  /** unique: the keys of every month, since a key's copies may fall in different months. */
  keys?: KeyLog;
}

/** How a check type tests rows; throws when the check cannot run over rows of this CSV spec. */
export type RowTestOf<C> = (check: C, schema: RowSchema, calendar: FinancialCalendar) => RowTest;

export function fieldIndex(schema: RowSchema, name: string): number {
  const i = schema.indexOf.get(name);
  if (i === undefined) throw new Error(`"${name}" is not a declared csv field (${schema.fields.map((f) => f.name).join(', ')})`);
  return i;
}

function typeOf(schema: RowSchema, i: number): string {
  return (schema.fields[i] as RowSchema['fields'][number]).type;
}

/**
 * Counts a failing row, keeping it while the month's sample has room; rows past the sample
 * size cost nothing but the count. A sample row has the check's key columns as written in the
 * file, and where the row is.
 */
function failure(check: CheckConfig, schema: RowSchema, column: string): RowRule {
  const names = check.key_columns ?? [column];
  const indices = names.map((name) => fieldIndex(schema, name));
  const cap = check.sample;
  return (tally, row, file, line) => {
    tally.failing++;
    if (tally.sample.length >= cap) return;
    const kept: Record<string, unknown> = {};
    for (let k = 0; k < names.length; k++) kept[names[k] as string] = row.text[indices[k] as number];
    kept.file = file;
    kept.line = line;
    tally.sample.push(kept);
  };
}

/**
 * unique and referential failures are known only once every month is in, so their samples are
 * keys (with counts), not rows: the key columns can only be fields of the key.
 */
function keyFields(check: CheckConfig, schema: RowSchema, columns: readonly string[]): number[] {
  const outside = (check.key_columns ?? []).filter((name) => !columns.includes(name));
  if (outside.length > 0) {
    throw new Error(`key_columns ${outside.join(', ')}: on a CSV source this check's sample shows only ${columns.join(', ')}`);
  }
  return columns.map((name) => fieldIndex(schema, name));
}

/** A row fails when its cell is empty: not_null and completeness read a CSV the same way. */
export const emptyCell: RowTestOf<Of<'not_null'> | Of<'completeness'>> = (check, schema) => {
  const i = fieldIndex(schema, check.column);
  const fail = failure(check, schema, check.column);
  return {
    rule: (tally, row, file, line) => {
      if (row.text[i] === '') fail(tally, row, file, line);
    },
  };
};

export const unacceptedValue: RowTestOf<Of<'accepted_values'>> = (check, schema, calendar) => {
  const i = fieldIndex(schema, check.column);
  const outside = compileCondition({ field: check.column, op: 'not_in', value: check.values }, schema, calendar);
  const fail = failure(check, schema, check.column);
  // An empty cell is not_null's business, as a NULL is in SQL.
  return {
    rule: (tally, row, file, line) => {
      if (row.text[i] !== '' && outside(row)) fail(tally, row, file, line);
    },
  };
};

export const outOfRange: RowTestOf<Of<'range'>> = (check, schema) => {
  const i = fieldIndex(schema, check.column);
  const type = typeOf(schema, i);
  if (type !== 'amount' && type !== 'number') throw new Error(`range of "${check.column}": the field is ${type}; declare it type amount or number`);
  if (check.min === undefined && check.max === undefined) throw new Error('a range check needs min, max or both');
  const min = check.min ?? -Infinity;
  const max = check.max ?? Infinity;
  const fail = failure(check, schema, check.column);
  // An empty cell is NaN, which is neither below nor above anything.
  return {
    rule: (tally, row, file, line) => {
      const v = row.num[i] as number;
      if (v < min || v > max) fail(tally, row, file, line);
    },
  };
};

export const unmatchedPattern: RowTestOf<Of<'pattern'>> = (check, schema) => {
  const i = fieldIndex(schema, check.column);
  let re: RegExp;
  try {
    re = new RegExp(check.regex);
  } catch (err) {
    throw new Error(`pattern ${JSON.stringify(check.regex)} is not a regular expression (${(err as Error).message})`);
  }
  const fail = failure(check, schema, check.column);
  // The text as written: a pattern checks how a value is written, whatever its type.
  return {
    rule: (tally, row, file, line) => {
      const v = row.text[i] as string;
      if (v !== '' && !re.test(v)) fail(tally, row, file, line);
    },
  };
};

export const newestDate: RowTestOf<Of<'freshness'>> = (check, schema) => {
  // Without a column it ages the pipeline's newest record, which the read keeps for data arrival.
  if (check.column === undefined) return { rule: undefined };
  const i = fieldIndex(schema, check.column);
  const type = typeOf(schema, i);
  if (type !== 'date') throw new Error(`freshness of "${check.column}": the field is ${type}; declare it type date`);
  return {
    rule: (tally, row) => {
      const v = row.num[i] as number;
      if (v > tally.newest) tally.newest = v;
    },
  };
};

/** Counting the rows in scope is all the check needs. */
export const rowsOnly: RowTestOf<CheckConfig> = () => ({ rule: undefined });

export const valueCounts: RowTestOf<Of<'referential'>> = (check, schema) => {
  const [i] = keyFields(check, schema, [check.column]) as [number];
  const key = cellKey(schema, i);
  return {
    rule: (tally, row) => {
      const k = key(row);
      if (k !== undefined) tally.counts.set(k, (tally.counts.get(k) ?? 0) + 1);
    },
  };
};

export const keyCopies: RowTestOf<Of<'unique'>> = (check, schema) => {
  const keys = new KeyLog(schema, keyFields(check, schema, check.columns));
  return { rule: (tally, row) => keys.add(row, tally.month), keys };
};
