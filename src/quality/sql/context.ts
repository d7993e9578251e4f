import type { PeriodBindings } from '../../calendar/bindings.js';
import type { Clock } from '../../calendar/clock.js';
import type { SqlSource } from '../../sources/sql.js';

/** What a check run inside a database reads; the clock is for freshness. */
export interface SqlCheckContext extends Clock {
  /** The pipeline's database. */
  source: SqlSource;
  /** Other database sources, for referential and reconciliation checks. */
  sourceFor(name: string): SqlSource;
  /** The period checked. */
  bindings: PeriodBindings;
  /** The same period a year earlier, for row_count's within_percent_of_last_year. */
  lastYear: PeriodBindings;
  /** The newest record's date as the pipeline's arrival query gives it, read once per run: what a freshness check without a column ages. */
  newestRecord?(): Promise<unknown>;
}

/** A source named in a check, the pipeline's own when no name (or its own name) is given. */
export function sourceNamed(ctx: SqlCheckContext, name: string | undefined): SqlSource {
  return name === undefined || name === ctx.source.name ? ctx.source : ctx.sourceFor(name);
}
