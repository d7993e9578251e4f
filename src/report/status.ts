import { nextFiring } from '../calendar/schedule.js';
import type { Claim, ClaimStore, Replica } from '../store/claims.js';

/** How many of each job's newest slots `status` shows. */
export const SLOTS_SHOWN = 3;
/** How long a stopped replica is still shown. */
const STOPPED_SHOWN_MS = 86_400_000;

/** A scheduled job as status names it: a pipeline's runs or a clinic's pack, its schedule, what a missed slot is worth. */
export interface StatusJob {
  job: string;
  pipeline: string | null;
  clinic: string | null;
  schedule: string;
  missed: string;
}

/** A scheduled job: when it next fires, and its newest slots as the store has them. */
export interface JobStatus extends StatusJob {
  next: string | null;
  recent: Claim[];
}

/** The scheduler as the store knows it, whichever replica asks: every job, the claims held, the replicas running or stopped within a day. */
export interface SchedulerStatus {
  timezone: string;
  jobs: JobStatus[];
  held: Claim[];
  replicas: Replica[];
}

export async function schedulerStatus(jobsScheduled: readonly StatusJob[], timezone: string, claims: Pick<ClaimStore, 'recent' | 'held' | 'replicas'>, now: Date): Promise<SchedulerStatus> {
  const [recent, held, replicas] = await Promise.all([claims.recent(SLOTS_SHOWN), claims.held(), claims.replicas(new Date(now.getTime() - STOPPED_SHOWN_MS))]);
  const jobs = jobsScheduled.map((j): JobStatus => ({ ...j, next: nextFiring(j.schedule, timezone)?.toISOString() ?? null, recent: recent.filter((c) => c.job === j.job) }));
  return { timezone, jobs, held, replicas };
}

const claimJson = (c: Claim) => ({ job: c.job, slot: c.slot, slotAt: c.slotAt, state: c.state, replica: c.replica, attempt: c.attempt, claimedAt: c.claimedAt, leaseUntil: c.leaseUntil, finishedAt: c.finishedAt, detail: c.detail });

/** The documented JSON shape of `status --json` and /api/status. */
export function statusJson(status: SchedulerStatus): unknown {
  return {
    timezone: status.timezone,
    jobs: status.jobs.map((j) => ({ job: j.job, pipeline: j.pipeline, clinic: j.clinic, schedule: j.schedule, missed: j.missed, next: j.next, recent: j.recent.map(claimJson) })),
    held: status.held.map(claimJson),
    replicas: status.replicas.map((r) => ({ id: r.id, host: r.host, pid: r.pid, startedAt: r.startedAt, seenAt: r.seenAt, stoppedAt: r.stoppedAt })),
  };
}
