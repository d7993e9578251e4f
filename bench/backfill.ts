import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runBackfill } from '../src/app/backfill.js';
import { withService } from '../src/app/open.js';
import { FinancialCalendar } from '../src/calendar/periods.js';
import type { LoadedConfig } from '../src/config/load.js';
import { serviceConfigSchema } from '../src/config/schema.js';
import { silentLogger } from '../src/logger.js';
import { median, timed, type BenchResult } from './measure.js';
import { dbUrl, ledgerPipeline, prepareTable } from './sql.js';

const ROWS = Number(process.env.BENCH_BACKFILL_ROWS ?? 2_000_000);
const ROUNDS = 5;

/** 2 million ledger lines over the three financial years 2022-23 to 2024-25, beside the sql bench's table in its database. */
async function prepareYears(): Promise<void> {
  await prepareTable();
  const db = new pg.Client({ connectionString: dbUrl() });
  await db.connect();
  const present = (await db.query("SELECT to_regclass('ledger_years') IS NOT NULL AS present")).rows[0].present && (await db.query('SELECT COUNT(*)::int AS n FROM ledger_years')).rows[0].n === ROWS;
  if (!present) {
    await db.query('DROP TABLE IF EXISTS ledger_years');
    await db.query('CREATE TABLE ledger_years (id int PRIMARY KEY, posted date NOT NULL, cost_centre int NOT NULL, amount numeric(12,2) NOT NULL, paid_on_time boolean NOT NULL)');
    await db.query(
      `INSERT INTO ledger_years SELECT g, DATE '2022-04-01' + (g % 1096), g % 25, ((g::bigint * 7919) % 100000) / 100.0, (g % 10) <> 0 FROM generate_series(1, $1) g`,
      [ROWS],
    );
    await db.query('CREATE INDEX ON ledger_years (posted)');
    await db.query('ANALYZE ledger_years');
  }
  await db.end();
}

export async function benchBackfill(): Promise<BenchResult> {
  await prepareYears();
  const { pipeline, sql } = ledgerPipeline('ledger_years');
  const service = serviceConfigSchema.parse({
    store: { client: 'sqlite', filename: path.join(mkdtempSync(path.join(os.tmpdir(), 'los-bench-')), 'store.sqlite') },
    sources: { ledger: { client: 'pg', connection: dbUrl(), query_timeout: '10m', pool: { min: 0, max: 4 } } },
    scheduler: { source_retries: [] },
  });
  const calendar = new FinancialCalendar(4);
  const config: LoadedConfig = { file: 'bench', service, calendar, pipelines: [pipeline], yaml: new Map(), targetOrigins: new Map() };
  const periods = calendar.range(calendar.parse('2022-23'), calendar.parse('2024-25'), 'month');

  // The baseline: the same 36 queries with positional parameters, one after another through one pg client.
  const positional = sql.replace(':period_start', '$1').replace(':period_end', '$2');
  const client = new pg.Client({ connectionString: dbUrl() });
  await client.connect();
  const direct = async () => {
    for (const p of periods) await client.query(positional, [p.start, p.end]);
  };

  const c1: number[] = [];
  const c4: number[] = [];
  const b: number[] = [];
  await withService(
    { config, register: undefined },
    async (open) => {
      // Each backfill completes, so asking again runs every period afresh (--only all).
      const backfill = (concurrency: number) => async () => {
        const s = await runBackfill(open, { pipelines: [pipeline], scope: 'bench', from: '2022-23', to: '2024-25', only: 'all', concurrency });
        if (s.results.length !== periods.length || s.failed.length) throw new Error(s.failed[0]?.error ?? `ran ${s.results.length} of ${periods.length} periods`);
      };
      await direct(); // warm the buffer cache for every side
      await backfill(1)();
      for (let i = 0; i < ROUNDS; i++) {
        b.push(await timed(direct));
        c1.push(await timed(backfill(1)));
        c4.push(await timed(backfill(4)));
      }
    },
    { logger: silentLogger },
  );
  await client.end();
  const [base, one, four] = [median(b), median(c1), median(c4)];
  return {
    name: `Backfill: 36 monthly periods (2022-23 to 2024-25) of 50 indicators over ${ROWS.toLocaleString('en-GB')} PostgreSQL rows`,
    target: 'at --concurrency 1 <= 1.3x the same 36 queries one after another with bare pg; at --concurrency 4 faster than at 1',
    measured: `concurrency 1: ${one.toFixed(0)} ms vs ${base.toFixed(0)} ms bare pg: ${(one / base).toFixed(3)}x; concurrency 4: ${four.toFixed(0)} ms (${(four / one).toFixed(3)}x of concurrency 1)`,
    pass: one / base <= 1.3 && four < one,
  };
}
