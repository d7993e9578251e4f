import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodBindings } from '../src/calendar/bindings.js';
import { KIND_OF_FREQUENCY } from '../src/calendar/periods.js';
import { loadConfig, type LoadedConfig, type LoadedPipeline } from '../src/config/load.js';
import { toNumber } from '../src/indicators/compute.js';
import { demoTimeline, financeTables, generateDemoDatabases, generateDemoExports, generateFinance, generateServices, plantedProblems, servicesTables, WASTE_RETURN_LAG_MONTHS, type DemoExports } from '../src/demo/generate.js';
import { noThresholdMonth, UNAGREED_QUEUE } from '../src/demo/contactCentre.js';
import { dateOf, dayOf, isWorkingDay } from '../src/demo/dates.js';
import { silentLogger } from '../src/logger.js';
import { readCsv } from '../src/sources/csv/index.js';

const TEST_DATABASE = 'lineofsight_test_demo';
/** The demo as the tests pin it: the three years as written, 2023-24 to 2025-26. */
const T = demoTimeline('2026-04-01');
/** A few periods of each kind, spread over the three years and their planted problems. */
const PERIODS = {
  monthly: ['2023-04', '2024-01', '2024-06', '2024-11', '2025-08', '2026-03'],
  quarterly: ['2023-24-Q1', '2024-25-Q3', '2025-26-Q4'],
  annual: ['2023-24', '2024-25', '2025-26'],
} as const;

let dir: string;
let files: { finance: string; services: string };
let generationMs: number;
let config: LoadedConfig;
let sqlite: Record<string, Db>;

/** A database the pipeline queries run on, and how its driver shapes a raw result. */
interface Db {
  client: 'sqlite' | 'pg' | 'mysql';
  knex: Knex;
}

async function aggregate(db: Db, sql: string, bindings: Record<string, string>): Promise<Record<string, unknown>> {
  const result = await db.knex.raw(sql, bindings);
  const rows = (db.client === 'pg' ? result.rows : db.client === 'mysql' ? result[0] : result) as Record<string, unknown>[];
  expect(rows).toHaveLength(1);
  return rows[0] as Record<string, unknown>;
}

function sqliteKnex(file: string): Knex {
  return knexFactory({ client: 'better-sqlite3', connection: { filename: file, options: { readonly: true } }, useNullAsDefault: true });
}

async function withSqlite<T>(file: string, fn: (db: Knex) => Promise<T>): Promise<T> {
  const db = sqliteKnex(file);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/** The shipped pipelines this generator serves (the open-data CSV pipelines are someone else's). */
async function demoPipelineFiles(): Promise<string[]> {
  const names = (await readdir('pipelines')).filter((n) => n.endsWith('.yaml')).sort();
  const out: string[] = [];
  for (const name of names) {
    const doc = parse(await readFile(path.join('pipelines', name), 'utf8')) as { source?: string };
    if (doc.source === 'finance' || doc.source === 'services') out.push(name);
  }
  return out;
}

/** Every (period, window) a run would query for a pipeline, as bindings. */
function bindingsFor(cfg: LoadedConfig, pipeline: LoadedPipeline): { label: string; bindings: Record<string, string> }[] {
  const cal = cfg.calendar;
  const out: { label: string; bindings: Record<string, string> }[] = [];
  for (const id of PERIODS[pipeline.frequency]) {
    const period = cal.parse(id);
    expect(period.kind).toBe(KIND_OF_FREQUENCY[pipeline.frequency]);
    const windows = new Map<string, { start: string; end: string }>();
    for (const indicator of pipeline.indicators) {
      const w = indicator.accumulation === 'year_to_date' ? cal.yearToDate(period) : { start: period.start, end: period.end };
      windows.set(`${w.start}..${w.end}`, w);
    }
    for (const [label, w] of windows) out.push({ label: `${id} ${label}`, bindings: periodBindings(cal, period, w) });
  }
  return out;
}

function columnsUsed(pipeline: LoadedPipeline): string[] {
  const columns = new Set<string>();
  for (const indicator of pipeline.indicators) {
    for (const input of [indicator.value, indicator.numerator, indicator.denominator]) {
      if (typeof input === 'string') columns.add(input);
    }
  }
  return [...columns];
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lineofsight-demo-'));
  const started = performance.now();
  files = await generateDemoDatabases(path.join(dir, 'a'), T);
  generationMs = performance.now() - started;

  const pipelinesDir = path.join(dir, 'pipelines');
  await mkdir(pipelinesDir);
  for (const name of await demoPipelineFiles()) await copyFile(path.join('pipelines', name), path.join(pipelinesDir, name));
  const configFile = path.join(dir, 'lineofsight.yaml');
  await writeFile(
    configFile,
    [
      `pipelines_dir: ${pipelinesDir}`,
      'sources:',
      `  finance: { client: sqlite, connection: ${files.finance} }`,
      `  services: { client: sqlite, connection: ${files.services} }`,
      '',
    ].join('\n'),
  );
  config = await loadConfig(configFile, {});
  sqlite = {
    finance: { client: 'sqlite', knex: sqliteKnex(files.finance) },
    services: { client: 'sqlite', knex: sqliteKnex(files.services) },
  };
});

afterAll(async () => {
  await Promise.all(Object.values(sqlite ?? {}).map((db) => db.knex.destroy()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('demo generator', () => {
  it('writes both SQLite databases within a few seconds', () => {
    expect(path.basename(files.finance)).toBe('finance.sqlite');
    expect(path.basename(files.services)).toBe('services.sqlite');
    // The target is under 5 s; the margin keeps a loaded CI machine from failing the build.
    expect(generationMs).toBeLessThan(15_000);
  });

  it('is deterministic: a second run gives identical table contents', async () => {
    const again = await generateDemoDatabases(path.join(dir, 'b'), T);
    for (const [db, tables] of [
      ['finance', financeTables(T)],
      ['services', servicesTables(T)],
    ] as const) {
      for (const table of tables) {
        const order = table.name === 'cost_centres' ? 'code' : 'id';
        const first = await withSqlite(files[db], (k) => k(table.name).select('*').orderBy(order));
        const second = await withSqlite(again[db], (k) => k(table.name).select('*').orderBy(order));
        expect(second, `${db}.${table.name}`).toEqual(first);
        expect(first.length, `${db}.${table.name}`).toBe(table.rows.length);
      }
    }
  });

  it('writes plausible row counts', async () => {
    const counts: Record<string, number> = {};
    for (const [db, tables] of [
      ['finance', financeTables(T)],
      ['services', servicesTables(T)],
    ] as const) {
      for (const table of tables) {
        const row = await withSqlite(files[db], (k) => k(table.name).count({ n: '*' }).first());
        counts[table.name] = Number(row?.n);
      }
    }
    const expected: Record<string, [number, number]> = {
      cost_centres: [14, 14],
      budgets: [42, 42], // 14 cost centres x 3 years
      budget_profiles: [504, 504], // x 12 months
      ledger_postings: [2000, 3000],
      invoices: [11_000, 16_000],
      repairs: [12_000, 18_000],
      planning_applications: [2500, 4000],
      council_tax_collection: [288, 288], // 8 bands x 36 months
      waste_collections_scheduled: [20 * (36 - WASTE_RETURN_LAG_MONTHS), 20 * (36 - WASTE_RETURN_LAG_MONTHS)], // 20 rounds x the months the contractor has returned
      missed_collections: [2000, 5000],
      foi_requests: [1500, 2600],
    };
    for (const [table, [min, max]] of Object.entries(expected)) {
      expect(counts[table], table).toBeGreaterThanOrEqual(min);
      expect(counts[table], table).toBeLessThanOrEqual(max);
    }
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBeLessThan(60_000);
  });

  it('dates every row as YYYY-MM-DD and every timestamp as YYYY-MM-DD HH:MM:SS', async () => {
    const repairs = await withSqlite(files.services, (k) => k('repairs').select('reported_date', 'completed_date', 'created_at').limit(50));
    for (const r of repairs) {
      expect(r.reported_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (r.completed_date !== null) expect(r.completed_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(r.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    }
  });
});

describe('planted data problems', () => {
  const problems = plantedProblems(T);
  const fileOf = (db: 'finance' | 'services') => files[db];

  it('lists duplicates, nulls, late records and a reconciliation break', () => {
    expect(new Set(problems.map((p) => p.kind))).toEqual(new Set(['duplicate', 'null', 'late', 'reconciliation']));
    for (const p of problems) expect(p.keys.length, `${p.table} ${p.kind}`).toBeGreaterThan(0);
  });

  it('has the planted duplicates, and no other duplicate references', async () => {
    const refColumns: [db: 'finance' | 'services', table: string, column: string][] = [
      ['services', 'repairs', 'job_ref'],
      ['finance', 'invoices', 'invoice_number'],
      ['services', 'planning_applications', 'application_ref'],
      ['services', 'foi_requests', 'reference'],
      ['services', 'missed_collections', 'reference'],
      ['finance', 'ledger_postings', 'journal_ref'],
    ];
    for (const [db, table, column] of refColumns) {
      const rows: Record<string, unknown>[] = await withSqlite(fileOf(db), (k) => k(table).select(column).count({ n: '*' }).groupBy(column).havingRaw('count(*) > 1'));
      const planted = problems.find((p) => p.kind === 'duplicate' && p.table === table);
      expect(rows.map((r) => r[column]).sort(), table).toEqual([...(planted?.keys ?? [])].sort());
      for (const r of rows) expect(Number(r.n)).toBe(2);
    }
    const [dup] = problems.filter((p) => p.kind === 'duplicate' && p.table === 'repairs');
    const copies = await withSqlite(files.services, (k) => k('repairs').whereIn('job_ref', dup!.keys).orderBy('id'));
    for (const ref of dup!.keys) {
      const [a, b] = copies.filter((r) => r.job_ref === ref);
      expect(a.reported_date.startsWith('2025-01')).toBe(true);
      expect({ ...b, id: a.id }).toEqual(a);
    }
  });

  it('has the planted NULLs, and no others in those columns', async () => {
    for (const p of problems.filter((x) => x.kind === 'null')) {
      const rows = await withSqlite(fileOf(p.database), (k) => {
        const q = k(p.table).whereNull(p.column!).select(p.keyColumn);
        if (p.table === 'planning_applications') q.whereNotNull('decided_date');
        if (p.table === 'council_tax_collection') q.select('month_start');
        return q;
      });
      expect(rows.map((r) => r[p.keyColumn]).sort(), `${p.table}.${p.column}`).toEqual([...p.keys].sort());
      if (p.table === 'council_tax_collection') expect(rows[0]!.month_start).toBe(`${p.period}-01`);
    }
    const noTarget = await withSqlite(files.services, (k) => k('repairs').whereNull('target_date').pluck('job_ref'));
    expect(noTarget.sort()).toEqual([...problems.find((p) => p.table === 'repairs' && p.kind === 'null')!.keys].sort());
  });

  it('has the planted late records, created long after the period they belong to, and no others', async () => {
    const late = async (db: 'finance' | 'services', table: string, key: string, dateColumn: string) => {
      const rows = await withSqlite(fileOf(db), (k) => k(table).select(key, dateColumn, 'created_at'));
      return rows.filter((r) => dayOf(r.created_at.slice(0, 10)) - dayOf(r[dateColumn]) > 30).map((r) => r[key]);
    };
    const byTable = (table: string) => problems.find((p) => p.kind === 'late' && p.table === table)!;
    const repairs = byTable('repairs');
    expect((await late('services', 'repairs', 'job_ref', 'reported_date')).sort()).toEqual([...repairs.keys].sort());
    expect(repairs.keys.length).toBeGreaterThanOrEqual(15);
    expect((await late('finance', 'invoices', 'invoice_number', 'received_date')).sort()).toEqual([...byTable('invoices').keys].sort());
    expect(await late('services', 'planning_applications', 'application_ref', 'received_date')).toEqual([]);
    expect(await late('services', 'foi_requests', 'reference', 'received_date')).toEqual([]);
  });

  it('reconciles ledger repairs cost centres with repair costs in every month but one', async () => {
    const ledger = await withSqlite(files.finance, (k) =>
      k('ledger_postings').whereIn('cost_centre_code', ['H210', 'H220']).select('cost_centre_code', 'posting_date', 'amount'),
    );
    const repairs = await withSqlite(files.services, (k) => k('repairs').whereNotNull('completed_date').select('cost_centre_code', 'completed_date', 'cost'));
    const sums = new Map<string, { ledger: number; repairs: number }>();
    const add = (key: string, side: 'ledger' | 'repairs', amount: number) => {
      const s = sums.get(key) ?? { ledger: 0, repairs: 0 };
      s[side] += Math.round(amount * 100);
      sums.set(key, s);
    };
    for (const r of ledger) add(`${r.cost_centre_code} ${r.posting_date.slice(0, 7)}`, 'ledger', r.amount);
    for (const r of repairs) if (r.completed_date >= '2023-04-01') add(`${r.cost_centre_code} ${r.completed_date.slice(0, 7)}`, 'repairs', r.cost);
    expect(sums.size).toBe(2 * 36);
    const broken = [...sums].filter(([, s]) => s.ledger !== s.repairs).map(([key, s]) => [key, (s.ledger - s.repairs) / 100]);
    const planted = problems.find((p) => p.kind === 'reconciliation')!;
    expect(broken).toEqual([[`H210 ${planted.period}`, 18_450]]);
    const posting = await withSqlite(files.finance, (k) => k('ledger_postings').where('journal_ref', planted.keys[0]!).first());
    expect(posting).toMatchObject({ cost_centre_code: 'H210', posting_date: '2024-11-28', amount: 18_450 });
  });
});

describe('shipped pipelines', () => {
  it('load with the shipped service configuration', async () => {
    const shipped = await loadConfig('config/lineofsight.yaml', {});
    const ids = shipped.pipelines.map((p) => p.id);
    for (const p of config.pipelines) expect(ids).toContain(p.id);
  });

  it('together use every indicator type, year-to-date accumulation and a replaced id', () => {
    const indicators = config.pipelines.flatMap((p) => p.indicators);
    expect(indicators.length).toBeGreaterThanOrEqual(12);
    const types = new Set(indicators.map((i) => i.type));
    for (const type of ['count', 'sum', 'mean', 'median', 'percentage', 'ratio', 'rate', 'value'] as const) expect(types).toContain(type);
    expect(indicators.filter((i) => i.accumulation === 'year_to_date').length).toBeGreaterThanOrEqual(2);
    expect(indicators.some((i) => i.replaces.length > 0)).toBe(true);
    expect(new Set(config.pipelines.map((p) => p.frequency))).toEqual(new Set(['monthly', 'quarterly', 'annual']));
    for (const i of indicators) {
      for (const t of i.targets) {
        expect(t.from, i.id).toBeDefined();
        expect(t.signed_off_by, i.id).toBeTruthy();
        expect(t.signed_off_on, i.id).toBeTruthy();
        expect(t.rationale, i.id).toBeTruthy();
      }
      if (i.polarity !== 'none') expect(i.tolerance?.reason, i.id).toBeTruthy();
    }
  });

  it('each query returns one row of numbers on SQLite', async () => {
    for (const pipeline of config.pipelines) {
      const columns = columnsUsed(pipeline);
      for (const { label, bindings } of bindingsFor(config, pipeline)) {
        const row = await aggregate(sqlite[pipeline.source]!, pipeline.query!, bindings);
        for (const key of Object.keys(row)) expect(key, `${pipeline.id}`).toMatch(/^[a-z][a-z0-9_]*$/);
        for (const column of columns) {
          const value = toNumber(row[column], `${pipeline.id} ${label} ${column}`);
          expect(value, `${pipeline.id} ${label} ${column}`).not.toBeNull();
        }
      }
    }
  });

  it('compute a portable median: the middle value, or the mean of the two middle values', async () => {
    const housing = config.pipelines.find((p) => p.id === 'housing-repairs')!;
    const period = config.calendar.parse('2024-11');
    const bindings = periodBindings(config.calendar, period, period);
    const row = await aggregate(sqlite.services!, housing.query!, bindings);
    const costs = await withSqlite(files.services, (k) =>
      k('repairs').where('completed_date', '>=', period.start).andWhere('completed_date', '<', period.end).whereNotNull('cost').orderBy('cost').pluck('cost'),
    );
    const n = costs.length;
    const median = n % 2 ? costs[(n - 1) / 2] : (costs[n / 2 - 1] + costs[n / 2]) / 2;
    expect(Number(row.median_cost)).toBeCloseTo(median, 6);
  });
});

describe('portable SQL: PostgreSQL and MariaDB give the same numbers as SQLite', () => {
  const servers = {
    pg: { driver: 'pg', connection: { host: '127.0.0.1', port: 5432, user: 'postgres' }, admin: 'postgres', quote: '"' },
    mysql: { driver: 'mysql2', connection: { host: '127.0.0.1', port: 3306, user: 'root' }, admin: undefined, quote: '`' },
  } as const;
  const databases: Partial<Record<keyof typeof servers, Db>> = {};

  /** Runs statements on the server's administrative database (PostgreSQL cannot drop the one it is connected to). */
  async function onServer(name: keyof typeof servers, statements: (quoted: string) => string[]): Promise<void> {
    const server = servers[name];
    const admin = knexFactory({ client: server.driver, connection: { ...server.connection, database: server.admin } });
    try {
      for (const sql of statements(`${server.quote}${TEST_DATABASE}${server.quote}`)) await admin.raw(sql);
    } finally {
      await admin.destroy();
    }
  }

  beforeAll(async () => {
    for (const name of ['pg', 'mysql'] as const) {
      await onServer(name, (db) => [`DROP DATABASE IF EXISTS ${db}`, `CREATE DATABASE ${db}`]);
      const server = servers[name];
      const knex = knexFactory({ client: server.driver, connection: { ...server.connection, database: TEST_DATABASE } });
      databases[name] = { client: name, knex };
      await generateFinance(knex, T);
      await generateServices(knex, T);
    }
  });

  afterAll(async () => {
    await Promise.all(Object.values(databases).map((db) => db.knex.destroy()));
    for (const name of Object.keys(databases) as (keyof typeof servers)[]) await onServer(name, (db) => [`DROP DATABASE IF EXISTS ${db}`]);
  });

  const round6 = (raw: unknown, what: string): number | null => {
    const n = toNumber(raw, what);
    return n === null ? null : Math.round(n * 1e6) / 1e6;
  };

  it.each(['pg', 'mysql'] as const)('%s', async (name) => {
    const db = databases[name]!;
    let compared = 0;
    for (const pipeline of config.pipelines) {
      for (const { label, bindings } of bindingsFor(config, pipeline)) {
        const expected = await aggregate(sqlite[pipeline.source]!, pipeline.query!, bindings);
        const actual = await aggregate(db, pipeline.query!, bindings);
        expect(Object.keys(actual).map((k) => k.toLowerCase()).sort(), `${pipeline.id} ${label}`).toEqual(Object.keys(expected).sort());
        for (const column of Object.keys(expected)) {
          const what = `${name} ${pipeline.id} ${label} ${column}`;
          expect(round6(actual[column], what), what).toBe(round6(expected[column], what));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});

describe('a demo that is live on the day it is generated', () => {
  it.each([
    // as of, its years, the first day after its data
    ['2026-04-01', [2023, 2024, 2025], '2026-04-01'],
    ['2026-04-30', [2023, 2024, 2025], '2026-04-01'],
    ['2026-05-01', [2024, 2025, 2026], '2026-05-01'],
    ['2026-12-02', [2024, 2025, 2026], '2026-12-01'],
    ['2027-01-01', [2024, 2025, 2026], '2027-01-01'],
    ['2027-04-15', [2024, 2025, 2026], '2027-04-01'],
    ['2025-06-10', [2023, 2024, 2025], '2025-06-01'],
  ])('as of %s covers the financial years %j, to the last complete month', (asOf, years, end) => {
    const t = demoTimeline(asOf);
    expect(t.years).toEqual(years);
    expect(t.shift).toBe(years[0]! - 2023);
    expect(t.months[0]?.id).toBe(`${years[0]}-04`);
    expect(t.months.at(-1)?.end).toBe(dayOf(end));
    expect(t.extractDay).toBe(dayOf(end) - 1);
  });

  it('refuses a day that is not a date', () => {
    expect(() => demoTimeline('2026-02-30')).toThrow('"2026-02-30" is not a date (YYYY-MM-DD)');
  });

  it('moves days as written by whole years, 29 February to the 28th', () => {
    const t = demoTimeline('2026-12-02');
    expect([t.month('2024-06'), t.month('2024-02-29'), t.written('2025-06-18')]).toEqual(['2025-06', '2025-02-28', '2024-06-18']);
    expect(t.day('2024-06-18')).toBe(dayOf('2025-06-18'));
  });

  it("counts England and Wales bank holidays for any year, as gov.uk lists them", async () => {
    const { isBankHoliday, dateOf } = await import('../src/demo/dates.js');
    const listed = [
      '2023-01-02', '2023-04-07', '2023-04-10', '2023-05-01', '2023-05-08', '2023-05-29', '2023-08-28', '2023-12-25', '2023-12-26',
      '2024-01-01', '2024-03-29', '2024-04-01', '2024-05-06', '2024-05-27', '2024-08-26', '2024-12-25', '2024-12-26',
      '2025-01-01', '2025-04-18', '2025-04-21', '2025-05-05', '2025-05-26', '2025-08-25', '2025-12-25', '2025-12-26',
      '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28',
      '2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28',
    ];
    const found: string[] = [];
    for (let d = dayOf('2023-01-01'); d < dayOf('2028-01-01'); d++) if (isBankHoliday(d)) found.push(dateOf(d));
    expect(found).toEqual(listed);
  });

  it('ends the data at the last complete month, the waste return a month behind, and keeps each planted problem in its place in the year', async () => {
    const live = demoTimeline('2026-12-02');
    const liveDir = path.join(dir, 'live');
    const written = await generateDemoDatabases(liveDir, live);
    const newest = async (file: string, table: string, column: string) => (await withSqlite(file, (k) => k(table).max({ d: column }).first()))?.d as string;
    for (const [table, column] of [['ledger_postings', 'posting_date'], ['invoices', 'received_date']] as const) {
      expect(await newest(written.finance, table, column), table).toMatch(/^2026-11-(2\d|30)$/);
    }
    for (const [table, column] of [['repairs', 'reported_date'], ['foi_requests', 'received_date'], ['planning_applications', 'received_date']] as const) {
      expect(await newest(written.services, table, column), table).toMatch(/^2026-11-(2\d|30)$/);
    }
    expect(await newest(written.services, 'council_tax_collection', 'month_start')).toBe('2026-11-01');
    expect(await newest(written.services, 'missed_collections', 'reported_date')).toMatch(/^2026-10-(2\d|3[01])$/);
    expect(await newest(written.services, 'waste_collections_scheduled', 'month_start')).toBe(`2026-${String(11 - WASTE_RETURN_LAG_MONTHS).padStart(2, '0')}-01`);

    // The last year's budget is set whole: profiled over twelve months, spent at the usual rate.
    const budgetMonths = await withSqlite(written.finance, (k) => k('budget_profiles').where('financial_year', '2026-27').countDistinct({ n: 'month_start' }).first());
    expect(Number(budgetMonths?.n)).toBe(12);
    const spent = async (month: string) => Number((await withSqlite(written.finance, (k) => k('ledger_postings').where('posting_date', '>=', `${month}-01`).andWhere('posting_date', '<', `${month}-32`).sum({ s: 'amount' }).first()))?.s);
    const [april, aprilBefore] = [await spent('2026-04'), await spent('2025-04')];
    expect(Math.abs(april / aprilBefore - 1)).toBeLessThan(0.1);

    const moved = (period: string) => period.replace(/^(\d{4})-(\d{2})(-Q\d)?$/, (_, y: string, m: string, q?: string) => (q ? `${Number(y) + 1}-${String(Number(m) + 1).padStart(2, '0')}${q}` : `${Number(y) + 1}-${m}`));
    const pinned = plantedProblems(T).map((p) => `${p.table} ${p.kind} ${moved(p.period)}`);
    const shifted = plantedProblems(live).map((p) => `${p.table} ${p.kind} ${p.period}`);
    // The last written problem is in August of year three, so every one has happened by November.
    expect(shifted).toEqual(pinned);
    expect(shifted).toContain('repairs duplicate 2026-01');
  });

  it('plants only the problems whose period has ended', () => {
    const early = plantedProblems(demoTimeline('2026-05-01')).map((p) => p.period);
    expect(early.length).toBeGreaterThan(0);
    expect(early.every((p) => p <= '2026-04')).toBe(true);
    // February's late invoices are keyed in May, which has not come.
    expect(early).not.toContain('2026-02');
    expect(plantedProblems(T).length).toBeGreaterThan(early.length);
  });
});

describe("the contact centre's exports", () => {
  let written: DemoExports;
  let pipeline: LoadedPipeline;
  const exportsOf = (t: ReturnType<typeof demoTimeline>) => t.months.map((m) => `calls_${m.id}.csv`);
  const text = (file: string) => readFile(file, 'utf8');

  beforeAll(async () => {
    written = await generateDemoExports(path.join(dir, 'exports-a'), T);
    pipeline = (await loadConfig('config/lineofsight.yaml', {})).pipelines.find((p) => p.id === 'contact-centre')!;
  });

  /** The records of a file read independently of the CSV engine, each with its line (one line each: no cell is quoted). */
  async function recordsOf(file: string): Promise<{ header: string[]; rows: { line: number; cells: string[] }[] }> {
    const [header, ...rows] = parseCsv(await text(file), { relax_column_count: true }) as string[][];
    return { header: header!, rows: rows.map((cells, i) => ({ line: i + 2, cells })) };
  }

  /** Whether a row is what the export's header promises: its cells, whole counts, a working day of the file's month. */
  function wellFormed(file: string, header: string[], cells: string[]): boolean {
    const [d, m, y] = cells[0]!.split('/');
    const date = `${y}-${m}-${d}`;
    const inMonth = date.startsWith(path.basename(file).slice('calls_'.length, -'.csv'.length)) && dateOf(dayOf(date)) === date && isWorkingDay(dayOf(date));
    return cells.length === header.length && inMonth && cells.slice(2).every((c) => /^\d+$/.test(c));
  }

  it('writes a file a month, the same every time', async () => {
    expect(written.files.map((f) => path.basename(f))).toEqual(exportsOf(T));
    const again = await generateDemoExports(path.join(dir, 'exports-b'), T);
    expect(again.planted).toEqual(written.planted);
    for (const [i, file] of written.files.entries()) expect(await text(again.files[i]!), file).toBe(await text(file));
  });

  it('has a row per queue for each working day, the counts adding up, the queues those its check accepts but the one planted', async () => {
    const check = pipeline.checks.find((c) => c.id === 'contact-centre-queue-known');
    const queues = check?.type === 'accepted_values' ? check.values : [];
    expect(queues).toHaveLength(4);
    for (const [i, file] of written.files.entries()) {
      const { header, rows } = await recordsOf(file);
      expect(header).toEqual(['Date', 'Queue', 'Calls Offered', 'Calls Answered', 'Answered Within 60s', 'Calls Abandoned', 'Average Speed of Answer (s)']);
      const month = T.months[i]!;
      const workingDays: string[] = [];
      for (let day = month.start; day < month.end; day++) if (isWorkingDay(day)) workingDays.push(dateOf(day));
      const planted = (d: string) => (i === T.months.length - 1 && Number(d.slice(8)) >= 8 ? [UNAGREED_QUEUE.name] : []);
      expect(rows.map((r) => `${r.cells[0]} ${r.cells[1]}`), file).toEqual(workingDays.flatMap((d) => [...queues, ...planted(d)].map((q) => `${d.slice(8)}/${d.slice(5, 7)}/${d.slice(0, 4)} ${q}`)));
      for (const { line, cells } of rows) {
        if (!wellFormed(file, header, cells)) continue;
        const [offered, answered, within, abandoned, speed] = cells.slice(2).map(Number) as [number, number, number, number, number];
        const where = `${path.basename(file)} line ${line}`;
        expect(answered + abandoned, where).toBe(offered);
        expect(within, where).toBeLessThanOrEqual(answered);
        expect(offered, where).toBeGreaterThan(40);
        expect(offered, where).toBeLessThan(900);
        expect(speed, where).toBeGreaterThanOrEqual(3);
        expect(speed, where).toBeLessThan(180);
      }
    }
  });

  it('has the planted malformed rows exactly where planted, and nowhere else', async () => {
    expect(written.planted.map((p) => [p.kind, p.period, p.file])).toEqual([
      ['broken', '2023-10', 'calls_2023-10.csv'],
      ['malformed', '2024-09', 'calls_2024-09.csv'],
    ]);
    for (const file of written.files) {
      const { header, rows } = await recordsOf(file);
      const faulty = rows.filter((r) => !wellFormed(file, header, r.cells)).map((r) => r.line);
      expect(faulty, file).toEqual(written.planted.find((p) => p.file === path.basename(file))?.lines ?? []);
    }
    // The shipped pipeline's reader finds the same rows malformed, and no others.
    const read = await readCsv({ directory: path.join(dir, 'exports-a'), spec: pipeline.csv!, aggregates: [{ fn: 'count', where: [] }], calendar: config.calendar, logger: silentLogger });
    const planted = written.planted.flatMap((p) => p.lines.map((line) => `${p.file}:${line}`));
    expect(read.malformed.map((m) => `${path.basename(m.file)}:${m.line}`).sort()).toEqual(planted.sort());
    expect(read.unread).toEqual([]);
  });

  it("plants a broken export the month's run must fail on, and a day of lost counters it only warns of", async () => {
    const limit = pipeline.csv!.max_malformed;
    expect(typeof limit).toBe('number');
    const [broken, malformed] = written.planted as [DemoExports['planted'][number], DemoExports['planted'][number]];
    // Every row from the patch to the month's end has one cell more than the header.
    const october = await recordsOf(path.join(dir, 'exports-a', broken.file));
    expect(broken.lines.length).toBeGreaterThan(limit as number);
    // Dates within one month compare as text by their day, which comes first.
    expect(broken.lines).toEqual(october.rows.filter((r) => r.cells[0]! >= '23/10/2023').map((r) => r.line));
    expect(october.rows.filter((r) => broken.lines.includes(r.line)).every((r) => r.cells.length === october.header.length + 1)).toBe(true);
    // One day's rows, a row per queue, read n/a for the service-level counters.
    const september = await recordsOf(path.join(dir, 'exports-a', malformed.file));
    const lost = september.rows.filter((r) => malformed.lines.includes(r.line));
    expect(malformed.lines.length).toBeLessThanOrEqual(limit as number);
    expect(new Set(lost.map((r) => r.cells[0]))).toEqual(new Set(['17/09/2024']));
    expect(new Set(lost.map((r) => r.cells[1])).size).toBe(4);
    expect(lost.every((r) => r.cells[4] === 'n/a' && /^\d+$/.test(r.cells[2]!))).toBe(true);
  });

  it('counts no call answered within 60 seconds in the month the threshold was lost, the latest, and some in every other month', async () => {
    expect(noThresholdMonth(T)).toBe(T.months[T.months.length - 1]!.id);
    const lost = `calls_${noThresholdMonth(T)}.csv`;
    for (const file of written.files) {
      const { header, rows } = await recordsOf(file);
      const within = rows.filter((r) => wellFormed(file, header, r.cells)).map((r) => Number(r.cells[4]));
      if (path.basename(file) === lost) expect(within.every((n) => n === 0) && within.length > 0, file).toBe(true);
      else expect(within.some((n) => n > 0), file).toBe(true);
    }
  });

  it('takes calls to a queue nobody agreed only in the latest month, from its second week', async () => {
    const latest = T.months[T.months.length - 1]!;
    for (const file of written.files) {
      const { header, rows } = await recordsOf(file);
      const unagreed = rows.filter((r) => wellFormed(file, header, r.cells) && r.cells[1] === UNAGREED_QUEUE.name);
      if (path.basename(file) !== `calls_${latest.id}.csv`) expect(unagreed, file).toEqual([]);
      else {
        expect(unagreed.length).toBeGreaterThan(0);
        // UK dates, day first: none in the month's first week.
        expect(unagreed.every((r) => Number(r.cells[0]!.slice(0, 2)) >= 8)).toBe(true);
      }
    }
  });

  it.each(['2025-06-10', '2026-05-01', '2026-12-02', '2027-04-15'])('as of %s keeps both planted months in place, in whole years, neither the latest', async (asOf) => {
    const t = demoTimeline(asOf);
    const moved = await generateDemoExports(path.join(dir, `exports-${asOf}`), t);
    expect(moved.planted.map((p) => p.period)).toEqual([`${2023 + t.shift}-10`, `${2024 + t.shift}-09`]);
    const limit = pipeline.csv!.max_malformed as number;
    for (const p of moved.planted) {
      expect(t.months.slice(0, -1).map((m) => m.id)).toContain(p.period);
      if (p.kind === 'broken') expect(p.lines.length, asOf).toBeGreaterThan(limit);
      else expect(p.lines).toHaveLength(4);
    }
  });

  it("replaces an earlier timeline's exports, leaving other files alone", async () => {
    const shared = path.join(dir, 'exports-shared');
    await generateDemoExports(shared, T);
    await writeFile(path.join(shared, 'notes.txt'), 'not an export');
    const live = demoTimeline('2026-12-02');
    await generateDemoExports(shared, live);
    expect((await readdir(shared)).sort()).toEqual([...exportsOf(live), 'notes.txt'].sort());
  });
});
