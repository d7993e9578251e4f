import type { OpenService } from '../app/open.js';
import { scheduledJobs } from '../app/scheduledRun.js';
import type { StoreCoordinator } from './coordinator.js';
import type { JobRunner } from './jobs.js';

export interface SweepDeps {
  current(): OpenService;
  runner: JobRunner;
  coordinator: StoreCoordinator;
  replica: string;
  now?: () => Date;
  /** Stopping: the leases of the runs under way renewed, nothing new claimed or taken over. */
  renewOnly?: boolean;
}

/**
 * One sweep, every third of a lease in every replica: this replica's leases renewed (and it seen
 * alive), slots whose claim the store could not take tried again, slots other replicas left
 * behind taken over (a lease that lapsed is a replica that died, and its attempt is recorded
 * interrupted before the slot is run again here).
 */
export async function sweep(deps: SweepDeps): Promise<void> {
  const open = deps.current();
  const { lease, max_attempts } = open.config.service.scheduler;
  const now = deps.now ?? (() => new Date());
  const claims = open.store.claims;
  await deps.runner.renew(lease);
  await claims.seen(deps.replica, now());
  if (deps.renewOnly) return;
  const pending = deps.coordinator.takePending();
  for (let i = 0; i < pending.length; i++) {
    try {
      const answer = await claims.claim(pending[i]!, deps.replica, now(), lease);
      if (answer.claimed) void deps.runner.run(answer.claim);
    } catch (err) {
      deps.coordinator.keepPending(pending.slice(i));
      throw err;
    }
  }
  const jobs = scheduledJobs(open).map((j) => j.job);
  for (const claim of await claims.takeOver(jobs, deps.replica, now(), lease, max_attempts)) {
    open.logger.warn({ job: claim.job, slot: claim.slot, attempt: claim.attempt }, 'took over a slot another replica left: running it again');
    void deps.runner.run(claim);
  }
}
