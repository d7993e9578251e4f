import type { FinancialCalendar } from '../../calendar/periods.js';
import type { Clock } from '../../calendar/clock.js';
import type { CheckConfig, CsvSpec } from '../../config/schema.js';
import { formatDateKey, rowSchema, type RowObserver, type RowSchema } from '../../sources/csv/index.js';
import { runnerOf } from '../checkRegistry.js';
import type { CheckOutcome } from '../result.js';
import { compileCheck } from './compile.js';
import type { KeyLog } from './keyLog.js';
import { shown } from './keys.js';
import type { CsvMeasure } from './measures.js';
import { fieldIndex } from './rules.js';
import { mergedCounts, MonthlyTallies, type CompiledCheck } from './tally.js';

interface Entry {
  check: CheckConfig;
  index: number;
  keys: KeyLog | undefined;
}

/** What a CSV check reads beyond the files: the clock, and for reconciliation and referential checks totals and database sources. */
export type CsvSurroundings = Clock & Partial<Pick<CsvMeasure, 'total' | 'sourceFor' | 'newestRecord'>>;

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

  /**
   * What a check measured for a period. months: ids 'YYYY-MM' of the period; lastYear: the same
   * period a year earlier; around: the clock, and what reconciliation and referential checks read
   * beyond these files.
   */
  outcome(check: CheckConfig, months: string[], lastYear: string[], around: CsvSurroundings): CheckOutcome | Promise<CheckOutcome> {
    const { index, keys } = this.entry(check.id);
    const seen: CsvMeasure = {
      ...around,
      total: around.total ?? unavailable('a total beyond these files'),
      sourceFor: around.sourceFor ?? unavailable('a database source'),
      newestRecord: around.newestRecord ?? unavailable("the pipeline's newest record"),
      period: this.tallies.of(index, months),
      lastYear: this.tallies.of(index, lastYear),
      months,
      keys,
      newest: () => this.newest(index),
      values: () => this.values(check.id, months),
    };
    return runnerOf(check).csv!.measure(check, seen);
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

  /** The newest date over every row read, in the period or not: freshness is of the data, not the period. */
  private newest(index: number): string | undefined {
    let newest = -Infinity;
    for (const tally of this.tallies.all(index)) if (tally.newest > newest) newest = tally.newest;
    return newest === -Infinity ? undefined : formatDateKey(newest);
  }
}

function unavailable(what: string): () => never {
  return () => {
    throw new Error(`this check reads ${what}, and none was given`);
  };
}
