import type { Aggregation, CsvSpec } from '../../config/schema.js';
import type { LocalDate } from '../../calendar/localDate.js';
import type { FinancialCalendar } from '../../calendar/periods.js';
import type { Logger } from '../../logger.js';
import { accumulator, emptyState, finalise, mergeStates, type AggregateState } from './aggregates.js';
import { anyOf } from './conditions.js';
import { matchFiles } from './files.js';
import { MalformedRows, type MalformedRow } from './malformed.js';
import { MonthlyAggregates } from './monthly.js';
import { readFile, type RowCounts, type RowObserver } from './reader.js';
import { createRow, rowFiller, rowSchema } from './rows.js';
import { formatDateKey } from './values.js';

export type { AggregateState } from './aggregates.js';
export { addValue, emptyState, finalise, mergeStates } from './aggregates.js';
export { allOf, anyOf, compileCondition, type RowPredicate } from './conditions.js';
export { checkMalformedLimit, MalformedRowsError, type MalformedRow, type MalformedRows, type PeriodMalformed } from './malformed.js';
export type { RowObserver } from './reader.js';
export { createRow, rowFiller, rowSchema, type Row, type RowSchema } from './rows.js';
export { formatDateKey, parseAmount, parseNumber, parseUkDate } from './values.js';

/** A file of the glob that could not be read whole: none of its rows are in the aggregates. */
export interface UnreadFile {
  file: string;
  message: string;
}

export interface CsvReadResult {
  /** month id 'YYYY-MM' -> one state per requested aggregate, same order as `aggregates` */
  months: Map<string, AggregateState[]>;
  /** The aggregates the states are for, so that months without rows can still be finalised. */
  aggregates: Aggregation[];
  files: string[];
  rows: RowCounts;
  /** The first 50 malformed rows. */
  malformed: MalformedRow[];
  /** Malformed rows by the periods they bear on. */
  malformedRows: MalformedRows;
  unread: UnreadFile[];
  /** The newest date of the date field over the rows (malformed ones too) of every file read whole: when the data runs to. */
  newest: LocalDate | undefined;
}

export interface ReadCsvOptions {
  directory: string;
  spec: CsvSpec;
  aggregates: Aggregation[];
  calendar: FinancialCalendar;
  logger: Logger;
  /** Told of every data row (after skip_when) in the same pass, e.g. by data-quality checks. */
  observers?: RowObserver[];
  /** Where an instant with an offset (`2024-03-31T23:30:00Z`) falls on a day: the service's timezone. */
  timeZone?: string;
}

/**
 * Reads the files of a CSV spec in one streaming pass, computing every requested aggregate per
 * calendar month. Configuration mistakes (unknown fields, bad conditions) fail before any file
 * is opened. A file that cannot be read whole (unreadable, no declared column, a quote never
 * closed) is left out and named in `unread`, and the others are read; when no file can be read
 * the read fails. Malformed rows are counted by the periods they bear on, for the caller to
 * weigh against `max_malformed` period by period. Observers see a left-out file's rows up to its
 * error.
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
    fill: rowFiller(schema, row, calendar, opts.timeZone),
    skip: anyOf(spec.skip_when, schema, calendar),
    months,
    malformed,
    observers: opts.observers ?? [],
  };

  const files = await matchFiles(directory, spec.files);
  const rows: RowCounts = { data: 0, blank: 0, skipped: 0, malformed: 0 };
  const unread: UnreadFile[] = [];
  for (const file of files) {
    // Each file is read into states of its own, kept only once it has read whole.
    const own = months.fork();
    let counts: RowCounts;
    try {
      counts = await readFile(file, { ...ctx, months: own });
    } catch (err) {
      const message = (err as Error).message;
      malformed.forget(file);
      logger.error({ file, err: message }, 'CSV file left out: it could not be read');
      unread.push({ file, message });
      continue;
    }
    months.absorb(own);
    logger.info({ file, ...counts }, 'read CSV file');
    rows.data += counts.data;
    rows.blank += counts.blank;
    rows.skipped += counts.skipped;
    rows.malformed += counts.malformed;
  }
  if (files.length > 0 && unread.length === files.length) {
    throw new Error(unread.length === 1 ? unread[0]!.message : `none of the ${unread.length} files could be read: ${unread.map((u) => u.message).join('; ')}`);
  }
  const newest = months.newestKey === -Infinity ? undefined : formatDateKey(months.newestKey);
  return { months: months.toMap(), aggregates, files, rows, malformed: malformed.first, malformedRows: malformed, unread, newest };
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
