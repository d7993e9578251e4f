import type { SqlSource } from '../../sources/sql.js';
import type { CheckOutcome } from '../result.js';
import type { SqlCheckContext } from './context.js';
import { countOf, type Of } from './database.js';
import { periodRows } from './scope.js';

/** Values compared across databases: drivers differ (a code may come back as 10 or '10'). */
function keyOf(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

/**
 * A referential check whose reference lives in another database: no query can join the two, so
 * each side sends its distinct values (small key sets such as cost centres) and Node compares them.
 */
export async function referentialAcrossSources(check: Of<'referential'>, ctx: SqlCheckContext, reference: SqlSource): Promise<CheckOutcome> {
  const [used, known] = await Promise.all([
    // The NULL group is kept so that `checked` is every row in scope; it never fails.
    ctx.source.rows(periodRows(ctx.source, check, ctx.bindings).select({ value: check.column }).count({ rows: '*' }).groupBy(check.column)),
    reference.rows(reference.knex(check.references.table).distinct({ value: check.references.column })),
  ]);
  const present = new Set(known.map((r) => keyOf(r.value)));
  const missing = used
    .filter((r) => r.value !== null && !present.has(keyOf(r.value)))
    .map((r) => ({ [check.column]: r.value, rows: countOf(r.rows) }))
    .sort((a, b) => b.rows - a.rows || keyOf(a[check.column]).localeCompare(keyOf(b[check.column])));
  return {
    failing: missing.reduce((sum, m) => sum + m.rows, 0),
    checked: used.reduce((sum, r) => sum + countOf(r.rows), 0),
    sample: missing.slice(0, check.sample),
  };
}
