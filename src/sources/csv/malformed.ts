import type { CsvSpec } from '../../config/schema.js';
import type { Logger } from '../../logger.js';
import { TYPE_NOUN, type FieldDef } from './rows.js';

export interface MalformedRow {
  file: string;
  line: number;
  field?: string;
  message: string;
}

const KEPT = 50;

/** Malformed rows of a run: all counted, each logged, the first few kept for the run's report. */
export class MalformedRows {
  count = 0;
  readonly byFile = new Map<string, number>();
  readonly first: MalformedRow[] = [];

  constructor(private readonly logger: Logger) {}

  add(file: string, line: number, field: FieldDef, raw: string): void {
    this.count++;
    this.byFile.set(file, (this.byFile.get(file) ?? 0) + 1);
    const message = raw.trim() === '' ? `${field.name} is empty` : `${field.name} ${JSON.stringify(raw)} is not ${TYPE_NOUN[field.type]}`;
    this.logger.warn({ file, line, field: field.name, raw }, `malformed CSV row: ${message}`);
    if (this.first.length < KEPT) this.first.push({ file, line, field: field.name, message });
  }
}

/**
 * Fails the run when more rows are malformed than `max_malformed` allows: a count, or a share of
 * the data rows (well-formed plus malformed; blank and skipped rows are not data).
 */
export function checkMalformedLimit(limit: CsvSpec['max_malformed'], wellFormed: number, malformed: MalformedRows): void {
  if (limit === undefined || malformed.count === 0) return;
  const dataRows = wellFormed + malformed.count;
  const allowed = typeof limit === 'number' ? limit : (Number(limit.slice(0, -1)) / 100) * dataRows;
  if (malformed.count <= allowed) return;
  const share = ((malformed.count / dataRows) * 100).toFixed(1);
  const perFile = [...malformed.byFile].map(([file, n]) => `${file}: ${n}`).join('; ');
  const first = malformed.first[0];
  const example = first === undefined ? '' : `; the first, ${first.file} line ${first.line}: ${first.message}`;
  throw new Error(
    `${malformed.count} of ${dataRows} data rows (${share}%) are malformed, more than max_malformed ${limit} allows (${perFile})${example}`,
  );
}
