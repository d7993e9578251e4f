import type { CheckType } from './schema.js';

/**
 * What each type of data-quality check is, as validation needs to know it: what it measures
 * (the source's rows, or the indicator values computed from them) and whether it counts rows
 * checked (so that a share threshold such as "> 5%" means something) or judges a whole (an age,
 * a total, a count, a query's rows). How each type runs is the quality stage's check registry
 * (src/quality/checkRegistry.ts); both are keyed by every type, so a new type cannot be half-added.
 */
export const CHECK_TYPES: Record<CheckType, { measures: 'rows' | 'values'; countsRows: boolean }> = {
  not_null: { measures: 'rows', countsRows: true },
  unique: { measures: 'rows', countsRows: true },
  accepted_values: { measures: 'rows', countsRows: true },
  range: { measures: 'rows', countsRows: true },
  pattern: { measures: 'rows', countsRows: true },
  completeness: { measures: 'rows', countsRows: true },
  referential: { measures: 'rows', countsRows: true },
  freshness: { measures: 'rows', countsRows: false },
  row_count: { measures: 'rows', countsRows: false },
  reconciliation: { measures: 'rows', countsRows: false },
  sql: { measures: 'rows', countsRows: false },
  numerator_not_above_denominator: { measures: 'values', countsRows: true },
  no_negative: { measures: 'values', countsRows: true },
  sudden_change: { measures: 'values', countsRows: false },
  suspect_values: { measures: 'values', countsRows: true },
};
