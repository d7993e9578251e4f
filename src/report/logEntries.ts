import type { LogEntry, LogEntryRun, LogFilter } from '../quality/failedCheckLog.js';
import type { CheckLogStore } from '../store/checkLog.js';

/** The statuses the log is listed by: each of an entry's, or all. */
export const LOG_STATUSES = ['open', 'resolved', 'acknowledged', 'all'] as const;

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

/** The failed-check log's entries, most recently failing first. */
export function failedCheckLog(log: CheckLogStore, filter: LogFilter): Promise<LogEntry[]> {
  return log.checkLog(filter);
}

/** One entry with every run that saw it, or why there is none. */
export async function logEntry(log: CheckLogStore, id: number): Promise<{ entry: LogEntry; runs: LogEntryRun[] }> {
  const found = await log.checkLogEntry(id);
  if (!found) throw new Error(`no failed-check log entry ${id}`);
  return found;
}

/** The documented `checks --format json` shape. */
export function entriesJson(entries: readonly LogEntry[]) {
  return { entries: entries.map(entryJson) };
}

/** The documented `checks show --json` shape: the entry and its runs. */
export function entryDetailJson(found: { entry: LogEntry; runs: LogEntryRun[] }) {
  return { ...entryJson(found.entry), runs: found.runs };
}

/** The `--format csv` rows: the JSON shape's columns but the sample. */
export function entriesCsv(entries: readonly LogEntry[]): unknown[][] {
  return [[...ENTRY_CSV_COLUMNS], ...entries.map((e) => {
    const j = entryJson(e);
    return ENTRY_CSV_COLUMNS.map((c) => j[c]);
  })];
}
