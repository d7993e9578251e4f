import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { StoreConfig } from '../config/schema.js';
import type { RunHistorySource } from '../runs/history.js';
import type { RunRecorder } from '../runs/record.js';
import { textDates } from '../sources/pgTypes.js';
import { CheckLogStore } from './checkLog.js';
import { migrationSource } from './migrations.js';
import { RiskPositionStore } from './riskPositions.js';
import { RunStore } from './runs.js';

function knexConfigFor(cfg: StoreConfig): Knex.Config {
  if (cfg.client === 'sqlite') {
    mkdirSync(path.dirname(path.resolve(cfg.filename)), { recursive: true });
    return { client: 'better-sqlite3', connection: { filename: cfg.filename }, useNullAsDefault: true };
  }
  const connection = typeof cfg.connection === 'string' ? { connectionString: cfg.connection } : cfg.connection;
  return { client: 'pg', connection: { ...connection, types: textDates }, searchPath: cfg.schema ? [cfg.schema] : undefined, pool: { min: 0, max: 4 } };
}

/** The store's parts, each keeping one thing, all on one connection or one transaction. */
export interface StoreParts {
  /** Runs and indicator values with their revisions. */
  runs: RunStore;
  /** The failed-check log. */
  checkLog: CheckLogStore;
  /** Each risk's history of positions. */
  risks: RiskPositionStore;
}

function partsOn(db: Knex): StoreParts {
  const checkLog = new CheckLogStore(db);
  return { runs: new RunStore(db, checkLog), checkLog, risks: new RiskPositionStore(db) };
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

  constructor(readonly config: StoreConfig) {
    this.knex = knexFactory(knexConfigFor(config));
    ({ runs: this.runs, checkLog: this.checkLog, risks: this.risks } = partsOn(this.knex));
  }

  async migrate(): Promise<string[]> {
    const [, applied] = (await this.knex.migrate.latest({ migrationSource })) as [number, string[]];
    return applied;
  }

  /**
   * Runs `work` in one transaction across the store's parts: all of it is written or none of it.
   * A part's own transactions inside it become savepoints.
   */
  transaction<T>(work: (parts: StoreParts) => Promise<T>): Promise<T> {
    return this.knex.transaction((trx) => work(partsOn(trx)));
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

  /** Calls `listener` for every statement sent: for counting them, never for changing them. */
  onQuery(listener: () => void): void {
    this.knex.on('query', listener);
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }
}
