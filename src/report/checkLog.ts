import type { LogEntry } from '../quality/failedCheckLog.js';

/** The documented JSON shape of a failed-check log entry (README, "JSON output"). */
export function entryJson(e: LogEntry) {
  return {
    id: e.id,
    check: e.checkId,
    type: e.checkType,
    pipeline: e.pipelineId,
    source: e.source,
    period: e.periodId,
    severity: e.severity,
    status: e.status,
    firstFailedAt: e.firstFailedAt,
    lastFailedAt: e.lastFailedAt,
    resolvedAt: e.resolvedAt,
    consecutiveFailures: e.consecutiveFailures,
    failingCount: e.failingCount,
    failingShare: e.failingShare,
    message: e.message,
    acknowledgedAt: e.acknowledgedAt,
    ackNote: e.ackNote,
    sample: e.sample,
  };
}

export const ENTRY_CSV_COLUMNS = ['id', 'check', 'type', 'pipeline', 'source', 'period', 'severity', 'status', 'firstFailedAt', 'lastFailedAt', 'resolvedAt', 'consecutiveFailures', 'failingCount', 'failingShare', 'message', 'acknowledgedAt', 'ackNote'] as const;
