import { formatDateKey, type Row, type RowSchema } from '../../sources/csv/index.js';

/**
 * A row's value of one field as a Map key, or undefined when the cell is empty. Typed fields key
 * by value, not by how it was written, so `1,000.00` and `1000` are one amount and `01/02/2024`
 * and `2024-02-01` one date; text keys by the cell's own string, so keying builds no string.
 */
export function cellKey(schema: RowSchema, i: number): (row: Row) => string | number | undefined {
  if (schema.fields[i]?.type === 'text') {
    return (row) => {
      const t = row.text[i] as string;
      return t === '' ? undefined : t;
    };
  }
  return (row) => {
    const v = row.num[i] as number;
    return Number.isNaN(v) ? undefined : v;
  };
}

/** A key value of field `i` as people read it: text as written, dates as YYYY-MM-DD. */
export function shown(schema: RowSchema, i: number, value: string | number): string | number {
  const type = schema.fields[i]?.type;
  if (type === 'text') return String(value);
  return type === 'date' ? formatDateKey(Number(value)) : Number(value);
}
