import type { CheckConfig } from '../../config/schema.js';
import type { CheckOutcome } from '../outcome.js';
import { sourceNamed, type SqlCheckContext } from './context.js';
import { measure, planCheck } from './plans.js';
import { referentialAcrossSources } from './referential.js';
import { freshness, reconciliation, rowCount } from './wholes.js';

export type { SqlCheckContext } from './context.js';
export type { Dialect } from './database.js';
export { planCheck, type CheckPlan, type PlannedCheck } from './plans.js';

/**
 * Runs a data-quality check inside the pipeline's database, for one period: counts and a limited
 * sample come back, never the table. What it measured is judged against thresholds later.
 * A check that cannot run (an unknown column, a query error) rejects.
 */
export async function runSqlCheck(check: CheckConfig, ctx: SqlCheckContext): Promise<CheckOutcome> {
  switch (check.type) {
    case 'freshness':
      return freshness(check, ctx);
    case 'row_count':
      return rowCount(check, ctx);
    case 'reconciliation':
      return reconciliation(check, ctx);
    case 'referential': {
      const reference = sourceNamed(ctx, check.references.source);
      if (reference !== ctx.source) return referentialAcrossSources(check, ctx, reference);
      return measure(planCheck(check, ctx.source, ctx.bindings), ctx.source, check.sample);
    }
    case 'numerator_not_above_denominator':
    case 'no_negative':
    case 'sudden_change':
      throw new Error(`a ${check.type} check is computed on indicator values, not run in the source database`);
    default:
      return measure(planCheck(check, ctx.source, ctx.bindings), ctx.source, check.sample);
  }
}
