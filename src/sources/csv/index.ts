import type { Aggregation, CsvSpec } from '../../config/schema.js';
import type { FinancialCalendar } from '../../calendar/periods.js';
import type { Logger } from '../../logger.js';
import { accumulator, emptyState, finalise, mergeStates, type AggregateState } from './aggregates.js';
import { anyOf } from './conditions.js';
import { matchFiles } from './files.js';
import { checkMalformedLimit, MalformedRows, type MalformedRow } from './malformed.js';
import { MonthlyAggregates } from './monthly.js';
import { readFile, type RowCounts, type RowObserver } from './reader.js';
import { createRow, rowFiller, rowSchema } from './rows.js';

export type { AggregateState } from './aggregates.js';
export { addValue, emptyState, finalise, mergeStates } from './aggregates.js';
export { allOf, anyOf, compileCondition, type RowPredicate } from './conditions.js';
export type { MalformedRow } from './malformed.js';
export type { RowObserver } from './reader.js';
export { createRow, rowFiller, rowSchema, type Row, type RowSchema } from './rows.js';
export { formatDateKey, parseAmount, parseNumber, parseUkDate } from './values.js';

export interface CsvReadResult {
  /** month id 'YYYY-MM' -> one state per requested aggregate, same order as `aggregates` */
  months: Map<string, AggregateState[]>;
  /** The aggregates the states are for, so that months without rows can still be finalised. */
  aggregates: Aggregation[];
  files: string[];
  rows: RowCounts;
  /** The first 50 malformed rows. */
  malformed: MalformedRow[];
}

export interface ReadCsvOptions {
  directory: string;
  spec: CsvSpec;
  aggregates: Aggregation[];
  calendar: FinancialCalendar;
  logger: Logger;
  /** Told of every data row (after skip_when) in the same pass, e.g. by data-quality checks. */
  observers?: RowObserver[];
}

/**
 * Reads the files of a CSV spec in one streaming pass, computing every requested aggregate per
 * calendar month. Configuration mistakes (unknown fields, bad conditions) fail before any file
 * is opened; a file without a declared column fails the run; malformed rows fail it only past
 * `max_malformed`.
 */
export async function readCsv(opts: ReadCsvOptions): Promise<CsvReadResult> {
  const { directory, spec, aggregates, calendar, logger } = opts;
  const schema = rowSchema(spec);
  const row = createRow(schema);
  const months = new MonthlyAggregates(
    aggregates,
    aggregates.map((a) => accumulator(a, schema, calendar)),
  );
  const malformed = new MalformedRows(logger);
  const ctx = {
    spec,
    schema,
    row,
    fill: rowFiller(schema, row, calendar),
    skip: anyOf(spec.skip_when, schema, calendar),
    months,
    malformed,
    observers: opts.observers ?? [],
  };

  const files = await matchFiles(directory, spec.files);
  const rows: RowCounts = { data: 0, blank: 0, skipped: 0, malformed: 0 };
  for (const file of files) {
    const counts = await readFile(file, ctx);
    logger.info({ file, ...counts }, 'read CSV file');
    rows.data += counts.data;
    rows.blank += counts.blank;
    rows.skipped += counts.skipped;
    rows.malformed += counts.malformed;
  }
  checkMalformedLimit(spec.max_malformed, rows.data, malformed);
  return { months: months.toMap(), aggregates, files, rows, malformed: malformed.first };
}

/** Aggregate `index` over `months` (ids 'YYYY-MM'); months without rows count as empty. */
export function combine(result: CsvReadResult, months: string[], index: number): number | null {
  const aggregation = result.aggregates[index];
  if (aggregation === undefined) throw new Error(`no aggregate ${index}: the read computed ${result.aggregates.length}`);
  let state = emptyState(aggregation.fn);
  for (const month of months) {
    const s = result.months.get(month)?.[index];
    if (s !== undefined) state = mergeStates(state, s);
  }
  return finalise(state);
}
