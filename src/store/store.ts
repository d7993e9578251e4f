import { mkdirSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { StoreConfig } from '../config/schema.js';
import { nextLogState, type LogState, type LogStatus } from '../quality/log.js';
import type { CheckResult, DataQuality } from '../quality/outcome.js';
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

/** How a value was judged: against which target, and with what RAG and direction of travel. */
export interface ValueJudgement {
  target: number | null;
  toleranceAmount: number | null;
  rag: string;
  explanation: string;
  directionPrevious: string | null;
  directionLastYear: string | null;
}

export interface ValueRecord {
  indicatorId: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  reason: string | null;
  dataQuality: DataQuality;
  judgement?: ValueJudgement;
}

export interface RiskPositionRecord {
  riskId: string;
  assessedAt: string;
  likelihood: string;
  impact: string;
  score: number;
  aboveTolerance: boolean;
  triggered: boolean;
  evidence: string[];
}

/** The checks a run executed, for the failed-check log. */
export interface RunChecks {
  source: string;
  results: CheckResult[];
}

export interface LogEntry extends LogState {
  id: number;
  checkId: string;
  checkType: string;
  pipelineId: string;
  source: string;
  periodId: string;
  periodStart: string;
  sample: Record<string, unknown>[];
  message: string;
  ackNote: string | null;
  acknowledgedAt: string | null;
}

export interface LogEntryRun {
  runId: number;
  status: string;
  failingCount: number | null;
  seenAt: string;
}

export interface LogFilter {
  status?: LogStatus | 'all';
  pipelineId?: string;
  /** Entries that failed on or after this instant (ISO). */
  since?: string;
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

/** One point of an indicator's history. */
export interface SeriesPoint {
  indicatorId: string;
  periodId: string;
  value: number | null;
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
  async recordRun(run: RunRecord, values: ValueRecord[], checks?: RunChecks): Promise<RecordedRun> {
    return this.knex.transaction(async (trx) => {
      const runId = await insertRun(trx, run);
      if (checks) await recordChecks(trx, runId, run, checks);
      const ids = values.map((v) => v.indicatorId);
      const current = ids.length
        ? await trx('indicator_values')
            .select('id', 'indicator_id', 'revision', 'value', 'numerator', 'denominator', 'reason', 'data_quality')
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
          // A judgement is derived (a target may be signed off later): re-judged in place.
          if (v.judgement) await trx('indicator_values').where('id', old.id).update(judgementColumns(v.judgement));
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
          data_quality: v.dataQuality,
          ...(v.judgement ? judgementColumns(v.judgement) : {}),
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

  /** Current values of these indicators in these periods, in one query whatever their number. */
  async valuesInPeriods(indicatorIds: string[], periodIds: string[]): Promise<StoredValue[]> {
    if (!indicatorIds.length || !periodIds.length) return [];
    const rows = await this.knex('indicator_values').whereIn('indicator_id', indicatorIds).whereIn('period_id', periodIds).whereNull('superseded_at');
    return rows.map(toStoredValue);
  }

  /**
   * Every indicator's current value for every period, in no order, and nothing else: the one
   * read behind judging everything afresh and weighing risk triggers. Only the three columns
   * needed, since the whole history passes through it.
   */
  async valueSeries(): Promise<SeriesPoint[]> {
    // Unordered: sorting the whole history in the database costs more than sorting each series after.
    const rows = await this.knex('indicator_values').select('indicator_id', 'period_id', 'value').whereNull('superseded_at');
    return rows.map((r) => ({ indicatorId: r.indicator_id, periodId: r.period_id, value: num(r.value) }));
  }

  /** Recent check results and source runs, oldest first, for risk triggers. */
  async recentRunEvidence(since: string): Promise<{
    checks: { checkId: string; runId: number; status: string; at: string }[];
    runs: { pipelineId: string; outcome: string; at: string }[];
  }> {
    const checks = await this.knex('check_results as c')
      .join('runs as r', 'r.id', 'c.run_id')
      .select('c.check_id', 'c.run_id', 'c.status', 'r.finished_at')
      .where('r.finished_at', '>=', since)
      .orderBy('c.run_id');
    const runs = await this.knex('runs').select('pipeline_id', 'outcome', 'finished_at').where('finished_at', '>=', since).orderBy('id');
    return {
      checks: checks.map((r) => ({ checkId: r.check_id, runId: Number(r.run_id), status: r.status, at: iso(r.finished_at) })),
      runs: runs.map((r) => ({ pipelineId: r.pipeline_id, outcome: r.outcome, at: iso(r.finished_at) })),
    };
  }

  /** Records a risk's assessed position when it differs from the last one recorded; true if it did. */
  async recordRiskPosition(p: RiskPositionRecord): Promise<boolean> {
    return this.knex.transaction(async (trx) => {
      const last = await trx('risk_positions').where('risk_id', p.riskId).orderBy('id', 'desc').first();
      // A held trigger's evidence grows each period; only a move of the position is history.
      const same = last && last.likelihood === p.likelihood && last.impact === p.impact;
      if (same) return false;
      await trx('risk_positions').insert({
        risk_id: p.riskId,
        assessed_at: p.assessedAt,
        likelihood: p.likelihood,
        impact: p.impact,
        score: p.score,
        above_tolerance: p.aboveTolerance,
        triggered: p.triggered,
        evidence: JSON.stringify(p.evidence),
      });
      return true;
    });
  }

  /** A risk's history of positions, oldest first. */
  async riskHistory(riskId: string): Promise<RiskPositionRecord[]> {
    return (await this.knex('risk_positions').where('risk_id', riskId).orderBy('id')).map(riskPosition);
  }

  /** Every risk's last recorded position, in one query. */
  async latestRiskPositions(): Promise<Map<string, RiskPositionRecord>> {
    const latest = this.knex('risk_positions').max('id').groupBy('risk_id');
    const rows = await this.knex('risk_positions').whereIn('id', latest);
    return new Map(rows.map((r) => [r.risk_id as string, riskPosition(r)]));
  }

  /** Entries of the failed-check log, most recently failing first. */
  async checkLog(filter: LogFilter = {}): Promise<LogEntry[]> {
    const q = this.knex('check_log');
    if (filter.status && filter.status !== 'all') q.where('status', filter.status);
    if (filter.pipelineId) q.andWhere('pipeline_id', filter.pipelineId);
    if (filter.since) q.andWhere('last_failed_at', '>=', filter.since);
    const rows = await q.orderBy([{ column: 'last_failed_at', order: 'desc' }, { column: 'id', order: 'desc' }]);
    return rows.map(toLogEntry);
  }

  async checkLogEntry(id: number): Promise<{ entry: LogEntry; runs: LogEntryRun[] } | undefined> {
    const row = await this.knex('check_log').where('id', id).first();
    if (!row) return undefined;
    const runs = await this.knex('check_log_runs').where('entry_id', id).orderBy('run_id');
    return {
      entry: toLogEntry(row),
      runs: runs.map((r) => ({ runId: Number(r.run_id), status: r.status, failingCount: num(r.failing_count), seenAt: iso(r.seen_at) })),
    };
  }

  /** A lead's acknowledgement: the entry stays quiet until its failing count changes. */
  async acknowledgeCheck(id: number, note: string, at: Date): Promise<LogEntry | undefined> {
    return this.knex.transaction(async (trx) => {
      const [row]: Record<string, unknown>[] = await lockedOnPostgres(trx('check_log').where('id', id), trx);
      if (!row) return undefined;
      if (row.status === 'resolved') throw new Error(`entry ${id} is resolved: there is nothing to acknowledge`);
      await trx('check_log')
        .where('id', id)
        .update({ status: 'acknowledged', ack_note: note, acknowledged_at: at.toISOString(), acknowledged_failing_count: row.failing_count });
      return toLogEntry(await trx('check_log').where('id', id).first());
    });
  }

  /** Periods in which these checks have an open or acknowledged entry: left out of baselines. */
  async flaggedPeriods(checkIds: string[], pipelineId: string): Promise<{ checkId: string; periodId: string }[]> {
    if (!checkIds.length) return [];
    const rows = await this.knex('check_log')
      .select('check_id', 'period_id')
      .whereIn('check_id', checkIds)
      .andWhere('pipeline_id', pipelineId)
      .whereIn('status', ['open', 'acknowledged']);
    return rows.map((r) => ({ checkId: r.check_id, periodId: r.period_id }));
  }

  /** Results of every check in the given runs. */
  async checkResults(runIds: number[]): Promise<(Omit<CheckResult, 'sample' | 'type'> & { runId: number; type: string })[]> {
    if (!runIds.length) return [];
    const rows = await this.knex('check_results').whereIn('run_id', runIds).orderBy('id');
    return rows.map((r) => ({
      runId: Number(r.run_id),
      checkId: r.check_id,
      type: r.check_type,
      status: r.status,
      severity: r.severity,
      failing: num(r.failing_count),
      checked: num(r.checked_count),
      share: num(r.failing_share),
      message: r.message,
    }));
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }
}

/** Stores a run's check results and moves each check's log entry for the period, in one transaction. */
async function recordChecks(trx: Knex.Transaction, runId: number, run: RunRecord, checks: RunChecks): Promise<void> {
  if (!checks.results.length) return;
  const at = run.finishedAt.toISOString();
  await trx.batchInsert(
    'check_results',
    checks.results.map((r) => ({
      run_id: runId,
      check_id: r.checkId,
      check_type: r.type,
      status: r.status,
      severity: r.severity,
      failing_count: r.failing,
      checked_count: r.checked,
      failing_share: r.share,
      message: r.message,
    })),
    200,
  );
  // Locked, so that a run and an acknowledgement (or two runs) cannot both act on what they read.
  const existing: Record<string, unknown>[] = await lockedOnPostgres(
    trx('check_log')
      .whereIn(
        'check_id',
        checks.results.map((r) => r.checkId),
      )
      .andWhere({ pipeline_id: run.pipelineId, period_id: run.periodId }),
    trx,
  );
  const byCheck = new Map(existing.map((row) => [row.check_id as string, row]));
  for (const result of checks.results) {
    const row = byCheck.get(result.checkId);
    const next = nextLogState(row ? toLogEntry(row) : undefined, result, at);
    if (!next) continue;
    const fields = {
      severity: next.severity,
      status: next.status,
      first_failed_at: next.firstFailedAt,
      last_failed_at: next.lastFailedAt,
      resolved_at: next.resolvedAt,
      consecutive_failures: next.consecutiveFailures,
      failing_count: next.failingCount,
      failing_share: next.failingShare,
      acknowledged_failing_count: next.acknowledgedFailingCount,
      // A pass keeps the evidence of the last failure; a failure replaces it.
      ...(next.status === 'resolved' ? {} : { sample: JSON.stringify(result.sample), message: result.message }),
    };
    let entryId: number;
    if (row) {
      entryId = Number(row.id);
      await trx('check_log').where('id', entryId).update(fields);
    } else {
      // Two runs of one period at once may both find no entry: the second merges into the first's.
      const [inserted] = await trx('check_log')
        .insert({
          ...fields,
          check_id: result.checkId,
          check_type: result.type,
          pipeline_id: run.pipelineId,
          source: checks.source,
          period_id: run.periodId,
          period_start: run.periodStart,
          sample: JSON.stringify(result.sample),
          message: result.message,
        })
        .onConflict(['check_id', 'pipeline_id', 'period_id'])
        .merge(fields)
        .returning('id');
      entryId = Number(typeof inserted === 'object' ? inserted.id : inserted);
    }
    await trx('check_log_runs').insert({ entry_id: entryId, run_id: runId, status: result.status, failing_count: result.failing, seen_at: at });
  }
}

/** SELECT ... FOR UPDATE where the store is PostgreSQL; SQLite serialises writers already. */
function lockedOnPostgres(q: Knex.QueryBuilder, trx: Knex.Transaction): Knex.QueryBuilder {
  return trx.client.config.client === 'pg' ? q.forUpdate() : q;
}

function toLogEntry(r: Record<string, unknown>): LogEntry {
  let sample: Record<string, unknown>[] = [];
  try {
    sample = JSON.parse(String(r.sample ?? '[]'));
  } catch {
    sample = [];
  }
  return {
    id: Number(r.id),
    checkId: r.check_id as string,
    checkType: r.check_type as string,
    pipelineId: r.pipeline_id as string,
    source: r.source as string,
    periodId: r.period_id as string,
    periodStart: dateOnly(r.period_start),
    severity: r.severity as 'warn' | 'error',
    status: r.status as LogStatus,
    consecutiveFailures: Number(r.consecutive_failures),
    failingCount: num(r.failing_count),
    failingShare: num(r.failing_share),
    acknowledgedFailingCount: num(r.acknowledged_failing_count),
    firstFailedAt: iso(r.first_failed_at),
    lastFailedAt: iso(r.last_failed_at),
    resolvedAt: isoOrNull(r.resolved_at),
    sample,
    message: r.message as string,
    ackNote: (r.ack_note as string | null) ?? null,
    acknowledgedAt: isoOrNull(r.acknowledged_at),
  };
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

function judgementColumns(j: ValueJudgement) {
  return {
    target: j.target,
    tolerance_amount: j.toleranceAmount,
    rag: j.rag,
    rag_explanation: j.explanation,
    direction_previous: j.directionPrevious,
    direction_last_year: j.directionLastYear,
  };
}

function sameValue(old: Record<string, unknown>, v: ValueRecord): boolean {
  return (
    num(old.value) === v.value &&
    num(old.numerator) === v.numerator &&
    num(old.denominator) === v.denominator &&
    (old.reason ?? null) === v.reason &&
    old.data_quality === v.dataQuality
  );
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
    dataQuality: r.data_quality as DataQuality,
    judgement:
      r.rag === null || r.rag === undefined
        ? undefined
        : {
            target: num(r.target),
            toleranceAmount: num(r.tolerance_amount),
            rag: r.rag as string,
            explanation: (r.rag_explanation as string) ?? '',
            directionPrevious: (r.direction_previous as string | null) ?? null,
            directionLastYear: (r.direction_last_year as string | null) ?? null,
          },
    runId: Number(r.run_id),
    recordedAt: iso(r.recorded_at),
    supersededAt: isoOrNull(r.superseded_at),
  };
}

function riskPosition(r: Record<string, unknown>): RiskPositionRecord {
  return {
    riskId: r.risk_id as string,
    assessedAt: iso(r.assessed_at),
    likelihood: r.likelihood as string,
    impact: r.impact as string,
    score: Number(r.score),
    aboveTolerance: Boolean(r.above_tolerance),
    triggered: Boolean(r.triggered),
    evidence: JSON.parse(r.evidence as string) as string[],
  };
}
