import type { RunOutcome } from '../runs/record.js';
import type { RunFilter, RunStore, StoredRun } from '../store/runs.js';

export const RUN_OUTCOMES: readonly RunOutcome[] = ['succeeded', 'failed', 'awaiting'];
/** Runs listed at most at once: a store holds years of them. */
export const MAX_RUNS_LISTED = 5000;
export const DEFAULT_RUNS_LISTED = 100;

/** The store's runs, newest first. */
export function runLog(runs: RunStore, filter: RunFilter): Promise<StoredRun[]> {
  return runs.storedRuns(filter);
}

/** The documented `/api/runs` shape (README, "Serving: metrics and the HTTP API"). */
export function runLogJson(list: readonly StoredRun[]) {
  return {
    runs: list.map((r) => ({
      id: r.id,
      pipeline: r.pipelineId,
      period: r.periodId,
      outcome: r.outcome,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      rowsRead: r.rowsRead,
      rowsRejected: r.rowsRejected,
      error: r.error,
      reason: r.reason ?? null,
      newestRecord: r.newestRecord ?? null,
      warnings: r.warnings,
    })),
  };
}
