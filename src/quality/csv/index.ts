import type { FinancialCalendar } from '../../calendar/periods.js';
import type { CheckConfig, CsvSpec } from '../../config/schema.js';
import { formatDateKey, rowSchema, type RowObserver, type RowSchema } from '../../sources/csv/index.js';
import type { CheckOutcome } from '../outcome.js';
import { freshnessOutcome, rowCountOutcome } from '../wholes.js';
import { compileCheck, fieldIndex } from './compile.js';
import type { KeyLog } from './keyLog.js';
import { shown } from './keys.js';
import { firstSamples, mergedCounts, MonthlyTallies, total, type CompiledCheck, type Tally } from './tally.js';

type Of<T extends CheckConfig['type']> = Extract<CheckConfig, { type: T }>;

interface Entry {
  check: CheckConfig;
  index: number;
  keys: KeyLog | undefined;
}

export interface FreshnessContext {
  now: Date;
  timeZone: string;
  holidays: readonly string[];
}

/**
 * A pipeline's data-quality checks over its CSV rows, run in the same pass as its aggregates:
 * pass `observer` to readCsv, then ask for each check's outcome per period. What a check keeps
 * per month is mergeable, so one read serves every period of a run. A check that cannot run
 * (an unknown field, a bad regular expression, a type that is not a row check) is ignored by
 * the observer, and `outcome` throws why, so that the caller records it as an error without
 * stopping the other checks.
 */
export class CsvChecks {
  readonly observer: RowObserver;
  private readonly tallies: MonthlyTallies;
  private readonly schema: RowSchema;
  /** Check id -> the check compiled and its position among the compiled ones, or why it cannot run. */
  private readonly entries = new Map<string, Entry | Error>();

  /** `spec` must be the one given to readCsv, whose rows the observer will see. */
  constructor(checks: readonly CheckConfig[], spec: CsvSpec, calendar: FinancialCalendar) {
    this.schema = rowSchema(spec);
    const compiled: CompiledCheck[] = [];
    for (const check of checks) {
      try {
        const compiledCheck = compileCheck(check, this.schema, calendar);
        this.entries.set(check.id, { check, index: compiled.push(compiledCheck) - 1, keys: compiledCheck.keys });
      } catch (err) {
        this.entries.set(check.id, err as Error);
      }
    }
    this.tallies = new MonthlyTallies(compiled);
    this.observer = this.tallies;
  }

  /** months: ids 'YYYY-MM' of the period; lastYear: the same period a year earlier */
  outcome(check: CheckConfig, months: string[], lastYear: string[], ctx: FreshnessContext): CheckOutcome {
    const { index, keys } = this.entry(check.id);
    const period = this.tallies.of(index, months);
    switch (check.type) {
      case 'not_null':
      case 'completeness':
      case 'accepted_values':
      case 'range':
      case 'pattern':
        return { failing: total(period, 'failing'), checked: total(period, 'rows'), sample: firstSamples(period, check.sample) };
      case 'unique':
        return this.unique(check, keys!, period, months);
      case 'freshness':
        return freshnessOutcome(check, this.newest(index), ctx);
      case 'row_count':
        return rowCountOutcome(check, total(period, 'rows'), total(this.tallies.of(index, lastYear), 'rows'));
      default:
        throw new Error(`a ${check.type} check of CSV rows is judged by the caller against the referenced table's keys: use values()`);
    }
  }

  /** Distinct non-empty values of a referential check's column in `months`, with row counts. */
  values(checkId: string, months: string[]): Map<string, number> {
    const { check, index } = this.entry(checkId);
    if (check.type !== 'referential') throw new Error(`check ${checkId} is ${check.type}, not referential`);
    const i = fieldIndex(this.schema, check.column);
    const values = new Map<string, number>();
    for (const [key, rows] of mergedCounts(this.tallies.of(index, months))) values.set(String(shown(this.schema, i, key)), rows);
    return values;
  }

  private entry(checkId: string): Entry {
    const entry = this.entries.get(checkId);
    if (entry === undefined) throw new Error(`no check ${checkId} was compiled for this CSV read`);
    if (entry instanceof Error) throw entry;
    return entry;
  }

  /** Every key with more than one row in the period; the copies past the first are the failing rows. */
  private unique(check: Of<'unique'>, keys: KeyLog, period: Tally[], months: readonly string[]): CheckOutcome {
    const shownColumns = check.key_columns ?? check.columns;
    const sample: Record<string, unknown>[] = [];
    let failing = 0;
    for (const [entry, copies] of keys.duplicates(months)) {
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
    return { failing, checked: total(period, 'rows'), sample };
  }

  /** The newest date over every row read, in the period or not: freshness is of the data, not the period. */
  private newest(index: number): string | undefined {
    let newest = -Infinity;
    for (const tally of this.tallies.all(index)) if (tally.newest > newest) newest = tally.newest;
    return newest === -Infinity ? undefined : formatDateKey(newest);
  }
}
