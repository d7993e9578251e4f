import type { Knex } from 'knex';
import type { LocalDate } from '../calendar/localDate.js';
import type { JudgedValue, RecordedRun, RunChecks, RunOutcome, RunRecord } from '../runs/record.js';
import type { ValueJudgement } from '../judging/judgement.js';
import type { SeriesPoint } from '../judging/rateHistory.js';
import type { CheckResult, CheckStatus, DataQuality } from '../quality/result.js';
import type { RagStatus } from '../rag/scale.js';
import type { CheckLogStore } from './checkLog.js';
import { lockFor } from './locks.js';
import { dateOnly, iso, isoOrNull, num } from './rows.js';

/** A value as the store keeps it: which run recorded it, its revision, and when a later one superseded it. */
export interface StoredValue extends JudgedValue {
  pipelineId: string;
  periodId: string;
  periodStart: LocalDate;
  periodEnd: LocalDate;
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

/** Which runs to list, newest first. */
export interface RunFilter {
  pipelineId?: string;
  outcome?: RunOutcome;
  /** Finished at or after this instant (ISO 8601). */
  since?: string;
  limit: number;
}

/** A pipeline's health as its runs show it. */
export interface PipelineState {
  pipelineId: string;
  lastOutcome: RunOutcome;
  lastRunAt: string;
  lastSuccessAt: string | null;
  /** Its periods whose latest run found the data not yet in. */
  periodsAwaiting: number;
}

/** A current value with its judgement but not its explanation. */
export interface JudgedValueRow {
  indicatorId: string;
  periodId: string;
  value: number | null;
  dataQuality: DataQuality;
  target: number | null;
  toleranceAmount: number | null;
  /** Null where the value was recorded unjudged. */
  rag: RagStatus | null;
  directionPrevious: string | null;
  directionLastYear: string | null;
  recordedAt: string;
}

/** A check's result for its latest period. */
export interface LatestCheckResult {
  checkId: string;
  pipelineId: string;
  periodId: string;
  status: CheckStatus;
  failing: number | null;
}

/**
 * Runs and indicator values with their revisions (tables runs, indicator_values, check_results).
 * Every statement the service issues against them is a named method here.
 */
export class RunStore {
  constructor(
    private readonly db: Knex,
    private readonly checkLog: CheckLogStore,
  ) {}

  /**
   * Records a successful run and its values in one transaction: all of it or none of it. A value
   * that differs from the current one becomes a new revision; the old one is kept, superseded.
   */
  async recordRun(run: RunRecord, values: JudgedValue[], checks?: RunChecks): Promise<RecordedRun> {
    return this.db.transaction(async (trx) => {
      // Runs of one pipeline and period take turns: each reads the current revisions the last wrote.
      await lockFor(trx, periodLock(run), run.finishedAt);
      const runId = await insertRun(trx, run);
      if (checks) await this.checkLog.recordChecks(trx, runId, run, checks);
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

  /** Records a failed or awaiting run, with any checks it ran; stored values are left exactly as they were. */
  async recordRunWithoutValues(run: RunRecord, checks?: RunChecks): Promise<number> {
    if (!checks?.results.length) return insertRun(this.db, run);
    return this.db.transaction(async (trx) => {
      await lockFor(trx, periodLock(run), run.finishedAt);
      const runId = await insertRun(trx, run);
      await this.checkLog.recordChecks(trx, runId, run, checks);
      return runId;
    });
  }

  /**
   * Values of the given indicator ids with period start in [from, to): the current ones, or
   * with `includeRevised` every revision, oldest period first.
   */
  async storedValues(indicatorIds: string[], range: { from?: string; to?: string; includeRevised?: boolean } = {}): Promise<StoredValue[]> {
    const q = this.db('indicator_values').whereIn('indicator_id', indicatorIds);
    if (!range.includeRevised) q.whereNull('superseded_at');
    if (range.from) q.andWhere('period_start', '>=', range.from);
    if (range.to) q.andWhere('period_start', '<', range.to);
    const rows = await q.orderBy([{ column: 'period_start' }, { column: 'period_end', order: 'desc' }, { column: 'indicator_id' }, { column: 'revision' }]);
    return rows.map(toStoredValue);
  }

  async runsOf(pipelineId: string, periodId?: string): Promise<StoredRun[]> {
    const q = this.db('runs').where('pipeline_id', pipelineId);
    if (periodId) q.andWhere('period_id', periodId);
    const rows = await q.orderBy('id');
    return rows.map(toStoredRun);
  }

  /** Runs newest first, as many as `limit`: of one pipeline, with one outcome, finished at or after `since`. */
  async storedRuns(filter: RunFilter): Promise<StoredRun[]> {
    const q = this.db('runs');
    if (filter.pipelineId) q.where('pipeline_id', filter.pipelineId);
    if (filter.outcome) q.andWhere('outcome', filter.outcome);
    if (filter.since) q.andWhere('finished_at', '>=', filter.since);
    const rows = await q.orderBy('id', 'desc').limit(filter.limit);
    return rows.map(toStoredRun);
  }

  /**
   * Every pipeline's health as its runs show it: its latest run, its last success and how many
   * of its periods were last found awaiting data. Three queries whatever the number of pipelines.
   */
  async pipelineStates(): Promise<PipelineState[]> {
    const latestOfPipeline = this.db('runs').max({ id: 'id' }).groupBy('pipeline_id');
    const latest = await this.db('runs').select('pipeline_id', 'outcome', 'finished_at').whereIn('id', latestOfPipeline);
    const successes: Record<string, unknown>[] = await this.db('runs').select('pipeline_id').max({ at: 'finished_at' }).where('outcome', 'succeeded').groupBy('pipeline_id');
    const latestOfPeriod = this.db('runs').max({ id: 'id' }).groupBy('pipeline_id', 'period_id');
    const awaiting: Record<string, unknown>[] = await this.db('runs').select('pipeline_id').count({ n: '*' }).whereIn('id', latestOfPeriod).andWhere('outcome', 'awaiting').groupBy('pipeline_id');
    const lastSuccess = new Map(successes.map((r) => [r.pipeline_id as string, iso(r.at)]));
    const awaitingCount = new Map(awaiting.map((r) => [r.pipeline_id as string, Number(r.n)]));
    return latest.map((r) => ({
      pipelineId: r.pipeline_id as string,
      lastOutcome: r.outcome as RunOutcome,
      lastRunAt: iso(r.finished_at),
      lastSuccessAt: lastSuccess.get(r.pipeline_id) ?? null,
      periodsAwaiting: awaitingCount.get(r.pipeline_id) ?? 0,
    }));
  }

  /** Each check's result for its latest period (the latest run of it that ran the check): one query of one row per check. */
  async latestCheckResults(): Promise<LatestCheckResult[]> {
    const rows = await this.db('check_states').select('check_id', 'pipeline_id', 'period_id', 'status', 'failing_count');
    return rows.map((r) => ({ checkId: r.check_id, pipelineId: r.pipeline_id, periodId: r.period_id, status: r.status as CheckStatus, failing: num(r.failing_count) }));
  }

  /**
   * When each pipeline's latest successful run of each of these periods finished: when its
   * values were last computed, whether or not they changed. One query.
   */
  async computedAt(periodIds: string[]): Promise<Map<string, string>> {
    if (!periodIds.length) return new Map();
    const rows: Record<string, unknown>[] = await this.db('runs')
      .select('pipeline_id', 'period_id')
      .max({ at: 'finished_at' })
      .whereIn('period_id', periodIds)
      .andWhere('outcome', 'succeeded')
      .groupBy('pipeline_id', 'period_id');
    return new Map(rows.map((r) => [`${r.pipeline_id}/${r.period_id}`, iso(r.at)]));
  }

  /**
   * The current value and judgement of every indicator in these periods, without the words of
   * its explanation: what the metrics show of thousands of indicators, in one query.
   */
  async judgedValuesIn(periodIds: string[]): Promise<JudgedValueRow[]> {
    if (!periodIds.length) return [];
    const rows = await this.db('indicator_values')
      .select('indicator_id', 'period_id', 'value', 'data_quality', 'target', 'tolerance_amount', 'rag', 'direction_previous', 'direction_last_year', 'recorded_at')
      .whereIn('period_id', periodIds)
      .whereNull('superseded_at');
    return rows.map((r) => ({
      indicatorId: r.indicator_id,
      periodId: r.period_id,
      value: num(r.value),
      dataQuality: r.data_quality as DataQuality,
      target: num(r.target),
      toleranceAmount: num(r.tolerance_amount),
      rag: (r.rag as RagStatus | null) ?? null,
      directionPrevious: r.direction_previous ?? null,
      directionLastYear: r.direction_last_year ?? null,
      recordedAt: iso(r.recorded_at),
    }));
  }

  /** The latest run of each of these pipelines in each of these periods that has one, in one query. */
  async latestRuns(pipelineIds: string[], periodIds: string[]): Promise<{ pipelineId: string; periodId: string; outcome: string; reason: string | null }[]> {
    if (!pipelineIds.length || !periodIds.length) return [];
    const latest = this.db('runs').max({ id: 'id' }).whereIn('pipeline_id', pipelineIds).whereIn('period_id', periodIds).groupBy('pipeline_id', 'period_id');
    const rows = await this.db('runs').select('pipeline_id', 'period_id', 'outcome', 'reason').whereIn('id', latest);
    return rows.map((r) => ({ pipelineId: r.pipeline_id, periodId: r.period_id, outcome: r.outcome, reason: r.reason ?? null }));
  }

  /** Current values of these indicators in these periods, in one query whatever their number. */
  async valuesInPeriods(indicatorIds: string[], periodIds: string[]): Promise<StoredValue[]> {
    if (!indicatorIds.length || !periodIds.length) return [];
    const rows = await this.db('indicator_values').whereIn('indicator_id', indicatorIds).whereIn('period_id', periodIds).whereNull('superseded_at');
    return rows.map(toStoredValue);
  }

  /**
   * Every indicator's current value for every period, in no order, and nothing else: the one
   * read behind judging everything afresh and weighing risk triggers. Only the three columns
   * needed, since the whole history passes through it.
   */
  async valueSeries(): Promise<SeriesPoint[]> {
    // Unordered: sorting the whole history in the database costs more than sorting each series after.
    const rows = await this.db('indicator_values').select('indicator_id', 'period_id', 'value').whereNull('superseded_at');
    return rows.map((r) => ({ indicatorId: r.indicator_id, periodId: r.period_id, value: num(r.value) }));
  }

  /** Recent check results and source runs, oldest first, for risk triggers. */
  async recentRunEvidence(since: string): Promise<{
    checks: { checkId: string; runId: number; status: string; at: string }[];
    runs: { pipelineId: string; outcome: string; at: string }[];
  }> {
    const checks = await this.db('check_results as c')
      .join('runs as r', 'r.id', 'c.run_id')
      .select('c.check_id', 'c.run_id', 'c.status', 'r.finished_at')
      .where('r.finished_at', '>=', since)
      .orderBy('c.run_id');
    const runs = await this.db('runs').select('pipeline_id', 'outcome', 'finished_at').where('finished_at', '>=', since).orderBy('id');
    return {
      checks: checks.map((r) => ({ checkId: r.check_id, runId: Number(r.run_id), status: r.status, at: iso(r.finished_at) })),
      runs: runs.map((r) => ({ pipelineId: r.pipeline_id, outcome: r.outcome, at: iso(r.finished_at) })),
    };
  }

  /** Current values of these indicators in periods that start before `before` (and from `from`), oldest first. */
  async seriesBefore(indicatorIds: string[], before: LocalDate, from?: LocalDate): Promise<StoredValue[]> {
    return this.storedValues(indicatorIds, { from, to: before });
  }

  /** Results of every check in the given runs. */
  async checkResults(runIds: number[]): Promise<(Omit<CheckResult, 'sample' | 'type'> & { runId: number; type: string })[]> {
    if (!runIds.length) return [];
    const rows = await this.db('check_results').whereIn('run_id', runIds).orderBy('id');
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
}

/** The lock the runs of one pipeline and period share. */
const periodLock = (run: RunRecord) => `run ${run.pipelineId} ${run.periodId}`;

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
      warnings: run.warnings.length ? JSON.stringify(run.warnings) : null,
      reason: run.reason ?? null,
      newest_record: run.newestRecord ?? null,
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

function sameValue(old: Record<string, unknown>, v: JudgedValue): boolean {
  return (
    num(old.value) === v.value &&
    num(old.numerator) === v.numerator &&
    num(old.denominator) === v.denominator &&
    (old.reason ?? null) === v.reason &&
    old.data_quality === v.dataQuality
  );
}

function toStoredRun(r: Record<string, unknown>): StoredRun {
  return {
    id: Number(r.id),
    pipelineId: r.pipeline_id as string,
    periodId: r.period_id as string,
    periodStart: dateOnly(r.period_start),
    periodEnd: dateOnly(r.period_end),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    outcome: r.outcome as RunOutcome,
    error: (r.error as string | null) ?? null,
    rowsRead: Number(r.rows_read),
    rowsRejected: Number(r.rows_rejected),
    warnings: r.warnings ? (JSON.parse(r.warnings as string) as string[]) : [],
    reason: (r.reason as string | null) ?? null,
    newestRecord: (r.newest_record as string | null) ?? null,
  };
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
            rag: r.rag as RagStatus,
            explanation: (r.rag_explanation as string) ?? '',
            directionPrevious: (r.direction_previous as string | null) ?? null,
            directionLastYear: (r.direction_last_year as string | null) ?? null,
          },
    runId: Number(r.run_id),
    recordedAt: iso(r.recorded_at),
    supersededAt: isoOrNull(r.superseded_at),
  };
}

