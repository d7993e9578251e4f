import pg from 'pg';
import { periodBindings } from '../src/calendar/bindings.js';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { checkSchema, serviceConfigSchema, type CheckConfig } from '../src/config/schema.js';
import { silentLogger } from '../src/logger.js';
import { applyThresholds } from '../src/quality/outcome.js';
import { planCheck, runSqlCheck } from '../src/quality/sql/index.js';
import { SourceRegistry } from '../src/sources/registry.js';
import { compare, type BenchResult } from './measure.js';
import { dbUrl, prepareTable } from './sql.js';

/** A pipeline's worth of checks over the ledger; two of them fail, so samples are fetched too. */
const CHECKS: CheckConfig[] = [
  { type: 'not_null', column: 'amount' },
  { type: 'unique', columns: ['id'] },
  { type: 'accepted_values', column: 'cost_centre', values: Array.from({ length: 25 }, (_, i) => i) },
  { type: 'range', column: 'amount', min: 0, max: 900 },
  { type: 'completeness', column: 'amount', min_percent: 99 },
  { type: 'referential', column: 'cost_centre', references: { table: 'cost_centres', column: 'code' } },
  { type: 'sql', query: 'SELECT id, amount FROM ledger WHERE posted >= :period_start AND posted < :period_end AND amount > 999.5' },
].map((c, i) => checkSchema.parse({ id: `check${i}`, table: c.type === 'sql' ? undefined : 'ledger', date_column: c.type === 'sql' ? undefined : 'posted', ...c }));

export async function benchChecks(): Promise<BenchResult> {
  await prepareTable();
  const calendar = new FinancialCalendar(4);
  const periods = calendar.within(calendar.parse('2024-25'), 'month');
  const service = serviceConfigSchema.parse({ sources: { ledger: { client: 'pg', connection: dbUrl(), query_timeout: '10m' } } });
  const sources = new SourceRegistry(service.sources, service.timezone, silentLogger);
  const source = sources.sql('ledger');
  const client = new pg.Client({ connectionString: dbUrl() });
  await client.connect();

  // The baseline: the very SQL the product plans, run straight through one pg client.
  const direct = async () => {
    for (const period of periods) {
      const bindings = periodBindings(calendar, period, period);
      for (const check of CHECKS) {
        const plan = planCheck(check, source, bindings);
        const count = plan.count.toSQL().toNative();
        const { rows } = await client.query(count.sql, count.bindings as unknown[]);
        if (Number(rows[0].failing) > 0) {
          const sample = plan.sample(check.sample).toSQL().toNative();
          await client.query(sample.sql, sample.bindings as unknown[]);
        }
      }
    }
  };
  const product = async () => {
    for (const period of periods) {
      const ctx = {
        source,
        sourceFor: (name: string) => sources.sql(name),
        bindings: periodBindings(calendar, period, period),
        lastYear: periodBindings(calendar, calendar.sameLastYear(period), calendar.sameLastYear(period)),
        now: new Date(),
        timeZone: service.timezone,
        holidays: [],
      };
      for (const check of CHECKS) applyThresholds(check, await runSqlCheck(check, ctx));
    }
  };
  await direct();
  await product();
  const r = await compare(3, direct, product);
  await client.end();
  await sources.closeAll();
  return {
    name: `checks: ${CHECKS.length} checks x 12 months over the 2,000,000-row PostgreSQL ledger`,
    target: 'all checks <= 1.25x the same check queries run directly with pg',
    measured: `${r.candidateMs.toFixed(0)} ms vs ${r.baselineMs.toFixed(0)} ms direct: ${r.ratio.toFixed(3)}x`,
    pass: r.ratio <= 1.25,
  };
}
