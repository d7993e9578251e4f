import type { LocalDate } from '../calendar/localDate.js';
import { KIND_OF_FREQUENCY } from '../calendar/periods.js';
import type { PeriodChoice } from '../calendar/selection.js';
import type { Clinic } from '../config/clinics.js';
import type { LoadedPipeline } from '../config/load.js';
import type { MISSED } from '../config/schema.js';
import { schedulerStatus, type SchedulerStatus } from '../report/status.js';
import { clinicJob, pipelineJob } from '../store/claims.js';
import { packPeriod, sendClinicPack } from './clinicPack.js';
import { deliverOutbox } from './deliver.js';
import type { OpenService } from './open.js';
import { runCycle, type Cycle } from './runCycle.js';

/** Something the daemon runs on a schedule: a pipeline's runs, or a clinic's pack. */
export type ScheduledJob = { job: string; schedule: string; missed: (typeof MISSED)[number] } & ({ pipeline: LoadedPipeline } | { clinic: Clinic });

/**
 * Every job of the service as configured now: each pipeline, then each clinic. A clinic's pack
 * missed while no replica ran is sent once at start: its members still need it before they meet.
 */
export function scheduledJobs(open: Pick<OpenService, 'config' | 'clinics'>): ScheduledJob[] {
  const { scheduler } = open.config.service;
  return [
    ...open.config.pipelines.map((pipeline) => ({ job: pipelineJob(pipeline.id), schedule: pipeline.schedule, missed: pipeline.missed ?? scheduler.missed, pipeline })),
    ...(open.clinics?.clinics ?? []).map((clinic) => ({ job: clinicJob(clinic.id), schedule: clinic.schedule, missed: 'once' as const, clinic })),
  ];
}

/** The scheduler as the store knows it, for `status` and /api/status: every job of the service as configured now. */
export function schedulerStatusOf(open: Pick<OpenService, 'config' | 'clinics' | 'store'>, now: Date): Promise<SchedulerStatus> {
  const jobs = scheduledJobs(open).map(({ job, schedule, missed, ...of }) => ({ job, schedule, missed, pipeline: 'pipeline' in of ? of.pipeline.id : null, clinic: 'clinic' in of ? of.clinic.id : null }));
  return schedulerStatus(jobs, open.config.service.timezone, open.store.claims, now);
}

/** The job a claim names, or undefined when the configuration no longer has it. */
export function jobNamed(open: Pick<OpenService, 'config' | 'clinics'>, job: string): ScheduledJob | undefined {
  return scheduledJobs(open).find((j) => j.job === job);
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

/**
 * One scheduled pack of one clinic: the period of its kind that ended last as of the slot's day,
 * drawn up from the store as it stands, written to the outbox once per clinic and period (a
 * later slot, or another replica, finds it sent), and the outbox sent. What it came to, in words.
 */
export async function packSlot(open: OpenService, clinic: Clinic, slotDay: LocalDate, now: () => Date = () => new Date()): Promise<string> {
  const at = now();
  const period = packPeriod(open, clinic, slotDay);
  const sent = await sendClinicPack(open, clinic, period, at, { scheduled: true });
  // Sent even when recorded already: a replica that died after writing the pack left it unsent.
  const delivered = await deliverOutbox(open, now);
  const outbox = `outbox: ${delivered.sent} sent, ${delivered.retrying} to retry, ${delivered.failed} failed`;
  return sent.sent ? `${clinic.id} ${period.id}: pack written for ${sent.messages} member(s); ${outbox}` : `${clinic.id} ${period.id}: not written again (${sent.why}); ${outbox}`;
}
