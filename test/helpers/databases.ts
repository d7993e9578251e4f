import knexFactory, { type Knex } from 'knex';

/**
 * Real database servers for integration tests: PostgreSQL and MariaDB run on every developer
 * machine and on CI. Each test file gets a database of its own, dropped and created afresh.
 * LINEOFSIGHT_TEST_PG_URL and LINEOFSIGHT_TEST_MYSQL_URL point elsewhere when needed.
 */
export const PG_URL = process.env.LINEOFSIGHT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_URL = process.env.LINEOFSIGHT_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function recreate(client: 'pg' | 'mysql2', adminUrl: string, database: string): Promise<void> {
  const admin = knexFactory({ client, connection: client === 'pg' ? { connectionString: adminUrl } : adminUrl });
  try {
    const q = client === 'pg' ? '"' : '`';
    await admin.raw(`DROP DATABASE IF EXISTS ${q}${database}${q}`);
    await admin.raw(`CREATE DATABASE ${q}${database}${q}`);
  } catch (err) {
    const how = client === 'pg'
      ? 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'
      : 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd';
    const shown = new URL(adminUrl);
    if (shown.password) shown.password = '***';
    throw new Error(`this test needs ${client === 'pg' ? 'PostgreSQL' : 'MariaDB'} at ${shown} (${(err as Error).message}); start it with: ${how}`);
  } finally {
    await admin.destroy();
  }
}

/** A fresh PostgreSQL database; returns its URL. */
export async function freshPostgres(database: string): Promise<string> {
  await recreate('pg', PG_URL, database);
  return withDatabase(PG_URL, database);
}

/** A fresh MariaDB/MySQL database; returns its URL. */
export async function freshMysql(database: string): Promise<string> {
  await recreate('mysql2', MYSQL_URL, database);
  return withDatabase(MYSQL_URL, database);
}

export function knexFor(client: 'pg' | 'mysql' | 'sqlite', connection: string): Knex {
  if (client === 'sqlite') return knexFactory({ client: 'better-sqlite3', connection: { filename: connection }, useNullAsDefault: true });
  if (client === 'pg') return knexFactory({ client: 'pg', connection: { connectionString: connection } });
  return knexFactory({ client: 'mysql2', connection });
}
