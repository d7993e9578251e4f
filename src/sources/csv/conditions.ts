import type { Condition } from '../../config/schema.js';
import type { FinancialCalendar } from '../../calendar/periods.js';
import { TYPE_NOUN, type FieldDef, type Row, type RowSchema } from './rows.js';
import { formatDateKey, parseAmount, parseDateKey, parseNumber } from './values.js';

export type RowPredicate = (row: Row) => boolean;

type Scalar = string | number | boolean;

/**
 * A condition as a function over typed rows (shared by `skip_when` and aggregates' `where`).
 * Everything that does not depend on the row, the field's position, the comparison value in the
 * field's type and any regular expression, is worked out here, once. Amount and number fields
 * compare numerically and dates as `YYYY-MM-DD`; an empty amount, number or date equals nothing
 * and is neither greater nor less than anything.
 */
export function compileCondition(condition: Condition, schema: RowSchema, calendar: FinancialCalendar): RowPredicate {
  const { op, value } = condition;
  const i = schema.indexOf.get(condition.field);
  const field = i === undefined ? undefined : schema.fields[i];
  const what = `condition ${condition.field} ${op}${value === undefined ? '' : ` ${JSON.stringify(value)}`}`;
  if (i === undefined || field === undefined) {
    throw new Error(`${what}: "${condition.field}" is not a declared csv field (${schema.fields.map((f) => f.name).join(', ')})`);
  }

  if (op === 'empty') return (row) => row.text[i] === '';
  if (op === 'not_empty') return (row) => row.text[i] !== '';
  if (value === undefined) throw new Error(`${what}: needs a value`);

  if (op === 'matches') {
    let re: RegExp;
    try {
      re = new RegExp(String(value));
    } catch (err) {
      throw new Error(`${what}: not a regular expression (${(err as Error).message})`);
    }
    if (field.type === 'text') return (row) => re.test(row.text[i] as string);
    const show = field.type === 'date' ? formatDateKey : String;
    return (row) => {
      const v = row.num[i] as number;
      return re.test(Number.isNaN(v) ? '' : show(v));
    };
  }

  if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(value)) throw new Error(`${what}: needs a list of values`);
    const want = op === 'in';
    if (field.type === 'text') {
      const set = new Set(value.map(String));
      return (row) => set.has(row.text[i] as string) === want;
    }
    const set = new Set(value.map((v) => typed(v, field, calendar, what)));
    return (row) => set.has(row.num[i] as number) === want;
  }
  if (Array.isArray(value)) throw new Error(`${what}: needs a single value, not a list`);

  if (field.type === 'text') {
    if (typeof value === 'number' && op !== 'eq' && op !== 'ne') {
      throw new Error(`${what}: field "${field.name}" is text; declare it type number or amount to compare it numerically`);
    }
    return compare(op, (row) => row.text[i] as string, String(value));
  }
  return compare(op, (row) => row.num[i] as number, typed(value, field, calendar, what));
}

type Comparison = Exclude<Condition['op'], 'empty' | 'not_empty' | 'matches' | 'in' | 'not_in'>;

function compare<T extends string | number>(op: Comparison, get: (row: Row) => T, x: T): RowPredicate {
  switch (op) {
    case 'eq':
      return (row) => get(row) === x;
    case 'ne':
      return (row) => get(row) !== x;
    case 'gt':
      return (row) => get(row) > x;
    case 'gte':
      return (row) => get(row) >= x;
    case 'lt':
      return (row) => get(row) < x;
    case 'lte':
      return (row) => get(row) <= x;
  }
}

/** A configured value in the representation the field's typed cells use. */
function typed(value: Scalar, field: FieldDef, calendar: FinancialCalendar, what: string): number {
  if (field.type === 'date') {
    const dateKey = parseDateKey(String(value), calendar);
    if (Number.isNaN(dateKey)) throw new Error(`${what}: ${JSON.stringify(value)} is not a date`);
    return dateKey;
  }
  const n = typeof value === 'number' ? value : field.type === 'amount' ? parseAmount(String(value)) : parseNumber(String(value));
  if (n === undefined) throw new Error(`${what}: ${JSON.stringify(value)} is not ${TYPE_NOUN[field.type]}`);
  return n;
}

function combined(mode: 'all' | 'any', conditions: readonly Condition[], schema: RowSchema, calendar: FinancialCalendar): RowPredicate | undefined {
  const predicates = conditions.map((c) => compileCondition(c, schema, calendar));
  if (predicates.length <= 1) return predicates[0];
  return mode === 'all' ? (row) => predicates.every((p) => p(row)) : (row) => predicates.some((p) => p(row));
}

/** True when every condition holds; undefined for no conditions, so callers skip the call. */
export function allOf(conditions: readonly Condition[], schema: RowSchema, calendar: FinancialCalendar): RowPredicate | undefined {
  return combined('all', conditions, schema, calendar);
}

/** True when any condition holds; undefined for no conditions, so callers skip the call. */
export function anyOf(conditions: readonly Condition[], schema: RowSchema, calendar: FinancialCalendar): RowPredicate | undefined {
  return combined('any', conditions, schema, calendar);
}
