import type { CsvSpec } from '../../config/schema.js';
import type { FinancialCalendar } from '../../calendar/periods.js';
import { parseAmount, parseDateKey, parseNumber } from './values.js';

export type FieldType = 'text' | 'amount' | 'number' | 'date';

/** How messages name a value of each type: "is not an amount". */
export const TYPE_NOUN: Record<FieldType, string> = { text: 'text', amount: 'an amount', number: 'a number', date: 'a date' };

export interface FieldDef {
  name: string;
  type: FieldType;
  /** Accepted header texts, as configured (matching normalises them); none for a field read by position. */
  headers: string[];
  /** The record position (0 is the first cell) of a field read by position. */
  position?: number;
}

export interface RowSchema {
  fields: FieldDef[];
  indexOf: ReadonlyMap<string, number>;
  /** Index of the field whose date assigns a row to a month. */
  dateIndex: number;
}

/**
 * One data row's typed values, reused for every row of a run so that reading allocates no
 * per-row objects. `text[i]` is field i's trimmed cell text (empty when missing); `num[i]` is
 * its value for amount and number fields, or its date as yyyymmdd, and NaN when empty.
 */
export interface Row {
  readonly text: string[];
  readonly num: Float64Array;
}

export function rowSchema(spec: Pick<CsvSpec, 'fields' | 'date'>): RowSchema {
  const fields: FieldDef[] = Object.entries(spec.fields).map(([name, f]) => ({
    name,
    type: f.type,
    headers: f.header === undefined ? [] : typeof f.header === 'string' ? [f.header] : [...f.header],
    ...(f.column === undefined ? {} : { position: f.column - 1 }),
  }));
  const indexOf = new Map(fields.map((f, i) => [f.name, i]));
  const dateIndex = indexOf.get(spec.date);
  const dateField = dateIndex === undefined ? undefined : fields[dateIndex];
  if (dateIndex === undefined || dateField === undefined) {
    throw new Error(`csv.date "${spec.date}" is not one of the declared fields (${fields.map((f) => f.name).join(', ')})`);
  }
  // A field's type defaults to text, and the date field can only be read as a date.
  if (dateField.type === 'text') dateField.type = 'date';
  if (dateField.type !== 'date') {
    throw new Error(`csv.date "${spec.date}" names a field of type ${dateField.type}; it must be a date field`);
  }
  return { fields, indexOf, dateIndex };
}

export function createRow(schema: RowSchema): Row {
  return { text: schema.fields.map(() => ''), num: new Float64Array(schema.fields.length).fill(NaN) };
}

const TEXT = 0;
const AMOUNT = 1;
const NUMBER = 2;
const DATE = 3;
const TYPE_CODE: Record<FieldType, number> = { text: TEXT, amount: AMOUNT, number: NUMBER, date: DATE };

const REPLACEMENT = '\uFFFD';

/** Whether a cell's text holds bytes its file's encoding could not decode. */
export function hasUndecodableBytes(text: string): boolean {
  return text.includes(REPLACEMENT);
}

export type RowFiller = (record: readonly string[], columns: Int32Array) => number;

/**
 * A function that types one record into `row` and returns the index of the first field whose
 * text could not be read (an unreadable amount or number, a missing or unreadable date, or
 * bytes the encoding could not decode), or -1. `columns[i]` is the record position of field i.
 * Dates with a time zone (`2024-03-31T23:30:00Z`) fall on their day in `timeZone`.
 */
export function rowFiller(schema: RowSchema, row: Row, calendar: FinancialCalendar, timeZone?: string): RowFiller {
  const types = Uint8Array.from(schema.fields, (f) => TYPE_CODE[f.type]);
  const { text, num } = row;
  return (record, columns) => {
    let failed = -1;
    for (let i = 0; i < types.length; i++) {
      const cell = record[columns[i] as number];
      const t = cell === undefined ? '' : trimmed(cell);
      text[i] = t;
      // U+FFFD is what decoding leaves of bytes the file's encoding has no character for.
      if (hasUndecodableBytes(t)) {
        num[i] = NaN;
        if (failed < 0) failed = i;
        continue;
      }
      const type = types[i];
      if (type === TEXT) continue;
      if (t.length === 0) {
        num[i] = NaN;
        if (type === DATE && failed < 0) failed = i;
        continue;
      }
      const value = type === DATE ? parseDateKey(t, calendar, timeZone) : type === AMOUNT ? parseAmount(t) : parseNumber(t);
      if (value === undefined || Number.isNaN(value)) {
        num[i] = NaN;
        if (failed < 0) failed = i;
      } else {
        num[i] = value;
      }
    }
    return failed;
  };
}

function isWhite(c: number): boolean {
  return c <= 32 || c === 160;
}

/** `cell.trim()` without a call into the runtime for the usual cell that needs none. */
function trimmed(cell: string): string {
  const n = cell.length;
  if (n === 0 || (!isWhite(cell.charCodeAt(0)) && !isWhite(cell.charCodeAt(n - 1)))) return cell;
  return cell.trim();
}

/** True when every cell is empty or whitespace: a spacer row such as `,,,,,,`. */
export function isBlankRecord(record: readonly string[]): boolean {
  for (let i = 0; i < record.length; i++) {
    const cell = record[i] as string;
    for (let j = 0; j < cell.length; j++) {
      if (!isWhite(cell.charCodeAt(j))) return false;
    }
  }
  return true;
}
