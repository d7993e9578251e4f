import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import knexFactory from 'knex';
import { Request, type Connection } from 'tedious';
import { describe, expect, it } from 'vitest';
import { periodBindings } from '../src/calendar/bindings.js';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { loadConfig } from '../src/config/load.js';
import { DEMO_FINANCE_DATABASE, demoTimeline, financeTables, generateDemoDatabases, tsqlScript, type DemoDatabases } from '../src/demo/generate.js';
import { silentLogger } from '../src/logger.js';
import { runnerOf } from '../src/quality/checkRegistry.js';
import { planCheck } from '../src/quality/sql/index.js';
import { runPipeline } from '../src/runs/execute.js';
import { knexConfigFor, SqlSource } from '../src/sources/sql.js';
import { openRun } from './helpers/run.js';
import { workspace } from './helpers/workspace.js';

// No SQL Server can run here: these tests check what knex sends to one, and the live test below
// runs against a real server when LINEOFSIGHT_TEST_MSSQL_URL names one.
const calendar = new FinancialCalendar(4);
const may = calendar.parse('2024-05');
const QUERY = `SELECT COUNT(*) AS paid, SUM(CASE WHEN paid_on <= due_on THEN 1 ELSE 0 END) AS on_time
FROM dbo.invoices WHERE paid_on >= :period_start AND paid_on < :period_end AND cost_centre <> 'X:Y'`;

describe('SQL Server (tedious)', () => {
  it('receives the period as parameters, never spliced into the SQL', () => {
    const mssql = knexFactory({ client: 'mssql' });
    const native = mssql.raw(QUERY, periodBindings(calendar, may, may)).toSQL().toNative();
    expect(native.sql).toContain('paid_on >= @p0 AND paid_on < @p1');
    expect(native.sql).not.toContain('2024-05-01');
    expect(native.sql).toContain("'X:Y'");
    expect(native.bindings).toEqual(['2024-05-01', '2024-06-01']);
  });

  it('takes a connection URL with timeouts and driver options', () => {
    const cfg = knexConfigFor({
      client: 'mssql',
      connection: 'mssql://reporter:p%40ss@sql01.council.local:1433/Finance?encrypt=true&trustServerCertificate=true',
      connect_timeout: 15_000,
      query_timeout: 120_000,
      pool: { min: 0, max: 2 },
    }, 'Europe/London');
    expect(cfg).toMatchObject({
      client: 'mssql',
      acquireConnectionTimeout: 15_000,
      connection: {
        server: 'sql01.council.local',
        port: 1433,
        user: 'reporter',
        password: 'p@ss',
        database: 'Finance',
        connectionTimeout: 15_000,
        requestTimeout: 120_000,
        options: { encrypt: true, trustServerCertificate: true },
      },
    });
  });

  const live = process.env.LINEOFSIGHT_TEST_MSSQL_URL;
  it.skipIf(!live)('runs an aggregate query on a live server (LINEOFSIGHT_TEST_MSSQL_URL)', async () => {
    const source = new SqlSource('live', { client: 'mssql', connection: live!, connect_timeout: 15_000, query_timeout: 30_000, pool: { min: 0, max: 1 } }, 'Europe/London', silentLogger);
    try {
      const row = await source.aggregate(
        `SELECT DATEDIFF(day, CAST(:period_start AS date), CAST(:period_end AS date)) AS days, CAST(:fy_id AS varchar(10)) AS fy`,
        periodBindings(calendar, may, may),
      );
      expect(row).toEqual({ days: 31, fy: '2024-25' });
    } finally {
      await source.close();
    }
  });
});

/** The demo as the tests pin it: the three years as written, 2023-24 to 2025-26. */
const DEMO = demoTimeline('2026-04-01');
/** The pipelines that query the demo's finance database, on their own source or in a check. */
const FINANCE_PIPELINES = ['finance-budget.yaml', 'finance-payments.yaml', 'housing-repairs.yaml'];

/** The tables a T-SQL script creates, each with its columns. */
function createdBy(script: string): Map<string, Set<string>> {
  const tables = new Map<string, Set<string>>();
  for (const m of script.matchAll(/^CREATE TABLE \[dbo\]\.\[(\w+)\] \(\n([\s\S]*?)\n\);$/gm)) {
    tables.set(m[1]!, new Set([...m[2]!.matchAll(/^ {2}\[(\w+)\] /gm)].map((c) => c[1]!)));
  }
  return tables;
}

const KEYWORDS = new Set(
  'select from where and or not as in is null case when then else end union all distinct exists group by order having top asc desc count sum avg min max coalesce cast nvarchar'.split(' '),
);

/**
 * The names in a query that are no table or column `tables` has: a table after FROM or JOIN must
 * be one of them, any other name a column of a table the query reads, or an alias it gives.
 */
function unknownNames(sql: string, tables: Map<string, Set<string>>): string[] {
  const text = sql.replace(/'(?:[^']|'')*'/g, "''").replace(/@p\d+/g, '?');
  const part = String.raw`(?:\[[^\]]+\]|[A-Za-z_]\w*)`;
  const names = [...text.matchAll(new RegExp(`${part}(?:\\.${part})*`, 'g'))].map((m) => ({
    name: m[0].split('.').at(-1)!.replace(/^\[|\]$/g, ''),
    before: text.slice(0, m.index),
  }));
  const isKeyword = (name: string) => KEYWORDS.has(name.toLowerCase());
  const aliases = new Set(names.filter((n) => !isKeyword(n.name) && /(\bas|\))\s*$/i.test(n.before)).map((n) => n.name));
  const read = names.filter((n) => /\b(from|join)\s*$/i.test(n.before)).map((n) => n.name);
  const unknown = read.filter((t) => !tables.has(t));
  const columns = new Set(read.flatMap((t) => [...(tables.get(t) ?? [])]));
  for (const n of names) {
    if (isKeyword(n.name) || aliases.has(n.name) || read.includes(n.name)) continue;
    if (!columns.has(n.name)) unknown.push(n.name);
  }
  return unknown;
}

describe('the demo finance database on SQL Server', () => {
  const live = process.env.LINEOFSIGHT_TEST_MSSQL_URL;

  it('answers every query the finance pipelines and their checks send it, as knex compiles them for SQL Server', async () => {
    const config = await loadConfig('config/lineofsight.yaml', {});
    const tables = createdBy(tsqlScript(DEMO_FINANCE_DATABASE, financeTables(DEMO)));
    expect([...tables.keys()].sort()).toEqual(['budget_profiles', 'budgets', 'cost_centres', 'invoices', 'ledger_postings']);
    // The check itself: a name the script lacks, or a column of a table the query does not read, is found.
    expect(unknownNames('SELECT SUM(amount) AS total, nope FROM ledger_postings WHERE paid_date IS NULL', tables)).toEqual(['nope', 'paid_date']);
    expect(unknownNames('SELECT COUNT(*) FROM [dbo].[ledgers]', tables)).toEqual(['ledgers']);

    const mssql = { knex: knexFactory({ client: 'mssql' }), config: { client: 'mssql' as const } };
    const bindings = periodBindings(config.calendar, config.calendar.parse('2024-11'), config.calendar.parse('2024-11'));
    const raw = (sql: string) => mssql.knex.raw(sql, bindings).toSQL().toNative().sql;
    const queries: [what: string, sql: string][] = [];
    for (const pipeline of config.pipelines) {
      const onFinance = (source: string | undefined) => (source ?? pipeline.source) === 'finance';
      if (onFinance(undefined)) {
        queries.push([`${pipeline.id} query`, raw(pipeline.query!)]);
        if (pipeline.arrival?.newest) queries.push([`${pipeline.id} arrival`, raw(pipeline.arrival.newest)]);
      }
      for (const check of pipeline.checks) {
        const what = `${pipeline.id} ${check.id}`;
        if (check.type === 'reconciliation') {
          for (const side of [check.left, check.right]) if (side.query !== undefined && onFinance(side.source)) queries.push([what, raw(side.query)]);
        } else if (check.type === 'referential' && !onFinance(undefined) && onFinance(check.references.source)) {
          queries.push([what, mssql.knex(check.references.table).distinct({ value: check.references.column }).toSQL().toNative().sql]);
        } else if (!onFinance(undefined) || runnerOf(check).values || (check.type === 'freshness' && check.column === undefined)) {
          // Not run on finance, computed on the values, or reading the arrival query above.
        } else if (runnerOf(check).plan) {
          const plan = planCheck(check, mssql, bindings);
          queries.push([`${what} count`, plan.count.toSQL().toNative().sql], [`${what} sample`, plan.sample(20).toSQL().toNative().sql]);
        } else {
          throw new Error(`${what}: a ${check.type} check on finance that this test does not compile yet`);
        }
      }
    }
    expect(queries.length).toBeGreaterThanOrEqual(12);
    for (const [what, sql] of queries) expect(unknownNames(sql, tables), `${what}: ${sql}`).toEqual([]);
  });

  // The live test: LINEOFSIGHT_TEST_MSSQL_URL names a server (its database is only where the script
  // starts: it creates lineofsight_demo_finance itself), e.g. the docker compose stack's.
  it.skipIf(!live)('loads the demo finance script and the read-only login twice, then, as that login, which can write nothing, runs the finance pipelines to the numbers SQLite gives (LINEOFSIGHT_TEST_MSSQL_URL)', async () => {
    const ws = workspace({});
    const files = await generateDemoDatabases(ws.file('demo'), DEMO);
    const script = await readFile(files.financeSql, 'utf8');
    // The second run finds the database and replaces its tables, as every start of the container does.
    await runScript(live!, script);
    await runScript(live!, script);
    // Then the read-only login, as the compose stack's seed makes it (sqlcmd's variable given as sqlcmd would), twice too.
    const password = 'Reader-test-2026-lineofsight';
    const reader = (await readFile('deploy/mssql/reader.sql', 'utf8')).replaceAll('$(READER_PASSWORD)', password);
    await runScript(live!, reader);
    await runScript(live!, reader);
    const url = new URL(live!);
    url.pathname = `/${DEMO_FINANCE_DATABASE}`;
    url.username = 'lineofsight_reader';
    url.password = encodeURIComponent(password);
    await expect(runScript(url.toString(), 'DELETE FROM dbo.cost_centres')).rejects.toThrow(/permission/i);
    const finance = { client: 'mssql' as const, connection: url.toString(), connect_timeout: 15_000, query_timeout: 60_000, pool: { min: 0, max: 2 } };

    const server = new SqlSource('finance', finance, 'Europe/London', silentLogger);
    try {
      for (const table of financeTables(DEMO)) {
        const row = await server.aggregate(`SELECT COUNT(*) AS n, COUNT(DISTINCT ${table.name === 'cost_centres' ? 'code' : 'id'}) AS distinct_keys FROM ${table.name}`, {});
        expect(row, table.name).toEqual({ n: table.rows.length, distinct_keys: table.rows.length });
      }
    } finally {
      await server.close();
    }

    const onSqlite = await financeRuns(files, 'sqlite', `{ client: sqlite, connection: ${JSON.stringify(files.finance)} }`);
    const onServer = await financeRuns(files, 'mssql', JSON.stringify({ ...finance, connect_timeout: '15s', query_timeout: '60s' }));
    expect(onSqlite.length).toBe(3 * 36);
    expect(onSqlite.filter((r) => r.outcome === 'succeeded').length).toBeGreaterThan(90);
    expect(onServer).toEqual(onSqlite);
  }, 300_000);
});

/**
 * Every run of the finance pipelines for each month of the demo's years, with their values and
 * their checks' counts: the finance source as given (YAML), the services source the demo's SQLite
 * file, a store of its own.
 */
async function financeRuns(files: DemoDatabases, store: string, finance: string) {
  const ws = workspace({});
  await mkdir(ws.file('pipelines'));
  for (const name of FINANCE_PIPELINES) await copyFile(`pipelines/${name}`, ws.file(`pipelines/${name}`));
  await writeFile(ws.config, [
    `pipelines_dir: ${JSON.stringify(ws.file('pipelines'))}`,
    `store: { client: sqlite, filename: ${JSON.stringify(ws.file(`${store}.sqlite`))} }`,
    'sources:',
    `  finance: ${finance}`,
    `  services: { client: sqlite, connection: ${JSON.stringify(files.services)} }`,
    '',
  ].join('\n'));
  const config = await loadConfig(ws.config, {});
  const { ctx, close } = await openRun(config);
  const round6 = (n: number | null) => (n === null ? null : Math.round(n * 1e6) / 1e6);
  try {
    const periods = DEMO.years.flatMap((y) => config.calendar.within(config.calendar.parse(config.calendar.yearId(y)), 'month'));
    const runs = [];
    for (const pipeline of config.pipelines) runs.push(...(await runPipeline({ ...ctx, now: () => new Date('2026-04-02T09:00:00Z') }, pipeline, periods)));
    return runs.map((r) => ({
      run: `${r.pipelineId} ${r.period.id}`,
      outcome: r.outcome,
      error: r.error,
      values: r.values.map((v) => [v.indicatorId, round6(v.value)]),
      checks: r.checks.map((c) => [c.checkId, c.status, c.failing, c.checked]),
    }));
  } finally {
    await close();
  }
}

/**
 * Runs a T-SQL script as sqlcmd does: batch by batch at its GO lines, on one connection. Each is
 * sent as a batch of its own, not through sp_executesql as knex's queries are, where a USE would
 * last only to the end of the statement.
 */
async function runScript(url: string, script: string): Promise<void> {
  const knex = knexFactory(knexConfigFor({ client: 'mssql', connection: url, connect_timeout: 15_000, query_timeout: 300_000, pool: { min: 0, max: 1 } }, 'Europe/London'));
  const client = knex.client as { acquireConnection(): Promise<Connection>; releaseConnection(c: Connection): Promise<void> };
  const connection = await client.acquireConnection();
  try {
    for (const batch of script.split(/^GO$/m).filter((b) => b.trim() !== '')) {
      await new Promise<void>((resolve, reject) => connection.execSqlBatch(new Request(batch, (err) => (err ? reject(err) : resolve()))));
    }
  } finally {
    await client.releaseConnection(connection);
    await knex.destroy();
  }
}

describe('PostgreSQL sources', () => {
  it.each([
    ['a URL', 'postgres://reporter@db/finance'],
    ['connection fields with driver options', { host: 'db', user: 'reporter', database: 'finance', options: { application_name: 'lineofsight' } }],
  ])('start their sessions in the service timezone, given %s', (_how, connection) => {
    const cfg = knexConfigFor({ client: 'pg', connection, connect_timeout: 5000, query_timeout: 60_000, pool: { min: 0, max: 2 } }, 'Europe/London');
    expect(cfg.connection).toMatchObject({ options: '-c TimeZone=Europe/London', connectionTimeoutMillis: 5000, statement_timeout: 60_000 });
  });
});
