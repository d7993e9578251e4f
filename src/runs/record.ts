import type { LocalDate } from '../calendar/localDate.js';
import type { ComputedValue } from '../indicators/compute.js';
import type { ValueJudgement } from '../judging/judgement.js';
import type { CheckResult, DataQuality } from '../quality/result.js';

export type RunOutcome = 'succeeded' | 'failed';

/** One pipeline run for one period, as recorded. */
export interface RunRecord {
  pipelineId: string;
  periodId: string;
  periodStart: LocalDate;
  periodEnd: LocalDate;
  startedAt: Date;
  finishedAt: Date;
  outcome: RunOutcome;
  error: string | null;
  rowsRead: number;
  rowsRejected: number;
  /** What the source could not give, in words; the period's data quality is at most warned. */
  warnings: string[];
}

/** A computed value once checked and judged: what a run records. */
export interface JudgedValue extends ComputedValue {
  dataQuality: DataQuality;
  judgement?: ValueJudgement;
}

/** The checks a run executed, for the failed-check log. */
export interface RunChecks {
  source: string;
  results: CheckResult[];
}

/** What a recorded run changed: values new to the store, values revised, values confirmed. */
export interface RecordedRun {
  runId: number;
  added: number;
  revised: number;
  unchanged: number;
}

/** Where runs are recorded: each successful run with its values and checks all or nothing. */
export interface RunRecorder {
  recordRun(run: RunRecord, values: JudgedValue[], checks: RunChecks): Promise<RecordedRun>;
  /** A failed run leaves stored values exactly as they were. */
  recordFailedRun(run: RunRecord): Promise<number>;
}
