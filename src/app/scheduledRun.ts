import { KIND_OF_FREQUENCY } from '../calendar/periods.js';
import type { PeriodChoice } from '../calendar/selection.js';
import type { LocalDate } from '../calendar/localDate.js';
import type { LoadedPipeline } from '../config/load.js';
import { pipelineJob } from '../store/claims.js';
import type { OpenService } from './open.js';
import { runCycle, type Cycle } from './runCycle.js';

/** The pipeline a job runs, or undefined when the job is not a pipeline's (or the pipeline is no longer configured). */
export function pipelineOfJob(open: Pick<OpenService, 'config'>, job: string): LoadedPipeline | undefined {
  return job.startsWith('pipeline:') ? open.config.pipelines.find((p) => pipelineJob(p.id) === job) : undefined;
}

/**
 * The periods a scheduled run computes: the latest complete period as of the slot's day, and
 * the `recompute` before it, for data that came in late (and periods still awaiting data).
 */
export function slotPeriods(open: Pick<OpenService, 'config'>, pipeline: LoadedPipeline, slotDay: LocalDate): PeriodChoice {
  const { calendar, service } = open.config;
  const latest = calendar.latestComplete(slotDay, KIND_OF_FREQUENCY[pipeline.frequency]);
  let first = latest;
  for (let n = pipeline.recompute ?? service.scheduler.recompute; n > 0; n--) first = calendar.previous(first);
  return { from: first.id, to: latest.id };
}

/**
 * One scheduled run of one pipeline, through the same run cycle as the CLI (risks, exceptions,
 * outbox): its periods as of the slot's day, a source's failure tried again after each of the
 * configured pauses before it is recorded.
 */
export function runSlot(open: OpenService, pipeline: LoadedPipeline, slotDay: LocalDate, signal: AbortSignal, now?: () => Date): Promise<Cycle> {
  return runCycle(open, { pipelines: [pipeline], choice: slotPeriods(open, pipeline, slotDay), signal, now, retries: open.config.service.scheduler.source_retries });
}
