import { quoted } from '../../text.js';
import type { CsvSpec } from '../../config/schema.js';
import type { Logger } from '../../logger.js';
import { hasUndecodableBytes, TYPE_NOUN, type FieldDef } from './rows.js';

export interface MalformedRow {
  file: string;
  line: number;
  field?: string;
  message: string;
}

const KEPT = 50;

/** The malformed rows that bear on one period, and the data rows they are a share of. */
export interface PeriodMalformed {
  count: number;
  byFile: Map<string, number>;
  first: MalformedRow | undefined;
}

/**
 * Malformed rows of a read: all counted, each logged, the first few kept for the run's report.
 * A row whose date was read belongs to its month; one whose date could not be read belongs to
 * no month, so it bears on every period its file has data rows in (every period, when the file
 * has none).
 */
export class MalformedRows {
  count = 0;
  readonly byFile = new Map<string, number>();
  readonly first: MalformedRow[] = [];
  /** The month of each of `first`, where its date was read. */
  private readonly firstMonths: (string | undefined)[] = [];
  private readonly byMonth = new Map<string, Map<string, number>>();
  private readonly undated = new Map<string, number>();
  private readonly monthsOfFile = new Map<string, Set<string>>();

  constructor(private readonly logger: Logger) {}

  /** A cell that is not what its field's type reads (or holds bytes its encoding does not). */
  cell(file: string, line: number, field: FieldDef, raw: string, month: string | undefined): void {
    const message =
      raw.trim() === ''
        ? `${field.name} is empty`
        : hasUndecodableBytes(raw)
          ? `${field.name} holds bytes that are not valid in the file's encoding (or U+FFFD, the mark left of such bytes)`
          : `${field.name} ${quoted(raw)} is not ${TYPE_NOUN[field.type]}`;
    this.add({ file, line, field: field.name, message }, month, raw);
  }

  /** A row whose shape is wrong: its cells cannot be trusted to be the fields they stand under. */
  row(file: string, line: number, message: string, month: string | undefined): void {
    this.add({ file, line, message }, month, undefined);
  }

  /** Forgets a file left out of the read: its rows bear on no period. */
  forget(file: string): void {
    const n = this.byFile.get(file) ?? 0;
    this.count -= n;
    this.byFile.delete(file);
    this.undated.delete(file);
    this.monthsOfFile.delete(file);
    for (const files of this.byMonth.values()) files.delete(file);
    for (let i = this.first.length - 1; i >= 0; i--) {
      if (this.first[i]!.file !== file) continue;
      this.first.splice(i, 1);
      this.firstMonths.splice(i, 1);
    }
  }

  /** A file has data rows in this month. */
  covers(file: string, month: string): void {
    let months = this.monthsOfFile.get(file);
    if (!months) this.monthsOfFile.set(file, (months = new Set()));
    months.add(month);
  }

  /** The malformed rows that bear on a period of these months. */
  inMonths(months: readonly string[]): PeriodMalformed {
    const byFile = new Map<string, number>();
    const add = (file: string, n: number) => byFile.set(file, (byFile.get(file) ?? 0) + n);
    for (const month of months) for (const [file, n] of this.byMonth.get(month) ?? []) add(file, n);
    for (const [file, n] of this.undated) {
      const covered = this.monthsOfFile.get(file);
      // A file with no row of a readable date could hold any period's rows.
      if (!covered || months.some((m) => covered.has(m))) add(file, n);
    }
    const count = [...byFile.values()].reduce((a, b) => a + b, 0);
    const first = this.first.find((m, i) => {
      const month = this.firstMonths[i];
      return month === undefined ? byFile.has(m.file) : months.includes(month);
    });
    return { count, byFile, first };
  }

  private add(row: MalformedRow, month: string | undefined, raw: string | undefined): void {
    this.count++;
    this.byFile.set(row.file, (this.byFile.get(row.file) ?? 0) + 1);
    if (month === undefined) this.undated.set(row.file, (this.undated.get(row.file) ?? 0) + 1);
    else {
      let files = this.byMonth.get(month);
      if (!files) this.byMonth.set(month, (files = new Map()));
      files.set(row.file, (files.get(row.file) ?? 0) + 1);
    }
    this.logger.warn({ file: row.file, line: row.line, field: row.field, raw: raw === undefined ? undefined : raw.slice(0, 200) }, `malformed CSV row: ${row.message}`);
    if (this.first.length < KEPT) {
      this.first.push(row);
      this.firstMonths.push(month);
    }
  }
}

/** A period's run refused because too many of its rows are malformed; it says how many it read and rejected. */
export class MalformedRowsError extends Error {
  constructor(
    message: string,
    readonly rowsRead: number,
    readonly rowsRejected: number,
  ) {
    super(message);
    this.name = 'MalformedRowsError';
  }
}

/**
 * Refuses a period whose malformed rows are more than `max_malformed` allows: a count, or a
 * share of the data rows weighed (well-formed plus malformed; blank and skipped rows are not
 * data). The refusal records `rowsRead`, the period's own data rows.
 */
export function checkMalformedLimit(limit: CsvSpec['max_malformed'], periodId: string, wellFormed: number, malformed: PeriodMalformed, rowsRead = wellFormed): void {
  if (malformed.count === 0) return;
  const dataRows = wellFormed + malformed.count;
  const allowed = typeof limit === 'number' ? limit : (Number(limit.slice(0, -1)) / 100) * dataRows;
  if (malformed.count <= allowed) return;
  const share = ((malformed.count / dataRows) * 100).toFixed(1);
  const perFile = [...malformed.byFile].map(([file, n]) => `${file}: ${n}`).join('; ');
  const first = malformed.first;
  const example = first === undefined ? '' : `; the first, ${first.file} line ${first.line}: ${first.message}`;
  throw new MalformedRowsError(
    `${malformed.count} of ${dataRows} data rows for ${periodId} (${share}%) are malformed, more than max_malformed ${limit} allows (${perFile})${example}`,
    rowsRead,
    malformed.count,
  );
}
