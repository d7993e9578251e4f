import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { storeConfigOf, type StoreConfig, type StoreSettings } from '../config/schema.js';
import type { RunHistorySource } from '../runs/history.js';
import { StoreFault, type RunRecorder } from '../runs/record.js';
import { thisRelease } from '../release.js';
import { textDates } from '../sources/pgTypes.js';
import { driverMessage } from '../sources/sql.js';
import { CheckLogStore } from './checkLog.js';
import { ClaimStore } from './claims.js';
import { ClinicPackStore } from './clinicPacks.js';
import { ExceptionStore } from './exceptions.js';
import { OutboxStore } from './outbox.js';
import { ensureMigrationLock, migrationSource } from './migrations.js';
import { RiskPositionStore } from './riskPositions.js';
import { RunStore } from './runs.js';

interface SqlitePragmas {
  pragma(statement: string): unknown;
}

/** knex's own console messages: a fault of the store is reported once, as a StoreFault naming it. */
const QUIET = { warn() {}, error() {}, debug() {}, deprecate() {} };

function knexConfigFor(cfg: StoreConfig): Knex.Config {
  if (cfg.client === 'sqlite') {
    mkdirSync(path.dirname(path.resolve(cfg.filename)), { recursive: true });
    return {
      client: 'better-sqlite3',
      connection: { filename: cfg.filename },
      useNullAsDefault: true,
      log: QUIET,
      acquireConnectionTimeout: cfg.acquire_timeout,
      pool: {
        // Several processes write to one file: readers beside a writer (WAL), and a writer waits
        // for another's write to finish rather than failing with "database is locked".
        afterCreate: (conn: SqlitePragmas, done: (err: Error | null, conn: SqlitePragmas) => void) => {
          try {
            conn.pragma(`busy_timeout = ${cfg.acquire_timeout}`);
            conn.pragma('journal_mode = WAL');
            // With WAL this cannot corrupt the file; a crash of the process loses nothing, and
            // only a power cut may lose the last commits, which the next cycle writes again.
            conn.pragma('synchronous = NORMAL');
            done(null, conn);
          } catch (err) {
            done(err as Error, conn);
          }
        },
      },
    };
  }
  const connection = typeof cfg.connection === 'string' ? { connectionString: cfg.connection } : cfg.connection;
  return {
    client: 'pg',
    connection: { ...connection, types: textDates, connectionTimeoutMillis: cfg.connect_timeout, query_timeout: cfg.query_timeout, statement_timeout: cfg.query_timeout },
    searchPath: cfg.schema ? [cfg.schema] : undefined,
    acquireConnectionTimeout: cfg.acquire_timeout,
    log: QUIET,
    pool: { min: 0, max: 4 },
  };
}

/** The store as a message names it: its kind and where it is, never its password. */
export function storeName(cfg: StoreConfig): string {
  if (cfg.client === 'sqlite') return `SQLite ${cfg.filename}`;
  if (typeof cfg.connection !== 'string') return `PostgreSQL ${cfg.connection.host ?? 'localhost'}:${cfg.connection.port ?? 5432}/${cfg.connection.database ?? ''}`;
  try {
    const url = new URL(cfg.connection);
    return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

/**
 * Whether an error came from the database or the way to it (a driver code, a pool timeout, a
 * connection that failed), rather than from the service's own rules (an entry that cannot be
 * acknowledged), which stay as they are.
 */
function fromTheStore(err: unknown): boolean {
  const e = err as { code?: unknown; name?: string; message?: string };
  return e.code !== undefined || e.name === 'KnexTimeoutError' || /timeout expired|connection (terminated|timeout)|ECONN|socket|database is locked|SQLITE_/i.test(String(e.message));
}

/** What a fault of the store says: the store named, the driver's words, and a hint for a timeout. */
function faultOf(name: string, err: unknown, cfg: StoreConfig): unknown {
  if (err instanceof StoreFault || !fromTheStore(err)) return err;
  const e = err as { name?: string };
  const said = driverMessage(err);
  const message =
    e.name === 'KnexTimeoutError'
      ? `no connection within ${cfg.acquire_timeout / 1000} s (acquire_timeout): the store is not answering, or every connection is busy`
      : cfg.client === 'pg' && /timeout expired|connection timeout/i.test(said)
        ? `no answer within ${cfg.connect_timeout / 1000} s of connecting (connect_timeout)`
        : said;
  return new StoreFault(`store (${name}): ${message}`);
}

/** Every method of a part, the store's own failures turned into StoreFaults that name it. */
function faultsNamed<T extends object>(part: T, fault: (err: unknown) => unknown): T {
  return new Proxy(part, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          return result instanceof Promise ? result.catch((err: unknown) => Promise.reject(fault(err))) : result;
        } catch (err) {
          throw fault(err);
        }
      };
    },
  });
}

/** How many of the newest rows the change mark counts: see Store.changeMark. */
const RECENT_ROWS = 1000;

/** Migration errors a process gets when another is migrating the same store at the same moment. */
const RACED_MIGRATION = /already exists|Migration table is already locked|duplicate key|UNIQUE constraint|database is locked/i;

/** The release a migration applied before schema_versions existed is recorded with: not known, only that it was earlier. */
export function releaseBefore(release: string): string {
  return `before ${release}`.slice(0, 40);
}

const SCHEMA_VERSIONS = 'schema_versions';

/**
 * knex's afterAll hook: inside the transaction that applied the batch, each of its migrations
 * with this release (once schema_versions exists, which migration 010 makes). A row already there
 * is left as it is, so processes racing never fail on it.
 */
async function recordVersions(db: Knex, migrations: unknown[]): Promise<void> {
  if (!migrations.length || !(await db.schema.hasTable(SCHEMA_VERSIONS))) return;
  const release = thisRelease();
  const appliedAt = new Date();
  const rows = migrations.map((m) => ({ migration: migrationSource.getMigrationName(m as Parameters<typeof migrationSource.getMigrationName>[0]), release, applied_at: appliedAt }));
  await db(SCHEMA_VERSIONS).insert(rows).onConflict('migration').ignore();
}

/**
 * Rows for the migrations applied before schema_versions existed (by a release that did not
 * record them): `before <this release>`, at the time knex recorded them. One statement, which
 * inserts nothing once every migration has its row.
 */
async function backfillVersions(db: Knex): Promise<void> {
  await db.raw(
    `INSERT INTO ${SCHEMA_VERSIONS} (migration, "release", applied_at)
     SELECT km.name, CAST(? AS varchar(40)), km.migration_time FROM knex_migrations km
     WHERE NOT EXISTS (SELECT 1 FROM ${SCHEMA_VERSIONS} sv WHERE sv.migration = km.name)
     ON CONFLICT (migration) DO NOTHING`,
    [releaseBefore(thisRelease())],
  );
}

/** The store was migrated by a newer release: no wait for it mends that, so a server does not retry it as it would a store that is down. */
export class NewerSchema extends StoreFault {}

/**
 * A refusal when the store has migrations this release does not know (a newer release migrated
 * it), naming the newest and the release that applied it; undefined when the store is not newer.
 * Reads only: it runs before anything is changed.
 */
async function newerSchema(db: Knex, name: string): Promise<NewerSchema | undefined> {
  if (!(await db.schema.hasTable('knex_migrations'))) return undefined;
  const known = new Set((await migrationSource.getMigrations([])).map((m) => migrationSource.getMigrationName(m)));
  const rows = (await db('knex_migrations').select('name').orderBy('id')) as { name: string }[];
  const unknown = rows.map((r) => r.name).filter((n) => !known.has(n));
  const newest = unknown.at(-1);
  if (newest === undefined) return undefined;
  const recorded = (await db.schema.hasTable(SCHEMA_VERSIONS)) ? ((await db(SCHEMA_VERSIONS).where({ migration: newest }).first('release')) as { release?: string } | undefined)?.release : undefined;
  const more = unknown.length > 1 ? ` (and ${unknown.length - 1} more)` : '';
  const by = recorded ? `it was migrated by lineofsight ${recorded}; run that release or later` : 'it was migrated by a newer release of lineofsight; run that release or later';
  return new NewerSchema(`store (${name}) has schema ${newest}${more}, which this release (${thisRelease()}) does not know: ${by}`);
}

/** The store's parts, each keeping one thing, all on one connection or one transaction. */
export interface StoreParts {
  /** Runs and indicator values with their revisions. */
  runs: RunStore;
  /** The failed-check log. */
  checkLog: CheckLogStore;
  /** Each risk's history of positions. */
  risks: RiskPositionStore;
  /** Exceptions and the notification log. */
  exceptions: ExceptionStore;
  /** Messages from their writing to their sending. */
  outbox: OutboxStore;
  /** Scheduled jobs' slots, who runs each, and the replicas. */
  claims: ClaimStore;
  /** The exception packs sent to improvement clinics. */
  clinicPacks: ClinicPackStore;
}

function partsOn(db: Knex, fault: (err: unknown) => unknown): StoreParts {
  const checkLog = new CheckLogStore(db);
  return {
    runs: faultsNamed(new RunStore(db, checkLog), fault),
    checkLog: faultsNamed(checkLog, fault),
    risks: faultsNamed(new RiskPositionStore(db), fault),
    exceptions: faultsNamed(new ExceptionStore(db), fault),
    outbox: faultsNamed(new OutboxStore(db), fault),
    claims: faultsNamed(new ClaimStore(db), fault),
    clinicPacks: faultsNamed(new ClinicPackStore(db), fault),
  };
}

/**
 * The service's own database: SQLite by default, PostgreSQL in production. Split by what it
 * keeps; every statement is a named method of one part (runs.ts, checkLog.ts,
 * riskPositions.ts), and table names and the failed_check_log view are stable, since
 * dashboards read them.
 */
export class Store implements StoreParts {
  private readonly knex: Knex;
  readonly runs: RunStore;
  readonly checkLog: CheckLogStore;
  readonly risks: RiskPositionStore;
  readonly exceptions: ExceptionStore;
  readonly outbox: OutboxStore;
  readonly claims: ClaimStore;
  readonly clinicPacks: ClinicPackStore;

  readonly config: StoreConfig;
  /** The store as messages name it (kind and place, no password). */
  readonly name: string;
  private readonly fault: (err: unknown) => unknown;

  constructor(settings: StoreSettings) {
    this.config = storeConfigOf(settings);
    this.name = storeName(this.config);
    this.fault = (err) => faultOf(this.name, err, this.config);
    this.knex = knexFactory(knexConfigFor(this.config));
    ({ runs: this.runs, checkLog: this.checkLog, risks: this.risks, exceptions: this.exceptions, outbox: this.outbox, claims: this.claims, clinicPacks: this.clinicPacks } = partsOn(this.knex, this.fault));
  }

  /**
   * Brings the tables up to date. Safe when several processes start on a new store at once: the
   * one that loses the race waits for the other's migration and finds nothing left to do.
   *
   * A store whose schema is newer than this release (a migration this build does not know) is
   * refused before anything is changed, naming the release that migrated it. Each migration
   * applied is recorded in schema_versions with this release, in the transaction that applies it.
   */
  async migrate(): Promise<string[]> {
    const deadline = Date.now() + this.config.acquire_timeout;
    for (let attempt = 1; ; attempt++) {
      try {
        const newer = await newerSchema(this.knex, this.name);
        if (newer) throw newer;
        await ensureMigrationLock(this.knex);
        const [, applied] = (await this.knex.migrate.latest({ migrationSource, afterAll: recordVersions })) as [number, string[]];
        await backfillVersions(this.knex);
        return applied;
      } catch (err) {
        // Another process of a newer release migrated the store between the check and knex's own.
        if (/migration directory is corrupt/i.test(String((err as Error).message))) {
          const newer = await newerSchema(this.knex, this.name).catch(() => undefined);
          if (newer) throw newer;
        }
        if (!RACED_MIGRATION.test(String((err as Error).message)) || Date.now() > deadline) throw this.fault(err);
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * attempt, 500)));
      }
    }
  }

  /**
   * Runs `work` in one transaction across the store's parts: all of it is written or none of it.
   * A part's own transactions inside it become savepoints.
   */
  transaction<T>(work: (parts: StoreParts) => Promise<T>): Promise<T> {
    return this.knex.transaction((trx) => work(partsOn(trx, this.fault))).catch((err: unknown) => Promise.reject(this.fault(err)));
  }

  /** What a pipeline run reads and writes, and nothing more. */
  forRuns(): { history: RunHistorySource; recorder: RunRecorder } {
    return {
      history: {
        valuesInPeriods: (ids, periods) => this.runs.valuesInPeriods(ids, periods),
        seriesBefore: (ids, before, from) => this.runs.seriesBefore(ids, before, from),
        flaggedPeriods: (checks, pipeline) => this.checkLog.flaggedPeriods(checks, pipeline),
      },
      recorder: this.runs,
    };
  }

  /**
   * A mark that changes whenever what the store says changes: a run recorded (its values and
   * checks with it), a risk moved, an entry acknowledged, a message written or sent. One statement off indexes, whatever
   * the store's age, so a reader can ask at every scrape whether anything it built is out of
   * date. Besides the newest ids it counts the rows among the newest thousand, since a
   * transaction that took a lower id may commit after one that took a higher; a write is a
   * short transaction, so a thousand others do not commit while one is under way.
   */
  async changeMark(): Promise<string> {
    const newest = (table: string) => this.knex(table).max({ v: 'id' });
    const recent = (table: string) => this.knex(table).count({ v: '*' }).where('id', '>', this.knex.raw('(SELECT COALESCE(MAX(id), 0) - ? FROM ??)', [RECENT_ROWS, table]));
    const [row] = await this.knex
      .select({
        lastRun: newest('runs'),
        recentRuns: recent('runs'),
        lastPosition: newest('risk_positions'),
        recentPositions: recent('risk_positions'),
        lastAck: this.knex('check_log').max({ v: 'acknowledged_at' }),
        lastMessageChange: this.knex('outbox').max({ v: 'changed_at' }),
        // Messages sent in one batch may share their instant of change: how many did tells each apart.
        lastMessageChanges: this.knex('outbox').count({ v: '*' }).where('changed_at', '=', this.knex('outbox').max('changed_at')),
      })
      .catch((err: unknown) => Promise.reject(this.fault(err)));
    return JSON.stringify(Object.values(row as Record<string, unknown>).map((v) => (v instanceof Date ? v.toISOString() : String(v))));
  }

  /** Whether the store answers: a statement that reads nothing. */
  async ping(): Promise<void> {
    await this.knex.raw('select 1').catch((err: unknown) => Promise.reject(this.fault(err)));
  }

  /** Calls `listener` for every statement sent: for counting them, never for changing them. */
  onQuery(listener: () => void): void {
    this.knex.on('query', listener);
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }
}
