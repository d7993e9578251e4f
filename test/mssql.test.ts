import knexFactory from 'knex';
import { describe, expect, it } from 'vitest';
import { periodBindings } from '../src/calendar/bindings.js';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { silentLogger } from '../src/logger.js';
import { knexConfigFor, SqlSource } from '../src/sources/sql.js';

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

describe('PostgreSQL sources', () => {
  it.each([
    ['a URL', 'postgres://reporter@db/finance'],
    ['connection fields with driver options', { host: 'db', user: 'reporter', database: 'finance', options: { application_name: 'lineofsight' } }],
  ])('start their sessions in the service timezone, given %s', (_how, connection) => {
    const cfg = knexConfigFor({ client: 'pg', connection, connect_timeout: 5000, query_timeout: 60_000, pool: { min: 0, max: 2 } }, 'Europe/London');
    expect(cfg.connection).toMatchObject({ options: '-c TimeZone=Europe/London', connectionTimeoutMillis: 5000, statement_timeout: 60_000 });
  });
});
