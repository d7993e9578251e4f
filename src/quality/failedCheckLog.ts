import type { CheckResult } from './result.js';

export type LogStatus = 'open' | 'resolved' | 'acknowledged';

/** The part of a failed-check log entry that a run can change. */
export interface LogState {
  status: LogStatus;
  severity: 'warn' | 'error';
  consecutiveFailures: number;
  failingCount: number | null;
  failingShare: number | null;
  /** The failing count a lead acknowledged: the entry stays quiet while the count stays so. */
  acknowledgedFailingCount: number | null;
  firstFailedAt: string;
  lastFailedAt: string;
  resolvedAt: string | null;
}

/**
 * Whether a result keeps its check's entry open (failed or warned), resolves it (passed), or
 * says nothing of it (a check that could not run).
 */
export function isFailing(result: Pick<CheckResult, 'status'>): boolean | undefined {
  return result.status === 'error' ? undefined : result.status === 'failed' || result.status === 'warned';
}

/**
 * What a check's result does to its entry in the failed-check log. A failure opens an entry or
 * extends it; a pass resolves it; an acknowledged entry stays quiet until its failing count
 * changes, then opens again. A check that could not run leaves the log alone: its error is in the
 * run's results. Returns undefined when there is nothing to write.
 */
export function nextLogState(current: LogState | undefined, result: CheckResult, at: string): LogState | undefined {
  const failing = isFailing(result);
  if (failing === undefined) return undefined;
  if (!failing) {
    if (!current || current.status === 'resolved') return undefined;
    return { ...current, status: 'resolved', consecutiveFailures: 0, resolvedAt: at };
  }
  const measured = { severity: result.severity, failingCount: result.failing, failingShare: result.share, lastFailedAt: at, resolvedAt: null };
  if (!current) {
    return { ...measured, status: 'open', consecutiveFailures: 1, acknowledgedFailingCount: null, firstFailedAt: at };
  }
  const quiet = current.status === 'acknowledged' && current.acknowledgedFailingCount === result.failing;
  return {
    ...current,
    ...measured,
    status: quiet ? 'acknowledged' : 'open',
    consecutiveFailures: current.status === 'resolved' ? 1 : current.consecutiveFailures + 1,
  };
}

/** An entry of the failed-check log: one check's failure in one period, followed across runs. */
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

/** A run that saw an entry's check, and what it found. */
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
