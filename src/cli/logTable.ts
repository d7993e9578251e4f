import type { LogEntry } from '../quality/failedCheckLog.js';
import { renderTable, truncate } from './table.js';

/** Failed-check log entries as a table, one line each. */
export function logTable(entries: LogEntry[]): string {
  const rows = entries.map((e) => [
    String(e.id),
    e.checkId,
    e.pipelineId,
    e.periodId,
    e.severity,
    e.status,
    String(e.consecutiveFailures),
    e.failingCount === null ? '' : String(e.failingCount),
    e.lastFailedAt.slice(0, 16).replace('T', ' '),
    truncate(e.message, 70),
  ]);
  return renderTable(['id', 'check', 'pipeline', 'period', 'severity', 'status', 'runs', 'failing', 'last failed', 'message'], rows);
}
