import type { FinancialCalendar } from '../../calendar/periods.js';
import type { CheckConfig } from '../../config/schema.js';
import { allOf, type RowPredicate, type RowSchema } from '../../sources/csv/index.js';
import { runnerOf } from '../checkRegistry.js';
import type { CompiledCheck } from './tally.js';

function scope(check: CheckConfig, schema: RowSchema, calendar: FinancialCalendar): RowPredicate | undefined {
  if (check.where === undefined) return undefined;
  if (typeof check.where === 'string') throw new Error('on a CSV source `where` is a list of conditions, not SQL');
  return allOf(check.where, schema, calendar);
}

/** A check's scope and row test; throws when the check cannot run over rows of this CSV spec. */
export function compileCheck(check: CheckConfig, schema: RowSchema, calendar: FinancialCalendar): CompiledCheck {
  const csv = runnerOf(check).csv;
  if (!csv) throw new Error(`${check.type} checks run on indicator values or in a database, not over CSV rows`);
  const where = scope(check, schema, calendar);
  const { rule, keys } = csv.rows(check, schema, calendar);
  return { where, rule, keys };
}
