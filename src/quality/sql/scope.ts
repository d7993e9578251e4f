import type { Knex } from 'knex';
import type { PeriodBindings } from '../../calendar/bindings.js';
import type { CheckConfig } from '../../config/schema.js';
import type { Dialect } from './database.js';

export function tableOf(check: CheckConfig): string {
  if (check.table === undefined) throw new Error(`a ${check.type} check on a database source needs a table`);
  return check.table;
}

/** Rows of the check's table that its `where` keeps, whatever their date: what freshness looks at. */
export function tableRows(db: Dialect, check: CheckConfig, bindings: PeriodBindings): Knex.QueryBuilder {
  const rows = db.knex(tableOf(check));
  const where = check.where;
  if (where === undefined) return rows;
  if (typeof where !== 'string') throw new Error('on a database source, where is a SQL condition, not a list of CSV conditions');
  // Grouped in parentheses, so an OR in the condition cannot reach past the period range.
  return rows.where((q) => q.whereRaw(where, bindings));
}

/** The rows in scope: the table's rows that `where` keeps and whose `date_column` falls in the period. */
export function periodRows(db: Dialect, check: CheckConfig, bindings: PeriodBindings): Knex.QueryBuilder {
  const rows = tableRows(db, check, bindings);
  if (check.date_column === undefined) return rows;
  return rows.where(check.date_column, '>=', bindings.period_start).where(check.date_column, '<', bindings.period_end);
}
