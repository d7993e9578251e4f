import type { LocalDate } from '../calendar/localDate.js';
import type { ComputedValue } from '../indicators/compute.js';
import type { ValueJudgement } from '../judging/judgement.js';
import type { CheckResult, DataQuality } from '../quality/result.js';

/** A run computed its values, failed (its source or its rows), or found the period's data not yet in. */
export type RunOutcome = 'succeeded' | 'failed' | 'awaiting';

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
  /** Why an awaiting run computed nothing, in words ("no data received for 2026-11: ..."). */
  reason?: string | null;
  /** The newest record's date the run read, where the pipeline has a way to know it. */
  newestRecord?: LocalDate | null;
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
  /** A failed or awaiting run leaves stored values exactly as they were; an awaiting one may still have checked its feed. */
  recordRunWithoutValues(run: RunRecord, checks?: RunChecks): Promise<number>;
}

/**
 * The store itself failed (it did not answer, refused a write): never a source's failure, so a
 * run that meets one is not recorded as failed, and the cycle stops with the store named.
 */
export class StoreFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreFault';
  }
}

/** Told of every run recorded, for the serving process's own metrics of the work it did. */
export interface RunObserver {
  runRecorded(run: RunRecord): void;
}

/** `recorder`, telling `observer` of each run once it is recorded. */
export function observedRecorder(recorder: RunRecorder, observer: RunObserver): RunRecorder {
  return {
    async recordRun(run, values, checks) {
      const recorded = await recorder.recordRun(run, values, checks);
      observer.runRecorded(run);
      return recorded;
    },
    async recordRunWithoutValues(run, checks) {
      const id = await recorder.recordRunWithoutValues(run, checks);
      observer.runRecorded(run);
      return id;
    },
  };
}
