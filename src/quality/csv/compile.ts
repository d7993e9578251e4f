import type { CheckConfig } from '../../config/schema.js';
import type { FinancialCalendar } from '../../calendar/periods.js';
import { allOf, compileCondition, type RowPredicate, type RowSchema } from '../../sources/csv/index.js';
import { KeyLog } from './keyLog.js';
import { cellKey } from './keys.js';
import type { CompiledCheck, RowRule } from './tally.js';

export function fieldIndex(schema: RowSchema, name: string): number {
  const i = schema.indexOf.get(name);
  if (i === undefined) throw new Error(`"${name}" is not a declared csv field (${schema.fields.map((f) => f.name).join(', ')})`);
  return i;
}

function typeOf(schema: RowSchema, i: number): string {
  return (schema.fields[i] as RowSchema['fields'][number]).type;
}

function scope(check: CheckConfig, schema: RowSchema, calendar: FinancialCalendar): RowPredicate | undefined {
  if (check.where === undefined) return undefined;
  if (typeof check.where === 'string') throw new Error('on a CSV source `where` is a list of conditions, not SQL');
  return allOf(check.where, schema, calendar);
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

/** The row test of each check type, with everything that does not depend on the row worked out once. */
function ruleOf(check: CheckConfig, schema: RowSchema, calendar: FinancialCalendar): RowRule | undefined {
  switch (check.type) {
    case 'not_null':
    case 'completeness': {
      const i = fieldIndex(schema, check.column);
      const fail = failure(check, schema, check.column);
      return (tally, row, file, line) => {
        if (row.text[i] === '') fail(tally, row, file, line);
      };
    }
    case 'accepted_values': {
      const i = fieldIndex(schema, check.column);
      const outside = compileCondition({ field: check.column, op: 'not_in', value: check.values }, schema, calendar);
      const fail = failure(check, schema, check.column);
      // An empty cell is not_null's business, as a NULL is in SQL.
      return (tally, row, file, line) => {
        if (row.text[i] !== '' && outside(row)) fail(tally, row, file, line);
      };
    }
    case 'range': {
      const i = fieldIndex(schema, check.column);
      const type = typeOf(schema, i);
      if (type !== 'amount' && type !== 'number') throw new Error(`range of "${check.column}": the field is ${type}; declare it type amount or number`);
      if (check.min === undefined && check.max === undefined) throw new Error('a range check needs min, max or both');
      const min = check.min ?? -Infinity;
      const max = check.max ?? Infinity;
      const fail = failure(check, schema, check.column);
      // An empty cell is NaN, which is neither below nor above anything.
      return (tally, row, file, line) => {
        const v = row.num[i] as number;
        if (v < min || v > max) fail(tally, row, file, line);
      };
    }
    case 'pattern': {
      const i = fieldIndex(schema, check.column);
      let re: RegExp;
      try {
        re = new RegExp(check.regex);
      } catch (err) {
        throw new Error(`pattern ${JSON.stringify(check.regex)} is not a regular expression (${(err as Error).message})`);
      }
      const fail = failure(check, schema, check.column);
      // The text as written: a pattern checks how a value is written, whatever its type.
      return (tally, row, file, line) => {
        const v = row.text[i] as string;
        if (v !== '' && !re.test(v)) fail(tally, row, file, line);
      };
    }
    case 'freshness': {
      const i = fieldIndex(schema, check.column);
      const type = typeOf(schema, i);
      if (type !== 'date') throw new Error(`freshness of "${check.column}": the field is ${type}; declare it type date`);
      return (tally, row) => {
        const v = row.num[i] as number;
        if (v > tally.newest) tally.newest = v;
      };
    }
    case 'row_count':
      return undefined;
    case 'referential': {
      const [i] = keyFields(check, schema, [check.column]) as [number];
      const key = cellKey(schema, i);
      return (tally, row) => {
        const k = key(row);
        if (k !== undefined) tally.counts.set(k, (tally.counts.get(k) ?? 0) + 1);
      };
    }
    default:
      throw new Error(`${check.type} checks run on indicator values or in a database, not over CSV rows`);
  }
}

/** A row check's scope and row test; throws when the check cannot run over rows of this CSV spec. */
export function compileCheck(check: CheckConfig, schema: RowSchema, calendar: FinancialCalendar): CompiledCheck {
  const where = scope(check, schema, calendar);
  if (check.type === 'unique') {
    const keys = new KeyLog(schema, keyFields(check, schema, check.columns));
    return { where, rule: (tally, row) => keys.add(row, tally.month), keys };
  }
  return { where, rule: ruleOf(check, schema, calendar), keys: undefined };
}
