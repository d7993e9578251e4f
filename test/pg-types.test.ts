import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceConfigSchema, type SqlSourceConfig } from '../src/config/schema.js';
import { silentLogger } from '../src/logger.js';
import { SqlSource } from '../src/sources/sql.js';
import { freshPostgres } from './helpers/databases.js';

const opened: SqlSource[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

describe("pg's type parsers", () => {
  it('read DATE and timestamp as text on a source pool, and leave the process defaults alone', async () => {
    const source = new SqlSource('calls', serviceConfigSchema.parse({ sources: { calls: { client: 'pg', connection: await freshPostgres('lineofsight_test_pg_types') } } }).sources.calls as SqlSourceConfig, 'Europe/London', silentLogger);
    opened.push(source);
    const row = await source.aggregate("SELECT DATE '2024-04-01' AS day, TIMESTAMP '2024-03-31 23:30:00' AS at, 12::int AS n", {});
    expect(row).toEqual({ day: '2024-04-01', at: '2024-03-31 23:30:00', n: 12 });
    // Another pg client in the same process (a dashboard's, a library's) still gets pg's own parsing.
    expect(pg.types.getTypeParser(pg.types.builtins.DATE, 'text')('2024-04-01')).toBeInstanceOf(Date);
  });
});
