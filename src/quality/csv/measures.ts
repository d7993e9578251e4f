import type { Clock } from '../../calendar/clock.js';
import type { CheckOf as Of, CheckTotal } from '../../config/schema.js';
import type { SqlSource } from '../../sources/sql.js';
import type { CheckOutcome } from '../result.js';
import { freshnessOutcome, reconciliationOutcome, rowCountOutcome } from '../wholes.js';
import type { KeyLog } from './keyLog.js';
import { firstSamples, total, type Tally } from './tally.js';

/** What one check saw in one CSV read, as its type's measure reads it for one period. */
export interface CsvMeasure extends Clock {
  /** The check's tallies of the period's months, and of the same months a year earlier. */
  period: readonly Tally[];
  lastYear: readonly Tally[];
  months: readonly string[];
  keys: KeyLog | undefined;
  /** The newest date over every row the check saw, in the period or not. */
  newest(): string | undefined;
  /** The newest date of the pipeline's date field over every row read: what data arrival reads. */
  newestRecord(): string | undefined;
  /** referential: the distinct non-empty values of the period, with their row counts. */
  values(): Map<string, number>;
  /** reconciliation: a total over the period, from these files or a database source. */
  total(side: CheckTotal): Promise<number | null>;
  sourceFor(name: string): SqlSource;
}

export type CsvMeasureOf<C> = (check: C, seen: CsvMeasure) => CheckOutcome | Promise<CheckOutcome>;

/** Rows failing out of rows in scope, with the first failing rows as the sample. */
export const failingRows: CsvMeasureOf<{ sample: number }> = (check, seen) => ({
  failing: total(seen.period, 'failing'),
  checked: total(seen.period, 'rows'),
  sample: firstSamples(seen.period, check.sample),
});

/** Every key with more than one row in the period; the copies past the first are the failing rows. */
export const duplicateKeys: CsvMeasureOf<Of<'unique'>> = (check, seen) => {
  const keys = seen.keys!;
  const shownColumns = check.key_columns ?? check.columns;
  const sample: Record<string, unknown>[] = [];
  let failing = 0;
  for (const [entry, copies] of keys.duplicates(seen.months)) {
    failing += copies - 1;
    if (sample.length >= check.sample) continue;
    const values = keys.valuesOf(entry);
    const kept: Record<string, unknown> = {};
    check.columns.forEach((name, k) => {
      if (shownColumns.includes(name)) kept[name] = values[k];
    });
    kept.copies = copies;
    sample.push(kept);
  }
  return { failing, checked: total(seen.period, 'rows'), sample };
};

/** Freshness is of the data, not the period: the newest date over every row read (of its column, or the pipeline's record). */
export const freshFiles: CsvMeasureOf<Of<'freshness'>> = (check, seen) => freshnessOutcome(check, check.column === undefined ? seen.newestRecord() : seen.newest(), seen);

export const periodRowCount: CsvMeasureOf<Of<'row_count'>> = (check, seen) => rowCountOutcome(check, total(seen.period, 'rows'), total(seen.lastYear, 'rows'));

export const reconciledTotals: CsvMeasureOf<Of<'reconciliation'>> = async (check, seen) =>
  reconciliationOutcome(check, await seen.total(check.left), await seen.total(check.right));

/** The period's values looked up in the referenced table of a database source. */
export const referencedValues: CsvMeasureOf<Of<'referential'>> = async (check, seen) => {
  const ref = check.references;
  if (!ref.source) throw new Error('a referential check on a CSV pipeline names the database source it refers to');
  const db = seen.sourceFor(ref.source);
  const keys = new Set((await db.rows(db.knex(ref.table).distinct({ value: ref.column }))).map((row) => String(row.value)));
  const values = seen.values();
  const missing = [...values].filter(([value]) => !keys.has(value));
  const checked = [...values.values()].reduce((a, b) => a + b, 0);
  return {
    failing: missing.reduce((n, [, count]) => n + count, 0),
    checked,
    sample: missing.map(([value, rows]) => ({ [check.column]: value, rows })),
  };
};
