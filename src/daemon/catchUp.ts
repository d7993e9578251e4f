import type { OpenService } from '../app/open.js';
import { scheduledJobs } from '../app/scheduledRun.js';
import { slotsBetween } from '../calendar/schedule.js';
import type { JobRunner } from './jobs.js';

/**
 * Slots missed while no replica ran, worked out from the newest slot the store recorded for each
 * job (a job never run before has missed nothing), and dealt with as the job's `missed` says (a
 * clinic's: once): skip (the newest is recorded as skipped, the mark the next downtime counts
 * from), once (the newest is run now), or all (the newest `missed_limit`, oldest first, one after
 * another). Replicas starting together each try: the claims decide, and a replica that finds
 * another working through a job's catch-up leaves it to that one. Stops at `signal`.
 */
export async function catchUp(open: OpenService, runner: JobRunner, replica: string, now: Date, signal: AbortSignal): Promise<void> {
  const { scheduler, timezone } = open.config.service;
  const claims = open.store.claims;
  const jobs = scheduledJobs(open);
  const last = await claims.lastSlots(jobs.map((j) => j.job));
  await Promise.all(
    jobs.map(async ({ job, schedule, missed: policy }) => {
      const recorded = last.get(job);
      if (!recorded) return;
      const { slots, more } = slotsBetween(schedule, timezone, new Date(recorded.slotAt), now, policy === 'all' ? scheduler.missed_limit : 1);
      if (!slots.length) return;
      const log = open.logger.child({ job, missed: more ? `more than ${slots.length}` : slots.length, since: recorded.slot });
      if (policy === 'skip') {
        await claims.skip([{ job, slot: slots[0]!.slot, slotAt: slots[0]!.at }], replica, now, 'missed while no replica ran (missed: skip)');
        return log.info('missed slots skipped (missed: skip)');
      }
      if (more && policy === 'all') log.warn(`missed slots beyond the newest ${slots.length} (missed_limit) are not run`);
      log.info({ policy }, 'catching up missed slots');
      for (const slot of [...slots].reverse()) {
        if (signal.aborted) return;
        const answer = await claims.claim({ job, slot: slot.slot, slotAt: slot.at }, replica, new Date(), scheduler.lease, 'leave');
        if (!answer.claimed) {
          // Taken: another replica is working through them. Overlap: a slot of the job is running
          // (another's catch-up, or its schedule firing meanwhile), and the rest are left to it.
          if (answer.reason === 'overlap') log.warn({ running: answer.by.slot, on: answer.by.replica, left: slot.slot }, 'catch-up stopped: a slot of this job is running; the missed slots from here are not run');
          return;
        }
        await runner.run(answer.claim);
      }
    }),
  );
}
