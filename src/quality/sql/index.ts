import type { PeriodBindings } from '../../calendar/bindings.js';
import type { CheckConfig } from '../../config/schema.js';
import { runnerOf } from '../checkRegistry.js';
import type { CheckOutcome } from '../result.js';
import type { SqlCheckContext } from './context.js';
import type { Dialect } from './database.js';
import { measure, type CheckPlan } from './plans.js';

export type { SqlCheckContext } from './context.js';
export type { Dialect } from './database.js';
export type { CheckPlan } from './plans.js';

/** Builds a check's count and sample queries; nothing runs, so SQL Server's can be inspected anywhere. */
export function planCheck(check: CheckConfig, db: Dialect, bindings: PeriodBindings): CheckPlan {
  const plan = runnerOf(check).plan;
  if (!plan) throw new Error(`a ${check.type} check is not one count and sample query`);
  return plan(check, db, bindings);
}

/**
 * Runs a data-quality check inside the pipeline's database, for one period: counts and a limited
 * sample come back, never the table. What it measured is judged against thresholds later.
 * A check that cannot run (an unknown column, a query error) rejects.
 */
export async function runSqlCheck(check: CheckConfig, ctx: SqlCheckContext): Promise<CheckOutcome> {
  const runner = runnerOf(check);
  if (runner.sql) return runner.sql(check, ctx);
  if (runner.plan) return measure(runner.plan(check, ctx.source, ctx.bindings), ctx.source, check.sample);
  throw new Error(`a ${check.type} check is computed on indicator values, not run in the source database`);
}
