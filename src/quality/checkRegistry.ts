import type { PeriodBindings } from '../calendar/bindings.js';
import type { CheckConfig, CheckOf, CheckType } from '../config/schema.js';
import type { ComputedValue } from '../indicators/compute.js';
import { failingRows, duplicateKeys, freshFiles, periodRowCount, reconciledTotals, referencedValues, type CsvMeasureOf } from './csv/measures.js';
import { emptyCell, keyCopies, newestDate, outOfRange, rowsOnly, unacceptedValue, unmatchedPattern, valueCounts, type RowTestOf } from './csv/rules.js';
import { noNegative, numeratorNotAboveDenominator } from './indicatorChecks.js';
import type { CheckOutcome } from './result.js';
import type { SqlCheckContext } from './sql/context.js';
import type { Dialect } from './sql/database.js';
import { planRows, planSql, planUnique, measure, type CheckPlan } from './sql/plans.js';
import { emptyFails, nullFails, outOfRangeFails, unacceptedFails, unmatchedFails, unreferencedFails } from './sql/predicates.js';
import { referentialAcrossSources } from './sql/referential.js';
import { freshness, reconciliation, rowCount } from './sql/wholes.js';
import { sourceNamed } from './sql/context.js';
import { suddenChange, type HistoryPoint } from './suddenChange.js';
import { suspectValues, type SuspectContext } from './suspect.js';

/** What a check on computed values reads: the period's values, and for sudden_change and suspect values the indicators' history. */
export interface ValuesContext extends Omit<SuspectContext, 'values'> {
  values: readonly ComputedValue[];
  /** The period's position in its financial year (month 1-12, quarter 1-4), for seasonal baselines. */
  season: number;
  /** Earlier values of the indicator in periods of the same kind, before the one checked. */
  history(indicatorId: string): readonly HistoryPoint[];
}

/**
 * How one type of check runs: inside a database (`plan`, its count and sample queries, or `sql`,
 * for checks that are more than one plan), in the one pass over a pipeline's CSV files (`csv`: a
 * row test, then a measure per period), or on the values computed for the period (`values`).
 * A type with no way for a kind of source cannot run on it; validate says so first.
 */
export interface CheckRunner<C extends CheckConfig> {
  plan?: (check: C, db: Dialect, bindings: PeriodBindings) => CheckPlan;
  sql?: (check: C, ctx: SqlCheckContext) => Promise<CheckOutcome>;
  csv?: { rows: RowTestOf<C>; measure: CsvMeasureOf<C> };
  values?: (check: C, ctx: ValuesContext) => CheckOutcome;
  /** The fail_when applied when the check states none. */
  failWhen?: (check: C) => string;
  /**
   * A check of the feed as it stands now, not of the period's rows: it runs with the latest
   * complete period (and any later), also while that period awaits its data, since its answer
   * says nothing of a period long past.
   */
  feed?: true;
}

/** The one check registry: every type, each with how it runs (docs/architecture.md, "Adding a check type"). */
const CHECK_RUNNERS: { [T in CheckType]: CheckRunner<CheckOf<T>> } = {
  not_null: { plan: planRows(nullFails), csv: { rows: emptyCell, measure: failingRows } },
  completeness: {
    plan: planRows(emptyFails),
    csv: { rows: emptyCell, measure: failingRows },
    // Fails when the empty share passes what its minimum allows.
    failWhen: (check) => `> ${Number((100 - check.min_percent).toFixed(6))}%`,
  },
  accepted_values: { plan: planRows(unacceptedFails), csv: { rows: unacceptedValue, measure: failingRows } },
  range: { plan: planRows(outOfRangeFails), csv: { rows: outOfRange, measure: failingRows } },
  pattern: { plan: planRows(unmatchedFails), csv: { rows: unmatchedPattern, measure: failingRows } },
  unique: { plan: planUnique, csv: { rows: keyCopies, measure: duplicateKeys } },
  referential: {
    plan: planRows(unreferencedFails),
    sql: (check, ctx) => {
      // A reference in another database cannot be joined: each side's distinct values are compared.
      const reference = sourceNamed(ctx, check.references.source);
      if (reference !== ctx.source) return referentialAcrossSources(check, ctx, reference);
      return measure(planRows(unreferencedFails)(check, ctx.source, ctx.bindings), ctx.source, check.sample);
    },
    csv: { rows: valueCounts, measure: referencedValues },
  },
  freshness: { sql: freshness, csv: { rows: newestDate, measure: freshFiles }, feed: true },
  row_count: { sql: rowCount, csv: { rows: rowsOnly, measure: periodRowCount } },
  reconciliation: { sql: reconciliation, csv: { rows: rowsOnly, measure: reconciledTotals } },
  sql: { plan: planSql },
  numerator_not_above_denominator: { values: (check, ctx) => numeratorNotAboveDenominator(check, ctx.values) },
  no_negative: { values: (check, ctx) => noNegative(check, ctx.values) },
  sudden_change: {
    values: (check, ctx) => suddenChange(check, ctx.values.find((v) => v.indicatorId === check.indicator)?.value ?? null, ctx.season, ctx.history(check.indicator)),
  },
  suspect_values: { values: (_check, ctx) => suspectValues(ctx) },
};

/** A check's runner, typed for the check. */
export function runnerOf<C extends CheckConfig>(check: C): CheckRunner<C> {
  return CHECK_RUNNERS[check.type] as unknown as CheckRunner<C>;
}

/** Whether a check is of the feed as it stands now (see CheckRunner.feed). */
export function isFeedCheck(check: CheckConfig): boolean {
  return runnerOf(check).feed === true;
}

/** The threshold at which a check fails: its own fail_when, its type's default, else any failing row. */
export function failWhenOf(check: CheckConfig): string {
  return check.fail_when ?? runnerOf(check).failWhen?.(check) ?? '> 0';
}
