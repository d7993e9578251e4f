import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FinancialCalendar } from '../src/calendar/periods.js';
import type { LoadedConfig } from '../src/config/load.js';
import { pipelineSchema, serviceConfigSchema } from '../src/config/schema.js';
import { loadRisks, type RiskRegister } from '../src/risk/config.js';
import { Store } from '../src/store/store.js';

/** Indicators (and checks) per pipeline. */
export const PER_PIPELINE = 50;
const signed = { signed_off_by: 'Cabinet', signed_off_on: '2023-03-01', rationale: 'bench' };
const calendar = new FinancialCalendar(4);
/** The 36 months to the latest complete one: what a scrape today shows is the last of them. */
const latest = calendar.latestComplete(new Date().toISOString().slice(0, 10), 'month');
export const COUNCIL_MONTHS = calendar.range(calendar.parse(calendar.yearId(latest.fyYear - 3)), latest, 'month').slice(-36);

/**
 * A council of `count` indicators in pipelines of fifty, each indicator with one check, the same
 * for any process that asks: the benchmarks' children rebuild it rather than pass it over.
 */
export function councilConfig(count: number, dir: string): LoadedConfig {
  const pipelines = Array.from({ length: count / PER_PIPELINE }, (_, p) => ({
    ...pipelineSchema.parse({
      id: `p${p}`,
      title: 'bench',
      source: 'db',
      schedule: '0 6 * * *',
      frequency: 'monthly',
      query: 'SELECT 1 AS v',
      indicators: Array.from({ length: PER_PIPELINE }, (_, i) => ({
        id: `I${p}_${i}`,
        title: `Bench indicator ${p}/${i}`,
        unit: i % 2 ? '%' : '',
        type: 'value',
        value: 'v',
        polarity: i % 3 === 0 ? 'lower_is_better' : 'higher_is_better',
        owner: 'bench',
        service: `Service ${p % 20}`,
        clinic: `Clinic ${p % 5}`,
        priority: 'A well-run council',
        perspective: 'customer',
        targets: [{ from: '2023-24', value: 90, ...signed }],
      })),
      checks: Array.from({ length: PER_PIPELINE }, (_, i) => ({ id: `c${p}_${i}`, type: 'not_null', table: 't', date_column: 'd', column: `col${i}` })),
    }),
    file: 'bench',
  }));
  const service = serviceConfigSchema.parse({ store: { client: 'sqlite', filename: path.join(dir, 'store.sqlite') }, sources: { db: { client: 'sqlite', connection: 'x' } } });
  return { file: 'bench', service, calendar, pipelines, yaml: new Map(), targetOrigins: new Map() };
}

/** The council's risk register: one risk per hundred indicators, each with a RAG trigger and a worsening trigger. */
export function councilRegisterFile(count: number, dir: string): string {
  const risks = Array.from({ length: count / 100 }, (_, r) => `  - id: R${r}
    title: Risk ${r}
    owner: bench
    clinic: bench
    inherent: { likelihood: C, impact: II }
    current: { likelihood: D, impact: III }
    indicators: [I${r}_0]
    triggers:
      - { id: red, type: indicator_rag, indicator: I${Math.floor(r / 2)}_${r % 50}, status: RED, periods: 2, set: { likelihood: B } }
      - { id: worse, type: indicator_worsening, indicator: I${Math.floor(r / 2)}_${(r + 1) % 50}, periods: 3, raise: { likelihood: 1 } }`).join('\n');
  const file = path.join(dir, 'risks.yaml');
  writeFileSync(file, `tolerance_line: { score: 12 }\nrisks:\n${risks}\n`);
  return file;
}

/** The council's register written by councilRegisterFile, its triggers checked against the council's ids. */
export function councilRegister(config: LoadedConfig, file: string): Promise<RiskRegister> {
  const indicators = new Set(config.pipelines.flatMap((p) => p.indicators.map((i) => i.id)));
  const checks = new Set(config.pipelines.flatMap((p) => p.checks.map((c) => c.id)));
  return loadRisks(file, { indicators, checks, sources: new Set(['db']) });
}

/**
 * Stores the council's 36 months as the service would have stored them: a run per pipeline and
 * month with its values (judged) and its checks' results, some failing into the failed-check
 * log, and a recorded position per risk. Seeded straight into the migrated file: hundreds of
 * thousands of rows through the service's own writes would take minutes.
 */
export async function seedCouncil(config: LoadedConfig, options: { checks: boolean }): Promise<string> {
  const storeFile = (config.service.store as { filename: string }).filename;
  const store = new Store(config.service.store);
  await store.migrate();
  await store.close();
  const db = new Database(storeFile);
  const insert = (table: string, row: Record<string, unknown>) => db.prepare(`INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map((c) => `@${c}`).join(', ')})`);
  db.transaction(() => {
    let runId = 0;
    let statements: Record<string, ReturnType<typeof insert>> = {};
    const put = (table: string, row: Record<string, unknown>) => (statements[table] ??= insert(table, row)).run(row);
    COUNCIL_MONTHS.forEach((m, k) => {
      const at = `${m.end}T06:00:00.000Z`;
      for (const p of config.pipelines) {
        runId++;
        put('runs', { id: runId, pipeline_id: p.id, period_id: m.id, period_start: m.start, period_end: m.end, started_at: at, finished_at: at, outcome: 'succeeded', rows_read: 100, rows_rejected: 0 });
        p.indicators.forEach((ind, i) => {
          const value = 80 + ((i * 7 + k * 3) % 20);
          const rag = value >= 90 ? 'GREEN' : value >= 85.5 ? 'AMBER' : 'RED';
          put('indicator_values', {
            indicator_id: ind.id, pipeline_id: p.id, period_id: m.id, period_start: m.start, period_end: m.end, revision: 1,
            value, numerator: null, denominator: null, reason: null, data_quality: 'passed', target: 90, tolerance_amount: 4.5, rag,
            rag_explanation: `${rag}: bench`, direction_previous: k % 2 ? 'improving' : 'worsening', direction_last_year: k >= 12 ? 'no change' : null,
            run_id: runId, recorded_at: at, superseded_at: null,
          });
        });
        if (!options.checks) continue;
        p.checks.forEach((c, i) => {
          const failing = (i + k) % 25 === 0 ? 3 : 0;
          put('check_results', { run_id: runId, check_id: c.id, check_type: c.type, status: failing ? 'failed' : 'passed', severity: 'error', failing_count: failing, checked_count: 100, failing_share: failing, message: 'bench' });
          if (k === COUNCIL_MONTHS.length - 1) put('check_states', { check_id: c.id, pipeline_id: p.id, run_id: runId, period_id: m.id, period_start: m.start, status: failing ? 'failed' : 'passed', severity: 'error', failing_count: failing, recorded_at: at });
          if (failing && k >= COUNCIL_MONTHS.length - 2) {
            put('check_log', {
              check_id: c.id, check_type: c.type, pipeline_id: p.id, source: 'db', period_id: m.id, period_start: m.start, severity: 'error', status: 'open',
              first_failed_at: at, last_failed_at: at, consecutive_failures: 1, failing_count: failing, failing_share: failing, sample: '[]', message: 'bench',
            });
          }
        });
      }
    });
    for (let r = 0; r < config.pipelines.length * PER_PIPELINE / 100; r++) {
      put('risk_positions', { risk_id: `R${r}`, assessed_at: '2026-04-02T06:00:00.000Z', likelihood: r % 3 ? 'D' : 'B', impact: 'III', score: 0, above_tolerance: 0, triggered: r % 3 ? 0 : 1, evidence: '[]' });
    }
  })();
  db.close();
  return storeFile;
}
