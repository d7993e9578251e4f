import type { Knex } from 'knex';
import { lockFor } from './locks.js';
import { nextLogState, type LogEntry, type LogEntryRun, type LogFilter, type LogStatus } from '../quality/failedCheckLog.js';
import type { RunChecks, RunRecord } from '../runs/record.js';
import { dateOnly, iso, isoOrNull, num } from './rows.js';

/** Unresolved entries of the failed-check log, counted by pipeline and severity. */
export interface UnresolvedCount {
  pipelineId: string;
  severity: 'warn' | 'error';
  status: 'open' | 'acknowledged';
  count: number;
}

/**
 * The failed-check log (tables check_log and check_log_runs, read by dashboards through the
 * failed_check_log view), and every check result a run records (check_results, and each
 * check's latest in check_states). Every state change of an entry runs under its row lock on PostgreSQL,
 * so that a run and an acknowledgement (or two runs) cannot both act on what they read.
 */
export class CheckLogStore {
  constructor(private readonly db: Knex) {}

  /** Entries of the failed-check log, most recently failing first. */
  async checkLog(filter: LogFilter = {}): Promise<LogEntry[]> {
    const q = this.db('check_log');
    if (filter.status && filter.status !== 'all') q.where('status', filter.status);
    if (filter.pipelineId) q.andWhere('pipeline_id', filter.pipelineId);
    if (filter.since) q.andWhere('last_failed_at', '>=', filter.since);
    const rows = await q.orderBy([{ column: 'last_failed_at', order: 'desc' }, { column: 'id', order: 'desc' }]);
    return rows.map(toLogEntry);
  }

  /** Every entry not resolved (open or acknowledged), in one query: what exceptions are raised from. */
  async unresolvedEntries(): Promise<LogEntry[]> {
    return (await this.db('check_log').whereIn('status', ['open', 'acknowledged']).orderBy('id')).map(toLogEntry);
  }

  /** How many entries are open, and how many acknowledged, by pipeline and severity: one query. */
  async unresolvedCounts(): Promise<UnresolvedCount[]> {
    const rows: Record<string, unknown>[] = await this.db('check_log')
      .select('pipeline_id', 'severity', 'status')
      .count({ n: '*' })
      .whereIn('status', ['open', 'acknowledged'])
      .groupBy('pipeline_id', 'severity', 'status');
    return rows.map((r) => ({ pipelineId: r.pipeline_id as string, severity: r.severity as 'warn' | 'error', status: r.status as 'open' | 'acknowledged', count: Number(r.n) }));
  }

  async checkLogEntry(id: number): Promise<{ entry: LogEntry; runs: LogEntryRun[] } | undefined> {
    const row = await this.db('check_log').where('id', id).first();
    if (!row) return undefined;
    const runs = await this.db('check_log_runs').where('entry_id', id).orderBy('run_id');
    return {
      entry: toLogEntry(row),
      runs: runs.map((r) => ({ runId: Number(r.run_id), status: r.status, failingCount: num(r.failing_count), seenAt: iso(r.seen_at) })),
    };
  }

  /** A lead's acknowledgement: the entry stays quiet until its failing count changes. */
  async acknowledgeCheck(id: number, note: string, at: Date): Promise<LogEntry | undefined> {
    return this.db.transaction(async (trx) => {
      // Written first, so that on SQLite the transaction holds the write lock before it reads.
      await lockFor(trx, `check ${id}`, at);
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
    const rows = await this.db('check_log')
      .select('check_id', 'period_id')
      .whereIn('check_id', checkIds)
      .andWhere('pipeline_id', pipelineId)
      .whereIn('status', ['open', 'acknowledged']);
    return rows.map((r) => ({ checkId: r.check_id, periodId: r.period_id }));
  }

  /**
   * Stores a run's check results and moves each check's log entry for the period, inside the
   * transaction that records the run.
   */
  async recordChecks(trx: Knex.Transaction, runId: number, run: RunRecord, checks: RunChecks): Promise<void> {
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
    // Each check's result for its latest period: a backfill of an earlier period leaves it, and
    // of two runs of one period the later id wins, whichever commits last.
    await trx('check_states')
      .insert(
        checks.results.map((r) => ({ check_id: r.checkId, pipeline_id: run.pipelineId, run_id: runId, period_id: run.periodId, period_start: run.periodStart, status: r.status, severity: r.severity, failing_count: r.failing, recorded_at: at })),
      )
      .onConflict(['check_id', 'pipeline_id'])
      .merge()
      .where((q) =>
        q
          .where('check_states.period_start', '<', trx.raw('excluded.period_start'))
          .orWhere((same) => same.where('check_states.period_start', '=', trx.raw('excluded.period_start')).andWhere('check_states.run_id', '<', trx.raw('excluded.run_id'))),
      );
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
