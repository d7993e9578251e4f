import knexFactory, { type Knex } from 'knex';
import type { SqlSourceConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { textDates } from './pgTypes.js';
import { registerSqliteRegexp, type SqliteFunctions } from './sqliteRegexp.js';

const KNEX_CLIENT: Record<SqlSourceConfig['client'], string> = {
  pg: 'pg',
  mysql: 'mysql2',
  sqlite: 'better-sqlite3',
  mssql: 'mssql',
};

type Fields = Exclude<SqlSourceConfig['connection'], string>;

function fieldsFromUrl(url: string): Fields {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('connection is not a valid URL (expected e.g. mssql://user:password@host:1433/database)');
  }
  const options: Record<string, unknown> = {};
  for (const [k, v] of u.searchParams) options[k] = v === 'true' ? true : v === 'false' ? false : v;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : undefined,
    user: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : undefined,
    options,
  };
}

/**
 * The knex configuration for a source: its driver, connect timeout and pool. PostgreSQL sessions
 * start in the service's timezone, so a timestamptz compared with `:period_start` ('2024-04-01')
 * means local midnight, as the period does.
 */
export function knexConfigFor(cfg: SqlSourceConfig, timeZone: string): Knex.Config {
  const base = {
    client: KNEX_CLIENT[cfg.client],
    acquireConnectionTimeout: cfg.connect_timeout,
    pool: { min: cfg.pool.min, max: cfg.pool.max },
  };
  const c = cfg.connection;
  switch (cfg.client) {
    case 'sqlite':
      // Read-only: a source is never written to, and a mistyped path must fail, not create an empty file.
      return {
        ...base,
        // SQLite leaves REGEXP to the application: pattern checks need it on every connection.
        pool: {
          ...base.pool,
          afterCreate: (db: SqliteFunctions, done: (err: Error | null, db: SqliteFunctions) => void) => {
            registerSqliteRegexp(db);
            done(null, db);
          },
        },
        useNullAsDefault: true,
        connection: { filename: typeof c === 'string' ? c : (c.filename ?? ''), options: { readonly: true } },
      };
    case 'pg': {
      const conn = typeof c === 'string' ? { connectionString: c } : { ...c, ...c.options };
      return {
        ...base,
        connection: {
          ...conn,
          options: `-c TimeZone=${timeZone}`,
          connectionTimeoutMillis: cfg.connect_timeout,
          statement_timeout: cfg.query_timeout,
          types: textDates,
        },
      };
    }
    case 'mysql': {
      const f = typeof c === 'string' ? fieldsFromUrl(c) : c;
      // mysql2 takes a list of types to read as text; knex's types only know `true`. DATE and
      // DATETIME as text, placed in the service's timezone rather than Node's.
      const connection: Record<string, unknown> = {
        host: f.host,
        port: f.port,
        user: f.user,
        password: f.password,
        database: f.database,
        ...f.options,
        connectTimeout: cfg.connect_timeout,
        dateStrings: ['DATE', 'DATETIME'],
        // BIGINT and DECIMAL as text, so that a value past 2^53 is refused, not rounded.
        supportBigNumbers: true,
        bigNumberStrings: true,
      };
      return { ...base, connection: connection as Knex.MySqlConnectionConfig };
    }
    case 'mssql': {
      const f = typeof c === 'string' ? fieldsFromUrl(c) : c;
      return {
        ...base,
        connection: {
          server: f.host,
          port: f.port,
          user: f.user,
          password: f.password,
          database: f.database,
          connectionTimeout: cfg.connect_timeout,
          requestTimeout: cfg.query_timeout,
          options: { trustServerCertificate: false, ...f.options },
        },
      } as Knex.Config;
    }
  }
}

/** Rows of a raw query, whatever shape the driver returns them in. */
function rowsOf(client: SqlSourceConfig['client'], result: unknown): Record<string, unknown>[] {
  if (client === 'pg') return (result as { rows: Record<string, unknown>[] }).rows;
  if (client === 'mysql') return (result as [Record<string, unknown>[]])[0];
  return result as Record<string, unknown>[];
}

/** Told how long each query against a source took, for the serving process's own metrics. */
export interface SourceObserver {
  queried(source: string, seconds: number): void;
}

/**
 * A finance or service database. Queries get named bindings (`:period_start`), so values are
 * never spliced into SQL, and run under the source's query timeout; PostgreSQL and MySQL cancel
 * the statement on the server when it expires.
 */
export class SqlSource {
  readonly knex: Knex;

  constructor(
    readonly name: string,
    readonly config: SqlSourceConfig,
    timeZone: string,
    logger: Logger,
    private readonly observer?: SourceObserver,
  ) {
    const log = logger.child({ source: name });
    // knex writes pool and driver warnings to the console; they belong in the structured log.
    this.knex = knexFactory({
      ...knexConfigFor(config, timeZone),
      log: {
        warn: (m: unknown) => log.warn(String(m)),
        error: (m: unknown) => log.error(String(m)),
        deprecate: (m: unknown) => log.warn(String(m)),
        debug: (m: unknown) => log.debug(String(m)),
      },
    });
  }

  /**
   * Every query against a source runs here: under its query timeout, cancelled on the server by
   * PostgreSQL and MySQL, and failing with the source named and the driver's message without the
   * SQL text (the pipeline file shows that).
   */
  private async guarded<T>(query: { timeout(ms: number, options: { cancel?: boolean }): PromiseLike<T> }): Promise<T> {
    const cancel = this.config.client === 'pg' || this.config.client === 'mysql';
    try {
      return await query.timeout(this.config.query_timeout, { cancel });
    } catch (err) {
      throw new Error(`source ${this.name} (${this.config.client}): ${driverMessage(err)}`);
    }
  }

  /** `work`, its time told to the observer whether it succeeded or not. */
  private async observed<T>(work: () => Promise<T>): Promise<T> {
    if (!this.observer) return work();
    const start = process.hrtime.bigint();
    try {
      return await work();
    } finally {
      this.observer.queried(this.name, Number(process.hrtime.bigint() - start) / 1e9);
    }
  }

  /** The rows of a query built with this source's knex (data-quality checks). */
  rows(query: Knex.QueryBuilder): Promise<Record<string, unknown>[]> {
    return this.observed(() => this.guarded<Record<string, unknown>[]>(query));
  }

  /** Runs an aggregate query that must return exactly one row. */
  async aggregate(sql: string, bindings: Record<string, string>): Promise<Record<string, unknown>> {
    const { rows, columns } = await this.observed(() => (this.config.client === 'sqlite' ? this.sqliteResult(sql, bindings) : this.driverResult(sql, bindings)));
    if (rows.length !== 1) {
      throw new Error(`source ${this.name}: a query of aggregates must return exactly one row, it returned ${rows.length}`);
    }
    // A row is keyed by column name: of two columns of one name the driver keeps one, silently.
    const names = columns ?? [];
    const twice = names.filter((name, i) => names.indexOf(name) !== i);
    if (twice.length) throw new Error(`source ${this.name}: the query returns more than one column named ${[...new Set(twice)].map((n) => `"${n}"`).join(', ')}; name each column once`);
    return rows[0] as Record<string, unknown>;
  }

  /** The first column of a query's one row: the newest record's date, as a pipeline's arrival query gives it. */
  async newestRecord(sql: string): Promise<unknown> {
    const row = await this.aggregate(sql, {});
    return Object.values(row)[0] ?? null;
  }

  /** The rows and column names of a query, where the driver tells the names (SQL Server's does not). */
  private async driverResult(sql: string, bindings: Record<string, string>): Promise<{ rows: Record<string, unknown>[]; columns?: string[] }> {
    const result = await this.guarded<unknown>(this.knex.raw(sql, bindings));
    const rows = rowsOf(this.config.client, result);
    if (this.config.client === 'pg') return { rows, columns: (result as { fields: { name: string }[] }).fields.map((f) => f.name) };
    if (this.config.client === 'mysql') return { rows, columns: ((result as [unknown, { name: string }[]])[1] ?? []).map((f) => f.name) };
    return { rows };
  }

  /**
   * SQLite's statement itself: better-sqlite3 names its columns, which knex does not pass on, and
   * gives integers as BigInt when asked, so that one past 2^53 is refused rather than rounded.
   */
  private async sqliteResult(sql: string, bindings: Record<string, string>): Promise<{ rows: Record<string, unknown>[]; columns: string[] }> {
    const native = this.knex.raw(sql, bindings).toSQL().toNative();
    const client = this.knex.client as { acquireConnection(): Promise<SqliteStatements>; releaseConnection(c: SqliteStatements): Promise<void> };
    let db: SqliteStatements | undefined;
    try {
      db = await client.acquireConnection();
      const statement = db.prepare(native.sql);
      return { rows: statement.safeIntegers(true).all(...native.bindings) as Record<string, unknown>[], columns: statement.columns().map((c) => c.name) };
    } catch (err) {
      throw new Error(`source ${this.name} (sqlite): ${driverMessage(err)}`);
    } finally {
      if (db) await client.releaseConnection(db);
    }
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }
}

interface SqliteStatements {
  prepare(sql: string): { columns(): { name: string }[]; safeIntegers(on: boolean): { all(...bindings: unknown[]): unknown[] } };
}

/** A driver's error in its own words: without the SQL text knex puts before it, with its code. */
export function driverMessage(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string };
  if (e.name === 'KnexTimeoutError') return `timed out: ${e.message}`;
  const message = e.message ?? String(err);
  // knex prefixes driver errors with the whole SQL text; the pipeline file already shows it.
  const short = message.includes(' - ') ? message.slice(message.lastIndexOf(' - ') + 3) : message;
  return e.code && !short.includes(e.code) ? `${short} (${e.code})` : short;
}
