import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { StoreConfig } from '../config/schema.js';
import { migrationSource } from './migrations.js';

export type RunOutcome = 'succeeded' | 'failed';

export interface RunRecord {
  pipelineId: string;
  periodId: string;
  periodStart: string;
  periodEnd: string;
  startedAt: Date;
  finishedAt: Date;
  outcome: RunOutcome;
  error: string | null;
  rowsRead: number;
  rowsRejected: number;
}

export interface ValueRecord {
  indicatorId: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  reason: string | null;
}

export interface StoredValue extends ValueRecord {
  pipelineId: string;
  periodId: string;
  periodStart: string;
  periodEnd: string;
  revision: number;
  runId: number;
  recordedAt: string;
  supersededAt: string | null;
}

export interface StoredRun extends Omit<RunRecord, 'startedAt' | 'finishedAt'> {
  id: number;
  startedAt: string;
  finishedAt: string;
}

/** What a recorded run changed: values new to the store, values revised, values confirmed. */
export interface RecordedRun {
  runId: number;
  added: number;
  revised: number;
  unchanged: number;
}

function knexConfigFor(cfg: StoreConfig): Knex.Config {
  if (cfg.client === 'sqlite') {
    mkdirSync(path.dirname(path.resolve(cfg.filename)), { recursive: true });
    return { client: 'better-sqlite3', connection: { filename: cfg.filename }, useNullAsDefault: true };
  }
  const connection = typeof cfg.connection === 'string' ? { connectionString: cfg.connection } : cfg.connection;
  return { client: 'pg', connection, searchPath: cfg.schema ? [cfg.schema] : undefined, pool: { min: 0, max: 4 } };
}

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
const dateOnly = (v: unknown): string => (v instanceof Date ? localDateOf(v) : String(v).slice(0, 10));
// pg returns DATE columns as local-midnight Dates; read them back as the calendar date they were.
const localDateOf = (d: Date): string =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * The history of runs and indicator values. Every statement the service issues against its own
 * database is a named method here, so each can be found, read and indexed for.
 */
export class Store {
  readonly knex: Knex;

  constructor(readonly config: StoreConfig) {
    this.knex = knexFactory(knexConfigFor(config));
  }

  async migrate(): Promise<string[]> {
    const [, applied] = (await this.knex.migrate.latest({ migrationSource })) as [number, string[]];
    return applied;
  }

  /**
   * Records a successful run and its values in one transaction: all of it or none of it. A value
   * that differs from the current one becomes a new revision; the old one is kept, superseded.
   */
  async recordRun(run: RunRecord, values: ValueRecord[]): Promise<RecordedRun> {
    return this.knex.transaction(async (trx) => {
      const runId = await insertRun(trx, run);
      const ids = values.map((v) => v.indicatorId);
      const current = ids.length
        ? await trx('indicator_values')
            .select('id', 'indicator_id', 'revision', 'value', 'numerator', 'denominator', 'reason')
            .whereIn('indicator_id', ids)
            .andWhere('period_id', run.periodId)
            .whereNull('superseded_at')
        : [];
      const byIndicator = new Map(current.map((row) => [row.indicator_id as string, row]));
      const now = run.finishedAt.toISOString();
      const supersede: number[] = [];
      const inserts: Record<string, unknown>[] = [];
      let unchanged = 0;
      for (const v of values) {
        const old = byIndicator.get(v.indicatorId);
        if (old && sameValue(old, v)) {
          unchanged++;
          continue;
        }
        if (old) supersede.push(old.id as number);
        inserts.push({
          indicator_id: v.indicatorId,
          pipeline_id: run.pipelineId,
          period_id: run.periodId,
          period_start: run.periodStart,
          period_end: run.periodEnd,
          revision: old ? Number(old.revision) + 1 : 1,
          value: v.value,
          numerator: v.numerator,
          denominator: v.denominator,
          reason: v.reason,
          run_id: runId,
          recorded_at: now,
          superseded_at: null,
        });
      }
      if (supersede.length) await trx('indicator_values').whereIn('id', supersede).update({ superseded_at: now });
      if (inserts.length) await trx.batchInsert('indicator_values', inserts, 500);
      return { runId, added: inserts.length - supersede.length, revised: supersede.length, unchanged };
    });
  }

  /** Records a failed run; stored values are left exactly as they were. */
  async recordFailedRun(run: RunRecord): Promise<number> {
    return insertRun(this.knex, run);
  }

  /**
   * Values of the given indicator ids with period start in [from, to): the current ones, or
   * with `includeRevised` every revision, oldest period first.
   */
  async storedValues(indicatorIds: string[], range: { from?: string; to?: string; includeRevised?: boolean } = {}): Promise<StoredValue[]> {
    const q = this.knex('indicator_values').whereIn('indicator_id', indicatorIds);
    if (!range.includeRevised) q.whereNull('superseded_at');
    if (range.from) q.andWhere('period_start', '>=', range.from);
    if (range.to) q.andWhere('period_start', '<', range.to);
    const rows = await q.orderBy([{ column: 'period_start' }, { column: 'period_end', order: 'desc' }, { column: 'indicator_id' }, { column: 'revision' }]);
    return rows.map(toStoredValue);
  }

  async runsOf(pipelineId: string, periodId?: string): Promise<StoredRun[]> {
    const q = this.knex('runs').where('pipeline_id', pipelineId);
    if (periodId) q.andWhere('period_id', periodId);
    const rows = await q.orderBy('id');
    return rows.map((r) => ({
      id: Number(r.id),
      pipelineId: r.pipeline_id,
      periodId: r.period_id,
      periodStart: dateOnly(r.period_start),
      periodEnd: dateOnly(r.period_end),
      startedAt: iso(r.started_at),
      finishedAt: iso(r.finished_at),
      outcome: r.outcome,
      error: r.error ?? null,
      rowsRead: Number(r.rows_read),
      rowsRejected: Number(r.rows_rejected),
    }));
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }
}

async function insertRun(db: Knex | Knex.Transaction, run: RunRecord): Promise<number> {
  const [row] = await db('runs')
    .insert({
      pipeline_id: run.pipelineId,
      period_id: run.periodId,
      period_start: run.periodStart,
      period_end: run.periodEnd,
      started_at: run.startedAt.toISOString(),
      finished_at: run.finishedAt.toISOString(),
      outcome: run.outcome,
      error: run.error,
      rows_read: run.rowsRead,
      rows_rejected: run.rowsRejected,
    })
    .returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

function sameValue(old: Record<string, unknown>, v: ValueRecord): boolean {
  return num(old.value) === v.value && num(old.numerator) === v.numerator && num(old.denominator) === v.denominator && (old.reason ?? null) === v.reason;
}

function toStoredValue(r: Record<string, unknown>): StoredValue {
  return {
    indicatorId: r.indicator_id as string,
    pipelineId: r.pipeline_id as string,
    periodId: r.period_id as string,
    periodStart: dateOnly(r.period_start),
    periodEnd: dateOnly(r.period_end),
    revision: Number(r.revision),
    value: num(r.value),
    numerator: num(r.numerator),
    denominator: num(r.denominator),
    reason: (r.reason as string | null) ?? null,
    runId: Number(r.run_id),
    recordedAt: iso(r.recorded_at),
    supersededAt: isoOrNull(r.superseded_at),
  };
}
