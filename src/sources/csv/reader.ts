import { bounded } from '../../text.js';
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import type { CsvSpec } from '../../config/schema.js';
import type { RowPredicate } from './conditions.js';
import { toUtf8 } from './decoding.js';
import { resolveColumns } from './headers.js';
import type { MalformedRows } from './malformed.js';
import type { MonthlyAggregates } from './monthly.js';
import { isBlankRecord, type Row, type RowFiller, type RowSchema } from './rows.js';
import { formatDateKey } from './values.js';

export interface RowCounts {
  data: number;
  blank: number;
  skipped: number;
  malformed: number;
}

/**
 * Sees every data row of a read as it passes, so that other work (data-quality checks) shares
 * the single pass. `row` is reused for the next row: keep values, never the object. `month` is
 * the row's month id 'YYYY-MM'; `line` is its first line in `file`.
 */
export interface RowObserver {
  observe(row: Row, month: string, file: string, line: number): void;
}

/** What every file of a run is read into, and how. */
export interface ReadContext {
  spec: Pick<CsvSpec, 'encoding' | 'delimiter' | 'header_line'>;
  schema: RowSchema;
  row: Row;
  fill: RowFiller;
  skip: RowPredicate | undefined;
  months: MonthlyAggregates;
  malformed: MalformedRows;
  observers: readonly RowObserver[];
}

const CR = 13;
const LF = 10;

/** Line breaks inside a record's quoted cells; CRLF, CR and LF each end one line. */
function lineBreaks(record: readonly string[]): number {
  let breaks = 0;
  for (const cell of record) {
    for (let j = 0; j < cell.length; j++) {
      const c = cell.charCodeAt(j);
      if (c === LF || (c === CR && cell.charCodeAt(j + 1) !== LF)) breaks++;
    }
  }
  return breaks;
}

/**
 * Streams one file into the run's monthly aggregates and observers, in one pass and without keeping rows.
 * The header row is the first non-blank record, or the line `header_line` names (the lines
 * before it are a title and skipped); with `header_line: none` every field is read by position.
 * A record with more or fewer cells than the header is malformed: its cells would stand under
 * the wrong fields.
 */
export async function readFile(file: string, ctx: ReadContext): Promise<RowCounts> {
  const { schema, row, fill, skip, months, malformed, observers } = ctx;
  const counts: RowCounts = { data: 0, blank: 0, skipped: 0, malformed: 0 };
  const dateIndex = schema.dateIndex;
  const headerLine = ctx.spec.header_line;
  let columns: Int32Array | undefined = headerLine === 'none' ? resolveColumns(undefined, schema, 0) : undefined;
  // The cells a record must have: the header's, or without one enough for every field read by position.
  let width = columns === undefined ? 0 : Math.max(...columns) + 1;
  const exactWidth = headerLine !== 'none';
  // Line numbers are counted here rather than taken from csv-parse's `info`: building that
  // object for every record costs a fifth of the parse, and it counts a CRLF inside quotes twice.
  // Every record delimiter ends one line; breaks inside quoted cells end more.
  let nextLine = 1;
  // Observers get the month as an id; it is built when the month changes, not for every row.
  let month = NaN;
  let monthId = '';

  // The month a malformed row would have counted in, where its date can be read at all; a
  // malformed record still arrived, so its date counts towards the newest.
  const monthOfRow = () => {
    const key = row.num[dateIndex]!;
    if (Number.isNaN(key)) return undefined;
    months.dated(key);
    return formatDateKey(key).slice(0, 7);
  };

  const consume = (record: string[]): void => {
    const line = nextLine;
    nextLine += 1 + lineBreaks(record);
    if (isBlankRecord(record)) {
      counts.blank++;
      return;
    }
    if (columns === undefined) {
      // A title above a header at a given line is not data.
      if (typeof headerLine === 'number' && line < headerLine) {
        counts.skipped++;
        return;
      }
      columns = resolveColumns(record, schema, line);
      width = record.length;
      return;
    }
    const failed = fill(record, columns);
    // The shape first: the cells of a row of the wrong width stand under the wrong fields, for skip_when too.
    if (exactWidth ? record.length !== width : record.length < width) {
      counts.malformed++;
      malformed.row(file, line, `the row has ${record.length} cells where ${exactWidth ? 'the header has' : 'the fields need'} ${width}`, monthOfRow());
    } else if (skip !== undefined && skip(row)) {
      counts.skipped++;
    } else if (failed >= 0) {
      counts.malformed++;
      malformed.cell(file, line, schema.fields[failed]!, record[columns[failed]!] ?? '', monthOfRow());
    } else {
      counts.data++;
      const dateKey = row.num[dateIndex]!;
      months.add(row, dateKey);
      const rowMonth = Math.floor(dateKey / 100);
      if (rowMonth !== month) {
        month = rowMonth;
        monthId = formatDateKey(dateKey).slice(0, 7);
        malformed.covers(file, monthId);
      }
      for (let o = 0; o < observers.length; o++) observers[o]!.observe(row, monthId, file, line);
    }
  };

  const parser = parse({
    delimiter: ctx.spec.delimiter,
    relax_column_count: true,
    // A stray quote inside an unquoted cell (`12" pipe`) is text, not a reason to reject the file.
    relax_quotes: true,
  });
  const sink = new Writable({
    objectMode: true,
    writev(chunks: { chunk: string[] }[], callback: (error?: Error | null) => void) {
      try {
        for (let i = 0; i < chunks.length; i++) consume(chunks[i]!.chunk);
      } catch (err) {
        return callback(err as Error);
      }
      callback();
    },
  });
  try {
    await pipeline(createReadStream(file), toUtf8(ctx.spec.encoding), parser, sink);
  } catch (err) {
    // csv-parse counts a CRLF as two lines; the line this reader counts is where the quote opened.
    const message = (err as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED' ? `line ${nextLine}: a quoted cell is never closed` : (err as Error).message;
    throw new Error(`${file}: ${bounded(message, 300)}`, { cause: err });
  }
  if (columns === undefined) throw new Error(`${file}: no header row (the file is empty or blank)`);
  return counts;
}
