import type { Knex } from 'knex';
import type { PeriodBindings } from '../../calendar/bindings.js';
import type { SqlSource } from '../../sources/sql.js';
import type { CheckOutcome } from '../result.js';
import { countOf, type Dialect, type Of } from './database.js';
import type { FailsWhen, RowCheck } from './predicates.js';
import { periodRows } from './scope.js';

/** The queries of a check counted inside the database. */
export interface CheckPlan {
  /** One row: `failing` and, where rows are counted, `checked`. */
  count: Knex.QueryBuilder;
  /** At most `limit` failing rows, or failing keys each with how many rows have it. */
  sample(limit: number): Knex.QueryBuilder;
  /** The sample's row-count column, when it has one. */
  countColumn?: string;
}

/** Runs a plan: the count always, the sample only when something fails. */
export async function measure(plan: CheckPlan, source: SqlSource, sample: number): Promise<CheckOutcome> {
  const [row] = await source.rows(plan.count);
  const failing = countOf(row?.failing);
  const checked = row?.checked === undefined ? null : countOf(row.checked);
  if (failing === 0 || sample === 0) return { failing, checked, sample: [] };
  const rows = await source.rows(plan.sample(sample));
  const column = plan.countColumn;
  return { failing, checked, sample: column === undefined ? rows : rows.map((r) => ({ ...r, [column]: countOf(r[column]) })) };
}

/** The plan of a check decided row by row: the rows in scope that meet its failing condition. */
export function planRows<C extends RowCheck>(failsWhen: FailsWhen<C>): (check: C, db: Dialect, bindings: PeriodBindings) => CheckPlan {
  return (check, db, bindings) => planFailingRows(check, db, bindings, failsWhen(check, db));
}

function planFailingRows(check: RowCheck, db: Dialect, bindings: PeriodBindings, fails: Knex.Raw): CheckPlan {
  const { knex } = db;
  const rows = periodRows(db, check, bindings);
  // The flag is computed in a derived table because SQL Server refuses a subquery (referential's
  // NOT EXISTS) inside an aggregate; the other databases plan both forms the same.
  const flagged = rows.clone().select(knex.raw('CASE WHEN ? THEN 1 ELSE 0 END AS ??', [fails, 'fails']));
  const count = knex.from(flagged.as('flagged')).select(knex.raw('COUNT(*) AS ??', ['checked']), knex.raw('SUM(??) AS ??', ['fails', 'failing']));
  if (check.type === 'referential') {
    // Missing values repeat across many rows: each once, with how many rows carry it.
    return {
      count,
      sample: (limit) => keyCounts(rows.clone().where(fails), [check.column], 'rows').limit(limit),
      countColumn: 'rows',
    };
  }
  return { count, sample: (limit) => rows.clone().where(fails).select(check.key_columns ?? [check.column]).limit(limit) };
}

export function planUnique(check: Of<'unique'>, db: Dialect, bindings: PeriodBindings): CheckPlan {
  const { knex } = db;
  const columns = check.columns;
  // Rows with a NULL in the key group together but are not copies of each other: they are counted
  // as checked and never as failing.
  const compared = columns.map(() => '?? IS NOT NULL').join(' AND ');
  const keyed = periodRows(db, check, bindings).select(columns).count({ copies: '*' }).groupBy(columns);
  const count = knex.from(keyed.as('keyed')).select(
    knex.raw('SUM(??) AS ??', ['copies', 'checked']),
    knex.raw(`SUM(CASE WHEN ?? > 1 AND ${compared} THEN ?? - 1 ELSE 0 END) AS ??`, ['copies', ...columns, 'copies', 'failing']),
  );
  const sample = (limit: number) => {
    const rows = periodRows(db, check, bindings);
    for (const column of columns) rows.whereNotNull(column);
    return keyCounts(rows, columns, 'copies').havingRaw('COUNT(*) > 1').limit(limit);
  };
  return { count, sample, countColumn: 'copies' };
}

export function planSql(check: Of<'sql'>, db: Dialect, bindings: PeriodBindings): CheckPlan {
  const { knex } = db;
  // A query pasted from a SQL console often ends in a semicolon, which cannot stand in a subquery.
  const query = knex.raw(check.query.trim().replace(/;\s*$/, ''), bindings);
  const failingRows = () => knex.from(knex.raw('(?) AS ??', [query, 'failing_rows']));
  return { count: failingRows().count({ failing: '*' }), sample: (limit) => failingRows().select('*').limit(limit) };
}

/** Each key of `rows` with how many rows have it, most first, so the sample shows the worst. */
function keyCounts(rows: Knex.QueryBuilder, key: string[], countColumn: string): Knex.QueryBuilder {
  return rows
    .select(key)
    .count({ [countColumn]: '*' })
    .groupBy(key)
    .orderBy([{ column: countColumn, order: 'desc' }, ...key]);
}
