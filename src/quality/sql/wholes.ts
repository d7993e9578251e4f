import type { CheckTotal } from '../../config/schema.js';
import { toNumber } from '../../indicators/compute.js';
import type { CheckOutcome } from '../result.js';
import { freshnessOutcome, reconciliationOutcome, rowCountOutcome } from '../wholes.js';
import { sourceNamed, type SqlCheckContext } from './context.js';
import { countOf, type Of } from './database.js';
import { periodRows, tableRows } from './scope.js';

/**
 * The newest record of the whole table (its `where` still applies): late data is late in any
 * period. Without a column, the pipeline's newest record, the same date data arrival reads.
 */
export async function freshness(check: Of<'freshness'>, ctx: SqlCheckContext): Promise<CheckOutcome> {
  if (check.column === undefined) {
    if (!ctx.newestRecord) throw new Error("a freshness check without a column needs the pipeline's arrival query");
    return freshnessOutcome(check, await ctx.newestRecord(), ctx);
  }
  const [row] = await ctx.source.rows(tableRows(ctx.source, check, ctx.bindings).max({ newest: check.column }));
  return freshnessOutcome(check, row?.newest ?? null, ctx);
}

export async function rowCount(check: Of<'row_count'>, ctx: SqlCheckContext): Promise<CheckOutcome> {
  const count = async (bindings: SqlCheckContext['bindings']) => {
    const [row] = await ctx.source.rows(periodRows(ctx.source, check, bindings).count({ rows: '*' }));
    return countOf(row?.rows);
  };
  const rows = await count(ctx.bindings);
  const lastYear = check.within_percent_of_last_year === undefined ? null : await count(ctx.lastYear);
  return rowCountOutcome(check, rows, lastYear);
}

export async function reconciliation(check: Of<'reconciliation'>, ctx: SqlCheckContext): Promise<CheckOutcome> {
  const [left, right] = await Promise.all([total(check.left, ctx), total(check.right, ctx)]);
  return reconciliationOutcome(check, left, right);
}

/** The first column of a query's one row, on its source, for the period checked. */
async function total(side: CheckTotal, ctx: SqlCheckContext): Promise<number | null> {
  if (side.query === undefined) {
    throw new Error(side.aggregate ? 'an aggregate total is for CSV pipelines; on a database source a total is a query' : 'a reconciliation total needs a query');
  }
  const row = await sourceNamed(ctx, side.source).aggregate(side.query, ctx.bindings);
  return toNumber(Object.values(row)[0], 'a reconciliation total');
}
