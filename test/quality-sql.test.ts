import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodBindings, type PeriodBindings } from '../src/calendar/bindings.js';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { checkSchema, type CheckConfig, type SqlSourceConfig } from '../src/config/schema.js';
import { silentLogger } from '../src/logger.js';
import { applyThresholds as judge } from '../src/quality/outcome.js';
import type { CheckOutcome } from '../src/quality/result.js';
import { planCheck, runSqlCheck, type SqlCheckContext } from '../src/quality/sql/index.js';
import { SqlSource } from '../src/sources/sql.js';
import { freshMysql, freshPostgres, knexFor } from './helpers/databases.js';
import { workspace } from './helpers/workspace.js';

// ---- the fixture: housing repair jobs, clean except for rows planted in June 2024 ----------------

interface Repair {
  job_ref: string | null;
  priority: string | null;
  cost: number | null;
  reported: string;
  completed: string | null;
  cost_centre: string | null;
}
type Column = keyof Repair;

const PRIORITIES = ['P1', 'P2', 'P3'];
const COST_CENTRES = ['HSG01', 'HSG02', 'HSG03'];
const JOB_REF = '^R[0-9]{4}-[0-9]{2}$';
const COST = { min: 0, max: 5000 };

function plusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** `count` clean jobs reported from the 1st to the 28th of `month` (YYYY-MM), refs R2406-01 ... */
function cleanMonth(month: string, count: number): Repair[] {
  return Array.from({ length: count }, (_, i) => {
    const reported = `${month}-${String(1 + Math.round((i * 27) / (count - 1))).padStart(2, '0')}`;
    return {
      job_ref: `R${month.slice(2, 4)}${month.slice(5, 7)}-${String(i + 1).padStart(2, '0')}`,
      priority: PRIORITIES[i % PRIORITIES.length]!,
      cost: 80 + 15 * i,
      reported,
      completed: plusDays(reported, 2),
      cost_centre: COST_CENTRES[i % COST_CENTRES.length]!,
    };
  });
}

const CLEAN = [...cleanMonth('2023-05', 20), ...cleanMonth('2023-06', 20), ...cleanMonth('2024-05', 21), ...cleanMonth('2024-06', 20)];
const planted: Repair = { job_ref: null, priority: 'P2', cost: 120, reported: '2024-06-10', completed: '2024-06-12', cost_centre: 'HSG01' };
/** Each planted row's comment says which checks it should fail. */
const PLANTED: Repair[] = [
  { ...planted, job_ref: 'R2406-21', cost: null, cost_centre: '' }, // not_null, completeness, referential
  { ...planted, cost: null, cost_centre: null }, // not_null, completeness; a second NULL job_ref, still no duplicate
  { ...planted, job_ref: 'R2406-01', completed: '2024-06-09' }, // unique; sql (completed before reported)
  { ...planted, job_ref: 'R2406-01' }, // unique (a third R2406-01)
  { ...planted, job_ref: 'R2406-02' }, // unique
  { ...planted, job_ref: 'R2406-23', priority: 'P9', cost_centre: 'ZZZ99' }, // accepted_values, referential
  { ...planted, job_ref: 'R2406-24', priority: 'urgent', cost_centre: 'QQQ' }, // accepted_values, referential
  { ...planted, priority: null, cost: -10 }, // range; its NULL job_ref is never a duplicate
  { ...planted, job_ref: 'r2406-26', cost: 99_999 }, // range; pattern, by case alone (MariaDB matches case-blind)
  { ...planted, job_ref: 'R2406-25', cost_centre: 'ZZZ99' }, // referential
];
const REPAIRS = [...CLEAN, ...PLANTED];
/** The finance ledger was posted from the clean jobs only, so June's service total disagrees with it. */
const LEDGER = CLEAN.map((r) => ({ cost_centre: r.cost_centre, posted: r.reported, amount: r.cost }));

const calendar = new FinancialCalendar(4);
function bindingsOf(id: string): PeriodBindings {
  const period = calendar.parse(id);
  return periodBindings(calendar, period, period);
}
interface Month {
  name: string;
  bindings: PeriodBindings;
  lastYear: PeriodBindings;
}
const CLEAN_MONTH: Month = { name: 'May 2024', bindings: bindingsOf('2024-05'), lastYear: bindingsOf('2023-05') };
const BAD_MONTH: Month = { name: 'June 2024', bindings: bindingsOf('2024-06'), lastYear: bindingsOf('2023-06') };

// ---- what each check should find, worked out here from the arrays -------------------------------

const within = <T>(rows: T[], dateOf: (row: T) => string, b: PeriodBindings) => rows.filter((r) => dateOf(r) >= b.period_start && dateOf(r) < b.period_end);
const inMonth = (m: Month) => within(REPAIRS, (r) => r.reported, m.bindings);
const pick = (r: Repair, columns: Column[]) => Object.fromEntries(columns.map((c) => [c, r[c]]));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function failingRows(rows: Repair[], fails: (r: Repair) => boolean, columns: Column[]): CheckOutcome {
  const bad = rows.filter(fails);
  return { failing: bad.length, checked: rows.length, sample: bad.map((r) => pick(r, columns)) };
}

/** Rows grouped by `columns` (rows with a NULL among them left out), with how many share each key. */
function groups(rows: Repair[], columns: Column[], countName: string): { key: Record<string, unknown>; n: number }[] {
  const found = new Map<string, { key: Record<string, unknown>; n: number }>();
  for (const r of rows.filter((row) => columns.every((c) => row[c] !== null))) {
    const id = JSON.stringify(columns.map((c) => r[c]));
    const g = found.get(id) ?? { key: pick(r, columns), n: 0 };
    g.n++;
    found.set(id, g);
  }
  return [...found.values()].map((g) => ({ key: { ...g.key, [countName]: g.n }, n: g.n }));
}

function duplicates(rows: Repair[], columns: Column[]): CheckOutcome {
  const copied = groups(rows, columns, 'copies').filter((g) => g.n > 1);
  return { failing: sum(copied.map((g) => g.n - 1)), checked: rows.length, sample: copied.map((g) => g.key) };
}

function unknownCostCentres(rows: Repair[]): CheckOutcome {
  const missing = groups(rows, ['cost_centre'], 'rows').filter((g) => !COST_CENTRES.includes(g.key.cost_centre as string));
  return { failing: sum(missing.map((g) => g.n)), checked: rows.length, sample: missing.map((g) => g.key) };
}

function rowCountAgainstLastYear(m: Month, percent: number): CheckOutcome {
  const now = inMonth(m).length;
  const before = within(REPAIRS, (r) => r.reported, m.lastYear).length;
  return { failing: (Math.abs(now - before) / before) * 100 > percent ? 1 : 0, checked: null, sample: [] };
}

const SPEND = 'SELECT SUM(cost) AS spend FROM repairs WHERE reported >= :period_start AND reported < :period_end';
const LEDGER_SPEND = "SELECT SUM(amount) AS spend FROM ledger WHERE posted >= :period_start AND posted < :period_end AND cost_centre LIKE 'HSG%'";
const COMPLETED_BEFORE_REPORTED = 'SELECT job_ref, cost FROM repairs WHERE reported >= :period_start AND reported < :period_end AND completed < reported;';

function check(fields: Record<string, unknown>): CheckConfig {
  return checkSchema.parse({ id: 'repairs.check', table: 'repairs', date_column: 'reported', ...fields });
}

interface Case {
  name: string;
  check: CheckConfig;
  expected(m: Month): CheckOutcome;
}

const CASES: Case[] = [
  {
    name: 'not_null, sampling the column it names',
    check: check({ type: 'not_null', column: 'cost' }),
    expected: (m) => failingRows(inMonth(m), (r) => r.cost === null, ['cost']),
  },
  {
    name: 'not_null narrowed by a where with OR, which must not escape the period',
    check: check({ type: 'not_null', column: 'cost', key_columns: ['job_ref'], where: "priority = 'P2' OR cost_centre = ''" }),
    expected: (m) => failingRows(inMonth(m).filter((r) => r.priority === 'P2' || r.cost_centre === ''), (r) => r.cost === null, ['job_ref']),
  },
  {
    name: 'unique on one column',
    check: check({ type: 'unique', columns: ['job_ref'] }),
    expected: (m) => duplicates(inMonth(m), ['job_ref']),
  },
  {
    name: 'unique on two columns',
    check: check({ type: 'unique', columns: ['job_ref', 'priority'] }),
    expected: (m) => duplicates(inMonth(m), ['job_ref', 'priority']),
  },
  {
    name: 'accepted_values',
    check: check({ type: 'accepted_values', column: 'priority', values: PRIORITIES, key_columns: ['job_ref', 'priority'] }),
    expected: (m) => failingRows(inMonth(m), (r) => r.priority !== null && !PRIORITIES.includes(r.priority), ['job_ref', 'priority']),
  },
  {
    name: 'range',
    check: check({ type: 'range', column: 'cost', ...COST, key_columns: ['job_ref', 'cost'] }),
    expected: (m) => failingRows(inMonth(m), (r) => r.cost !== null && (r.cost < COST.min || r.cost > COST.max), ['job_ref', 'cost']),
  },
  {
    name: 'pattern',
    check: check({ type: 'pattern', column: 'job_ref', regex: JOB_REF }),
    expected: (m) => failingRows(inMonth(m), (r) => r.job_ref !== null && !new RegExp(JOB_REF).test(r.job_ref), ['job_ref']),
  },
  {
    name: 'completeness',
    check: check({ type: 'completeness', column: 'cost_centre', min_percent: 95, key_columns: ['job_ref', 'cost_centre'] }),
    expected: (m) => failingRows(inMonth(m), (r) => r.cost_centre === null || r.cost_centre === '', ['job_ref', 'cost_centre']),
  },
  {
    name: 'referential within the source',
    check: check({ type: 'referential', column: 'cost_centre', references: { table: 'cost_centres', column: 'code' } }),
    expected: (m) => unknownCostCentres(inMonth(m)),
  },
  {
    name: 'referential against another source',
    check: check({ type: 'referential', column: 'cost_centre', references: { source: 'finance', table: 'cost_centres', column: 'code' } }),
    expected: (m) => unknownCostCentres(inMonth(m)),
  },
  {
    name: 'row_count within a percentage of last year',
    check: check({ type: 'row_count', within_percent_of_last_year: 10 }),
    expected: (m) => rowCountAgainstLastYear(m, 10),
  },
  {
    name: 'row_count scoped by a where using the period bindings',
    check: check({ type: 'row_count', date_column: undefined, where: 'reported >= :period_start AND reported < :period_end', within_percent_of_last_year: 10 }),
    expected: (m) => rowCountAgainstLastYear(m, 10),
  },
  {
    name: 'reconciliation of the service database with the finance ledger',
    check: check({
      type: 'reconciliation',
      table: undefined,
      left: { query: SPEND, label: 'repairs' },
      right: { source: 'finance', query: LEDGER_SPEND, label: 'ledger' },
      tolerance: { absolute: 1 },
    }),
    expected: (m) => {
      const left = sum(inMonth(m).map((r) => r.cost ?? 0));
      const right = sum(within(LEDGER, (l) => l.posted, m.bindings).map((l) => l.amount ?? 0));
      return { failing: Math.abs(left - right) > 1 ? 1 : 0, checked: null, sample: [{ left, right, difference: left - right }] };
    },
  },
  {
    name: 'sql returning the failing rows',
    check: check({ type: 'sql', table: undefined, query: COMPLETED_BEFORE_REPORTED }),
    expected: (m) => ({ ...failingRows(inMonth(m), (r) => r.completed !== null && r.completed < r.reported, ['job_ref', 'cost']), checked: null }),
  },
];

// ---- the databases ------------------------------------------------------------------------------

type Client = 'sqlite' | 'pg' | 'mysql';
const TIME_ZONE = 'Europe/London';

async function loadService(db: Knex): Promise<void> {
  await db.schema.createTable('repairs', (t) => {
    t.string('job_ref', 20);
    t.string('priority', 10);
    t.double('cost');
    t.date('reported').notNullable();
    t.date('completed');
    t.string('cost_centre', 10);
  });
  await db.schema.createTable('cost_centres', (t) => t.string('code', 10).primary());
  await db.batchInsert('repairs', REPAIRS, 100);
  await db('cost_centres').insert(COST_CENTRES.map((code) => ({ code })));
}

async function loadFinance(db: Knex): Promise<void> {
  await db.schema.createTable('ledger', (t) => {
    t.string('cost_centre', 10);
    t.date('posted');
    t.double('amount');
  });
  await db.schema.createTable('cost_centres', (t) => t.string('code', 10).primary());
  await db.batchInsert('ledger', LEDGER, 100);
  await db('cost_centres').insert(COST_CENTRES.map((code) => ({ code })));
}

async function created(name: string, client: Client, connection: string, load: (db: Knex) => Promise<void>): Promise<SqlSource> {
  const db = knexFor(client, connection);
  try {
    await load(db);
  } finally {
    await db.destroy();
  }
  const config: SqlSourceConfig = { client, connection, connect_timeout: 5_000, query_timeout: 20_000, pool: { min: 0, max: 2 } };
  return new SqlSource(name, config, TIME_ZONE, silentLogger);
}

/** Samples in a stable order: the databases return rows in whatever order suits them. */
const sorted = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();

describe.each(['sqlite', 'pg', 'mysql'] as const)('data-quality checks inside %s', (client) => {
  let source: SqlSource;
  let finance: SqlSource;

  function context(m: Month, freshness: Partial<Pick<SqlCheckContext, 'now' | 'holidays'>> = {}): SqlCheckContext {
    return {
      source,
      sourceFor: (name) => {
        if (name !== 'finance') throw new Error(`no source ${name}`);
        return finance;
      },
      bindings: m.bindings,
      lastYear: m.lastYear,
      now: new Date('2024-07-01T09:00:00Z'),
      timeZone: TIME_ZONE,
      holidays: [],
      ...freshness,
    };
  }

  beforeAll(async () => {
    const ws = workspace({});
    const connection =
      client === 'sqlite' ? ws.file('repairs.sqlite') : client === 'pg' ? await freshPostgres('lineofsight_test_quality') : await freshMysql('lineofsight_test_quality');
    source = await created('repairs_db', client, connection, loadService);
    // The ledger is always a database of its own: checks across sources cannot join the two.
    finance = await created('finance', 'sqlite', ws.file('finance.sqlite'), loadFinance);
  });
  afterAll(async () => {
    await source?.close();
    await finance?.close();
  });

  it.each(CASES)('$name: passes on a clean month, fails on the planted rows', async ({ check: c, expected }) => {
    for (const [m, status] of [[CLEAN_MONTH, 'passed'], [BAD_MONTH, 'failed']] as const) {
      const want = expected(m);
      expect(want.failing > 0, `${m.name} should ${status === 'passed' ? 'pass' : 'fail'} by the fixture`).toBe(status === 'failed');
      const got = await runSqlCheck(c, context(m));
      expect({ failing: got.failing, checked: got.checked }, m.name).toEqual({ failing: want.failing, checked: want.checked });
      expect(sorted(got.sample), m.name).toEqual(sorted(want.sample));
      expect(judge(c, got).status, m.name).toBe(status);
    }
  });

  it('keeps at most `sample` failing rows, still counting them all', async () => {
    const c = check({ type: 'range', column: 'cost', ...COST, sample: 1 });
    const got = await runSqlCheck(c, context(BAD_MONTH));
    expect(got.failing).toBe(failingRows(inMonth(BAD_MONTH), (r) => r.cost !== null && (r.cost < COST.min || r.cost > COST.max), []).failing);
    expect(got.failing).toBeGreaterThan(1);
    expect(got.sample).toHaveLength(1);
  });

  it('applies thresholds at their boundaries', async () => {
    const limit = 2;
    const accepted = check({ type: 'accepted_values', column: 'priority', values: PRIORITIES, fail_when: `> ${limit}` });
    const unique = check({ type: 'unique', columns: ['job_ref'], fail_when: `> ${limit}` });
    const atLimit = await runSqlCheck(accepted, context(BAD_MONTH));
    const overLimit = await runSqlCheck(unique, context(BAD_MONTH));
    // The fixture plants two unaccepted priorities and three extra copies of job refs.
    expect([atLimit.failing, overLimit.failing]).toEqual([limit, limit + 1]);
    expect(judge(accepted, atLimit).status).toBe('passed');
    expect(judge(unique, overLimit).status).toBe('failed');

    // Three extra copies among June's thirty rows are exactly 10%, which "> 10%" does not reach;
    // the four rows with an unknown cost centre are over it.
    const tenPercent = { fail_when: '> 50%', warn_when: '> 10%' };
    expect((overLimit.failing / overLimit.checked!) * 100).toBe(10);
    expect(judge(check({ type: 'unique', columns: ['job_ref'], ...tenPercent }), overLimit).status).toBe('passed');
    const referential = check({ type: 'referential', column: 'cost_centre', references: { table: 'cost_centres', column: 'code' }, ...tenPercent });
    const unknown = await runSqlCheck(referential, context(BAD_MONTH));
    expect((unknown.failing / unknown.checked!) * 100).toBeGreaterThan(10);
    expect(judge(referential, unknown)).toMatchObject({ status: 'warned', severity: 'warn' });
  });

  describe('freshness with "1 working day"', () => {
    const newest = REPAIRS.map((r) => r.reported).sort().at(-1)!;
    const friday = new Date(`${newest}T12:00:00Z`).getUTCDay() === 5;
    const monday = plusDays(newest, 3);
    const tuesday = plusDays(newest, 4);
    const fresh = check({ type: 'freshness', column: 'reported', max_age: '1 working day' });
    const at = (day: string) => new Date(`${day}T09:00:00Z`);

    it('counts a Friday record one working day old on Monday, whatever the period checked', async () => {
      expect(friday).toBe(true);
      const got = await runSqlCheck(fresh, context(CLEAN_MONTH, { now: at(monday) }));
      expect(got.failing).toBe(0);
      expect(got.detail).toContain(`newest reported ${newest} is 1 working day old`);
    });

    it('fails on Tuesday, unless Monday was a bank holiday', async () => {
      expect((await runSqlCheck(fresh, context(CLEAN_MONTH, { now: at(tuesday) }))).failing).toBe(1);
      expect((await runSqlCheck(fresh, context(CLEAN_MONTH, { now: at(tuesday), holidays: [monday] }))).failing).toBe(0);
    });

    it('looks only at the rows its where keeps', async () => {
      const urgent = REPAIRS.filter((r) => r.priority === 'urgent').map((r) => r.reported).sort().at(-1)!;
      const got = await runSqlCheck({ ...fresh, where: "priority = 'urgent'" }, context(CLEAN_MONTH, { now: at(monday) }));
      expect(urgent < newest).toBe(true);
      expect(got.failing).toBe(1);
      expect(got.detail).toContain(`newest reported ${urgent}`);
    });
  });

  it('rejects a check it cannot run, for the caller to report as an error', async () => {
    const m = context(CLEAN_MONTH);
    await expect(runSqlCheck(check({ type: 'not_null', column: 'no_such_column' }), m)).rejects.toThrow(/no_such_column/);
    await expect(runSqlCheck(check({ type: 'not_null', column: 'cost', table: 'no_such_table' }), m)).rejects.toThrow(/no_such_table/);
    await expect(runSqlCheck(check({ type: 'not_null', column: 'cost', where: [{ field: 'cost', op: 'empty' }] }), m)).rejects.toThrow(/SQL condition/);
    await expect(runSqlCheck(check({ type: 'no_negative' }), m)).rejects.toThrow(/indicator values/);
    const aggregate = check({ type: 'reconciliation', left: { aggregate: { fn: 'sum', field: 'cost' } }, right: { query: SPEND }, tolerance: { absolute: 0 } });
    await expect(runSqlCheck(aggregate, m)).rejects.toThrow(/CSV pipelines/);
  });
});

describe('data-quality checks compiled for SQL Server', () => {
  const mssql = { knex: knexFactory({ client: 'mssql' }), config: { client: 'mssql' as const } };
  const { period_start, period_end } = CLEAN_MONTH.bindings;
  const compile = (c: CheckConfig) => {
    const plan = planCheck(c, mssql, CLEAN_MONTH.bindings);
    return { count: plan.count.toSQL().toNative(), sample: plan.sample(20).toSQL().toNative() };
  };

  it('counts not_null in one query with parameters, and samples with TOP', () => {
    const { count, sample } = compile(check({ type: 'not_null', table: 'dbo.repairs', column: 'cost', key_columns: ['job_ref'] }));
    expect(count).toEqual({
      sql: 'select COUNT(*) AS [checked], SUM([fails]) AS [failing] from (select CASE WHEN ([cost] IS NULL) THEN 1 ELSE 0 END AS [fails] from [dbo].[repairs] where [reported] >= @p0 and [reported] < @p1) as [flagged]',
      bindings: [period_start, period_end],
    });
    expect(sample).toEqual({
      sql: 'select top (@p0) [job_ref] from [dbo].[repairs] where [reported] >= @p1 and [reported] < @p2 and ([cost] IS NULL)',
      bindings: [20, period_start, period_end],
    });
  });

  it('counts unique keys by grouping, and samples the duplicated keys with TOP', () => {
    const { count, sample } = compile(check({ type: 'unique', table: 'dbo.repairs', columns: ['job_ref', 'priority'] }));
    expect(count).toEqual({
      sql:
        'select SUM([copies]) AS [checked], SUM(CASE WHEN [copies] > 1 AND [job_ref] IS NOT NULL AND [priority] IS NOT NULL THEN [copies] - 1 ELSE 0 END) AS [failing] ' +
        'from (select [job_ref], [priority], count(*) as [copies] from [dbo].[repairs] where [reported] >= @p0 and [reported] < @p1 group by [job_ref], [priority]) as [keyed]',
      bindings: [period_start, period_end],
    });
    expect(sample).toEqual({
      sql:
        'select top (@p0) [job_ref], [priority], count(*) as [copies] from [dbo].[repairs] where [reported] >= @p1 and [reported] < @p2 ' +
        'and [job_ref] is not null and [priority] is not null group by [job_ref], [priority] having COUNT(*) > 1 order by [copies] desc, [job_ref] asc, [priority] asc',
      bindings: [20, period_start, period_end],
    });
  });

  it('keeps referential NOT EXISTS out of the aggregate, which SQL Server refuses', () => {
    const { count } = compile(check({ type: 'referential', table: 'dbo.repairs', column: 'cost_centre', references: { table: 'dbo.cost_centres', column: 'code' } }));
    expect(count.sql).toContain('SUM([fails]) AS [failing] from (select CASE WHEN ([dbo].[repairs].[cost_centre] IS NOT NULL AND NOT EXISTS (select 1 from [dbo].[cost_centres]');
  });

  it('refuses a pattern check, having no regular expressions', () => {
    expect(() => compile(check({ type: 'pattern', column: 'job_ref', regex: JOB_REF }))).toThrow(/SQL Server has no regular expressions/);
  });
});

describe.each(['sqlite', 'pg', 'mysql'] as const)('text compared exactly on %s', (client) => {
  it('a value differing only by case or a trailing space is not accepted and not found', async () => {
    const connection = client === 'sqlite' ? workspace({}).file('codes.sqlite') : client === 'pg' ? await freshPostgres('lineofsight_test_codes') : await freshMysql('lineofsight_test_codes');
    const db = knexFor(client, connection);
    await db.schema.createTable('jobs', (t) => {
      t.string('priority', 10);
      t.string('cost_centre', 10);
      t.date('reported');
    });
    await db.schema.createTable('centres', (t) => t.string('code', 10));
    await db('centres').insert([{ code: 'HSG01' }]);
    await db('jobs').insert([
      { priority: 'P1', cost_centre: 'HSG01', reported: '2024-06-03' },
      { priority: 'p1', cost_centre: 'HSG01 ', reported: '2024-06-04' },
    ]);
    await db.destroy();
    const source = new SqlSource('codes', { client, connection, connect_timeout: 5000, query_timeout: 30_000, pool: { min: 0, max: 1 } }, 'Europe/London', silentLogger);
    try {
      const ctx = { source, sourceFor: () => source, bindings: bindingsOf('2024-06'), lastYear: bindingsOf('2023-06'), now: new Date(), timeZone: 'Europe/London', holidays: [] };
      const accepted = await runSqlCheck(check({ type: 'accepted_values', table: 'jobs', column: 'priority', values: ['P1'] }), ctx);
      const known = await runSqlCheck(check({ type: 'referential', table: 'jobs', column: 'cost_centre', references: { table: 'centres', column: 'code' } }), ctx);
      expect([accepted.failing, known.failing]).toEqual([1, 1]);
    } finally {
      await source.close();
    }
  });
});
