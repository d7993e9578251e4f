import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { FinancialCalendar } from '../src/calendar/periods.js';
import type { LoadedConfig, LoadedPipeline } from '../src/config/load.js';
import { serviceConfigSchema, pipelineSchema } from '../src/config/schema.js';
import { silentLogger } from '../src/logger.js';
import { runPipeline } from '../src/runs/execute.js';
import { SourceRegistry } from '../src/sources/registry.js';
import { Store } from '../src/store/store.js';
import { compare, type BenchResult } from './measure.js';

const ADMIN_URL = process.env.LINEOFSIGHT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = 'lineofsight_bench';
const ROWS = Number(process.env.BENCH_SQL_ROWS ?? 2_000_000);
const INDICATORS = 50;

export function dbUrl(): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DB}`;
  return u.toString();
}

/** 2 million ledger lines over financial year 2024-25, made inside PostgreSQL. */
export async function prepareTable(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB]);
  if (!exists.rowCount) await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
  const db = new pg.Client({ connectionString: dbUrl() });
  await db.connect();
  const count = await db.query("SELECT to_regclass('ledger') IS NOT NULL AS present");
  const present = count.rows[0].present && (await db.query('SELECT COUNT(*)::int AS n FROM ledger')).rows[0].n === ROWS;
  if (!present) {
    await db.query('DROP TABLE IF EXISTS ledger');
    await db.query(`CREATE TABLE ledger (id int PRIMARY KEY, posted date NOT NULL, cost_centre int NOT NULL, amount numeric(12,2) NOT NULL, paid_on_time boolean NOT NULL)`);
    await db.query(
      `INSERT INTO ledger SELECT g, DATE '2024-04-01' + (g % 365), g % 25, ((g::bigint * 7919) % 100000) / 100.0, (g % 10) <> 0 FROM generate_series(1, $1) g`,
      [ROWS],
    );
    await db.query('CREATE INDEX ON ledger (posted)');
    await db.query('ANALYZE ledger');
  }
  // The checks benchmark's reference table: every cost centre but one.
  await db.query('CREATE TABLE IF NOT EXISTS cost_centres (code int PRIMARY KEY)');
  await db.query('INSERT INTO cost_centres SELECT g FROM generate_series(0, 23) g ON CONFLICT DO NOTHING');
  await db.end();
}

/** One query yielding 50 indicator inputs from `table`: spend and on-time counts for 25 cost centres. */
function query(table: string): string {
  const cols: string[] = [];
  for (let cc = 0; cc < INDICATORS / 2; cc++) {
    cols.push(`SUM(CASE WHEN cost_centre = ${cc} THEN amount ELSE 0 END) AS spend_${cc}`);
    cols.push(`SUM(CASE WHEN cost_centre = ${cc} AND paid_on_time THEN 1 ELSE 0 END) AS on_time_${cc}`);
  }
  return `SELECT ${cols.join(',\n  ')}\nFROM ${table} WHERE posted >= :period_start AND posted < :period_end`;
}

/** The benches' monthly pipeline of 50 indicators over a ledger table on the source `ledger`, and its query. */
export function ledgerPipeline(table: string): { pipeline: LoadedPipeline; sql: string } {
  const sql = query(table);
  const indicators = [];
  for (let cc = 0; cc < INDICATORS / 2; cc++) {
    indicators.push({ id: `SP${cc}`, title: `Spend ${cc}`, type: 'sum', value: `spend_${cc}`, polarity: 'none', owner: 'bench', service: 'bench' });
    indicators.push({ id: `OT${cc}`, title: `On time ${cc}`, type: 'count', value: `on_time_${cc}`, polarity: 'none', owner: 'bench', service: 'bench' });
  }
  const pipeline: LoadedPipeline = {
    ...pipelineSchema.parse({ id: 'bench', title: 'bench', source: 'ledger', schedule: '0 6 * * *', frequency: 'monthly', query: sql, indicators }),
    file: 'bench',
  };
  return { pipeline, sql };
}

export async function benchSql(): Promise<BenchResult> {
  await prepareTable();
  const { pipeline, sql } = ledgerPipeline('ledger');
  const service = serviceConfigSchema.parse({
    store: { client: 'sqlite', filename: path.join(mkdtempSync(path.join(os.tmpdir(), 'los-bench-')), 'store.sqlite') },
    sources: { ledger: { client: 'pg', connection: dbUrl(), query_timeout: '10m' } },
  });
  const calendar = new FinancialCalendar(4);
  const config: LoadedConfig = { file: 'bench', service, calendar, pipelines: [pipeline], yaml: new Map(), targetOrigins: new Map() };
  const periods = calendar.within(calendar.parse('2024-25'), 'month');
  const store = new Store(service.store);
  await store.migrate();
  const sources = new SourceRegistry(service.sources, service.timezone, silentLogger);

  // The baseline: the same SQL with positional parameters, straight through one pg client.
  const positional = sql.replace(':period_start', '$1').replace(':period_end', '$2');
  const client = new pg.Client({ connectionString: dbUrl() });
  await client.connect();
  const direct = async () => {
    for (const p of periods) await client.query(positional, [p.start, p.end]);
  };
  const product = async () => {
    const runs = await runPipeline({ config, sources, logger: silentLogger, ...store.forRuns() }, pipeline, periods);
    if (runs.some((r) => r.outcome !== 'succeeded')) throw new Error(runs.find((r) => r.error)?.error ?? 'run failed');
  };
  await direct(); // warm the buffer cache for both sides
  await product();
  const r = await compare(5, direct, product);
  await client.end();
  await sources.closeAll();
  await store.close();
  return {
    name: `SQL: ${INDICATORS} indicators, ${ROWS.toLocaleString('en-GB')} PostgreSQL rows, 12 monthly periods`,
    target: 'pipeline time <= 1.25x the same SQL run directly with pg',
    measured: `${r.candidateMs.toFixed(0)} ms vs ${r.baselineMs.toFixed(0)} ms direct: ${r.ratio.toFixed(3)}x`,
    pass: r.ratio <= 1.25,
  };
}
