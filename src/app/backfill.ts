import { hostname } from 'node:os';
import { dateIn } from '../calendar/localDate.js';
import { KIND_OF_FREQUENCY, type Period } from '../calendar/periods.js';
import { choosePeriods } from '../calendar/selection.js';
import type { LoadedPipeline } from '../config/load.js';
import { runPipeline } from '../runs/execute.js';
import type { RunOutcome, RunRecorder, RunRecord } from '../runs/record.js';
import { boundedSources } from '../sources/bounded.js';
import type { Claim } from '../store/claims.js';
import { inTurns, lanesOf, type Lane } from './backfillLanes.js';
import { runContextOf, type OpenService } from './open.js';
import { afterRuns, type Cycle } from './runCycle.js';

/*
 * How a backfill sits in job_claims, beside the daemon's own jobs:
 *
 * - The backfill itself is one job, `backfill <scope> <from>..<to> <only>`, whose slots are its
 *   generations (1, 2, ...). Its claim is held, and renewed, while it runs: a second process
 *   asked for the same backfill finds it running and refuses. Left interrupted (a signal) or
 *   running under a lapsed lease (the process died), the next run of the same request takes the
 *   generation over and resumes it. Finished or failed, it is complete, and the same request
 *   later starts a new generation: backfilling a range again on purpose is just asking again.
 * - Each period of a generation is a job of its own, `backfill #<generation claim id>
 *   <pipeline>@<period>`, with the period id as its one slot. A claim's overlap rule is per job,
 *   so periods run side by side never record each other as skipped, and taking over a job's
 *   left claim can only take that generation's attempt at that period.
 */

/** Which periods of the range a backfill runs: those with no run at all, those whose latest run failed, or every one. */
export const ONLY = ['never-run', 'failed', 'all'] as const;
export type Only = (typeof ONLY)[number];

export interface BackfillRequest {
  pipelines: readonly LoadedPipeline[];
  /** How the request named them (a pipeline id, or --all): part of what makes it the same backfill when asked again. */
  scope: string;
  from: string;
  to: string;
  only: Only;
  /** At most this many periods, and queries, at once on each source. */
  concurrency: number;
  /** Stops claiming periods: the periods under way finish and are recorded, the rest are left to a resume. */
  stop?: AbortSignal;
  /** Gives up the periods under way: their claims are marked interrupted at once, and the backfill returns without them. */
  abort?: AbortSignal;
  now?: () => Date;
  /** Told after each period, for a progress display. */
  onProgress?(progress: Progress): void;
}

export interface Progress {
  /** Periods this run of the backfill set out to run. */
  total: number;
  done: number;
  failed: number;
  last: { pipelineId: string; periodId: string; outcome: RunOutcome | 'interrupted' };
}

/** What a period of the range comes to: run it, resume it, leave it as this backfill already did, as --only leaves it, or as another process holds it. */
export type PeriodAction = 'run' | 'resume' | 'done' | 'not chosen' | 'busy';

export interface PlannedPeriod {
  pipelineId: string;
  source: string;
  period: Period;
  action: PeriodAction;
  /** In words: the period's latest run, or what this backfill's claim of it says. */
  why: string;
  /** This backfill's claim of the period, where it has one. */
  claim?: Claim;
}

export interface BackfillPlan {
  job: string;
  /** The generation to run: a new one, or one left unfinished to resume. */
  generation: number;
  resumes: boolean;
  /** The generation's claim when another process holds it under a live lease. */
  runningElsewhere?: Claim;
  periods: PlannedPeriod[];
  /** Pipelines with no ended period of their own frequency in the range, each with why. */
  skipped: string[];
}

export interface PeriodResult {
  pipelineId: string;
  periodId: string;
  outcome: RunOutcome | 'interrupted';
  error: string | null;
}

export interface BackfillSummary {
  plan: BackfillPlan;
  /** The periods this run of the backfill ran (or left interrupted), in the order they ended. */
  results: PeriodResult[];
  /** Periods of this backfill that failed, now or before a resume. */
  failed: { pipelineId: string; periodId: string; error: string }[];
  /** Stopped before every period was run: asking again resumes it. */
  interrupted: boolean;
  /** Risks, exceptions and delivery after the runs; none when the backfill was abandoned. */
  after?: Pick<Cycle, 'risks' | 'exceptions' | 'delivered'>;
}

/** How often a backfill's generation may be taken over: as often as its operator asks it to resume (each period still has max_attempts). */
const ALWAYS_RESUMABLE = Number.MAX_SAFE_INTEGER;

const backfillJob = (r: Pick<BackfillRequest, 'scope' | 'from' | 'to' | 'only'>, open: OpenService) => {
  const { calendar } = open.config;
  return `backfill ${r.scope} ${calendar.parse(r.from).id}..${calendar.parse(r.to).id} ${r.only}`;
};
const periodJob = (generationId: number, pipelineId: string, periodId: string) => `backfill #${generationId} ${pipelineId}@${periodId}`;
const leaseLive = (c: Claim, at: Date) => c.state === 'running' && Date.parse(c.leaseUntil) > at.getTime();

/** Refuses a request that cannot be run, with the reason, before anything is read or written. */
function checkBackfill(open: OpenService, request: Pick<BackfillRequest, 'from' | 'to' | 'only' | 'concurrency'>): void {
  const { calendar } = open.config;
  const from = calendar.parse(request.from);
  const to = calendar.parse(request.to);
  if (from.start >= to.end) throw new Error(`--from ${from.id} is after --to ${to.id}`);
  if (!ONLY.includes(request.only)) throw new Error(`--only must be one of ${ONLY.join(', ')}`);
  if (!Number.isInteger(request.concurrency) || request.concurrency < 1) throw new Error('--concurrency must be a positive integer');
}

/** What a backfill would do now, reading the store and writing nothing: what --dry-run shows, and where a run starts. */
export async function planBackfill(open: OpenService, request: BackfillRequest): Promise<BackfillPlan> {
  checkBackfill(open, request);
  const at = (request.now ?? (() => new Date()))();
  const endedBy = dateIn(at, open.config.service.timezone);
  const job = backfillJob(request, open);
  const chosen: { pipeline: LoadedPipeline; periods: Period[] }[] = [];
  const skipped: string[] = [];
  for (const pipeline of request.pipelines) {
    try {
      chosen.push({ pipeline, periods: choosePeriods(open.config.calendar, KIND_OF_FREQUENCY[pipeline.frequency], { from: request.from, to: request.to, endedBy }, endedBy) });
    } catch (err) {
      skipped.push(`${pipeline.id} (${pipeline.frequency}) skipped: ${(err as Error).message}`);
    }
  }
  if (!chosen.length) throw new Error(skipped.join('; '));

  const last = (await open.store.claims.lastSlots([job])).get(job);
  const unfinished = last && (last.state === 'interrupted' || last.state === 'running');
  const generation = last ? (unfinished ? Number(last.slot) : Number(last.slot) + 1) : 1;
  const mine = unfinished ? await claimsOf(open, last, chosen) : new Map<string, Claim>();
  const latest = await open.store.runs.latestRuns(
    chosen.map((c) => c.pipeline.id),
    [...new Set(chosen.flatMap((c) => c.periods.map((p) => p.id)))],
  );
  const latestOf = new Map(latest.map((r) => [`${r.pipelineId}@${r.periodId}`, r.outcome]));

  const periods = chosen.flatMap(({ pipeline, periods: ps }) =>
    ps.map((period): PlannedPeriod => {
      const base = { pipelineId: pipeline.id, source: pipeline.source, period };
      const claim = mine.get(`${pipeline.id}@${period.id}`);
      if (claim) return { ...base, claim, ...claimAction(claim, at) };
      const outcome = latestOf.get(`${pipeline.id}@${period.id}`);
      const why = outcome ? `latest run ${outcome}` : 'never run';
      const wanted = request.only === 'all' || (request.only === 'never-run' ? !outcome : outcome === 'failed');
      return { ...base, action: wanted ? 'run' : 'not chosen', why };
    }),
  );
  return { job, generation, resumes: !!unfinished, runningElsewhere: last && leaseLive(last, at) ? last : undefined, periods, skipped };
}

/** This generation's claims of the chosen periods, by pipeline@period. */
async function claimsOf(open: OpenService, generation: Claim, chosen: { pipeline: LoadedPipeline; periods: Period[] }[]): Promise<Map<string, Claim>> {
  const keyOf = new Map(chosen.flatMap(({ pipeline, periods }) => periods.map((p) => [periodJob(generation.id, pipeline.id, p.id), `${pipeline.id}@${p.id}`] as const)));
  const jobs = [...keyOf.keys()];
  const out = new Map<string, Claim>();
  for (let i = 0; i < jobs.length; i += 500) {
    for (const claim of (await open.store.claims.lastSlots(jobs.slice(i, i + 500))).values()) out.set(keyOf.get(claim.job)!, claim);
  }
  return out;
}

function claimAction(claim: Claim, at: Date): { action: PeriodAction; why: string } {
  if (claim.state === 'finished' || claim.state === 'failed' || claim.state === 'skipped') return { action: 'done', why: claim.detail ? `${claim.state}: ${claim.detail}` : claim.state };
  if (leaseLive(claim, at)) return { action: 'busy', why: `being run by ${claim.replica} (lease to ${claim.leaseUntil})` };
  return { action: 'resume', why: claim.state === 'running' ? `left running by ${claim.replica}, whose lease lapsed` : (claim.detail ?? 'interrupted') };
}

/**
 * Runs a backfill: its generation claimed (or resumed), its periods run at most `concurrency`
 * at a time on each source, each period's claim held and renewed while it runs and ended with
 * its outcome as soon as its run is recorded; then, as after any runs, risks assessed, exceptions
 * reckoned (only latest periods raise any, so periods of the past tell no one) and the outbox sent.
 */
export async function runBackfill(open: OpenService, request: BackfillRequest): Promise<BackfillSummary> {
  const now = request.now ?? (() => new Date());
  const plan = await planBackfill(open, request);
  if (plan.runningElsewhere) {
    const c = plan.runningElsewhere;
    throw new Error(`${plan.job} is already running on ${c.replica} (its lease runs to ${c.leaseUntil}); ask again once it stops, or after its lease lapses if it died`);
  }
  const { lease, max_attempts: maxAttempts } = open.config.service.scheduler;
  const replica = `${hostname()}:${process.pid}:backfill`;
  const claims = open.store.claims;
  const generation = await claimGeneration(open, plan, replica, now(), lease);

  const held = new Map<string, Claim>();
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  request.stop?.addEventListener('abort', stop, { once: true });
  const heartbeat = setInterval(() => {
    claims
      .renew([generation.id, ...[...held.values()].map((c) => c.id)], replica, now(), lease)
      .then((lost) => {
        // Held past its lease and taken by another process: it goes on with the backfill.
        if (lost.includes(generation.id)) stop();
        for (const id of lost) for (const [key, c] of held) if (c.id === id) held.delete(key);
      })
      .catch((err: unknown) => open.logger.warn({ err: (err as Error).message }, 'backfill: could not renew its claims'));
  }, Math.max(250, Math.floor(lease / 3)));

  const todo = plan.periods.filter((p) => p.action === 'run' || p.action === 'resume');
  const results: PeriodResult[] = [];
  const failed = plan.periods.filter((p) => p.action === 'done' && p.claim?.state === 'failed').map((p) => ({ pipelineId: p.pipelineId, periodId: p.period.id, error: p.claim?.detail ?? 'failed' }));
  const told = (r: PeriodResult) => {
    results.push(r);
    if (r.outcome === 'failed') failed.push({ pipelineId: r.pipelineId, periodId: r.periodId, error: r.error ?? 'failed' });
    request.onProgress?.({ total: todo.length, done: results.length, failed: results.filter((x) => x.outcome === 'failed').length, last: r });
  };
  const ending = async (key: string, state: 'finished' | 'failed' | 'interrupted', detail: string | null) => {
    const claim = held.get(key);
    if (!claim) return;
    held.delete(key);
    await claims.end(claim, replica, state, now(), detail);
  };

  const lanes = lanesOf(todo, request.pipelines, request.concurrency);
  const ctx = { ...runContextOf(open, { now, signal: stopping.signal, retries: open.config.service.scheduler.source_retries }), sources: boundedSources(open.sources, request.concurrency) };
  const recorder = endingClaims(ctx.recorder, async (run, outcome, error) => {
    await ending(`${run.pipelineId}@${run.periodId}`, outcome === 'failed' ? 'failed' : 'finished', outcome === 'succeeded' ? null : (error ?? outcome));
    told({ pipelineId: run.pipelineId, periodId: run.periodId, outcome, error });
  });

  const runLane = async (lane: Lane<PlannedPeriod>) => {
    if (stopping.signal.aborted) return;
    const periods = await claimLane(open, lane, generation, replica, now, lease, maxAttempts, held, told);
    if (periods.length && !stopping.signal.aborted) await runPipeline({ ...ctx, recorder }, lane.pipeline, periods);
    // Stopped part way: what was claimed and not run is left for the resume.
    for (const p of lane.periods) {
      const key = `${lane.pipeline.id}@${p.period.id}`;
      if (!held.has(key)) continue;
      await ending(key, 'interrupted', 'stopped before it ran');
      told({ pipelineId: lane.pipeline.id, periodId: p.period.id, outcome: 'interrupted', error: null });
    }
  };

  let abandoned = false;
  try {
    const work = Promise.all([...lanes.values()].map((queue) => inTurns(queue, request.concurrency, runLane)));
    const abort = request.abort;
    if (abort) {
      const abandonedAt = new Promise<'abandoned'>((resolve) => (abort.aborted ? resolve('abandoned') : abort.addEventListener('abort', () => resolve('abandoned'), { once: true })));
      abandoned = (await Promise.race([work, abandonedAt])) === 'abandoned';
    } else await work;
  } catch (err) {
    stop();
    for (const key of [...held.keys()]) await ending(key, 'interrupted', `the backfill stopped: ${(err as Error).message}`).catch(() => undefined);
    await claims.end(generation, replica, 'interrupted', now(), 'stopped by an error').catch(() => undefined);
    throw err;
  } finally {
    clearInterval(heartbeat);
    request.stop?.removeEventListener('abort', stop);
  }
  if (abandoned) {
    stop();
    for (const key of [...held.keys()]) {
      const [pipelineId, periodId] = key.split('@') as [string, string];
      await ending(key, 'interrupted', 'given up while it ran: the backfill was stopped');
      told({ pipelineId, periodId, outcome: 'interrupted', error: null });
    }
  }
  const interrupted = abandoned || results.some((r) => r.outcome === 'interrupted') || results.length < todo.length;
  await claims.end(generation, replica, interrupted ? 'interrupted' : failed.length ? 'failed' : 'finished', now(), interrupted ? 'stopped before every period was run' : failed.length ? `${failed.length} period(s) failed` : null);
  const ran = results.some((r) => r.outcome !== 'interrupted');
  return { plan, results, failed, interrupted, after: !abandoned && ran ? await afterRuns(open, now) : undefined };
}

/** This run's hold on the backfill's generation: a new one claimed, or one left unfinished taken over. */
async function claimGeneration(open: OpenService, plan: BackfillPlan, replica: string, at: Date, lease: number): Promise<Claim> {
  const claims = open.store.claims;
  if (plan.resumes) {
    const [taken] = await claims.takeOver([plan.job], replica, at, lease, ALWAYS_RESUMABLE, 1);
    if (taken) return taken;
  } else {
    const answer = await claims.claim({ job: plan.job, slot: String(plan.generation), slotAt: at }, replica, at, lease);
    if (answer.claimed) return answer.claim;
  }
  throw new Error(`${plan.job} was started by another process just now; ask again once it stops`);
}

/**
 * Claims a lane's periods before it runs them: new claims for periods to run, this generation's
 * left claims taken over for periods to resume. A period whose left attempt recorded its run
 * before the process stopped is ended finished, not run again; one tried `maxAttempts` times is
 * given up as failed. The periods this lane now holds, in order.
 */
async function claimLane(
  open: OpenService,
  lane: Lane<PlannedPeriod>,
  generation: Claim,
  replica: string,
  now: () => Date,
  lease: number,
  maxAttempts: number,
  held: Map<string, Claim>,
  told: (r: PeriodResult) => void,
): Promise<Period[]> {
  const claims = open.store.claims;
  const pipelineId = lane.pipeline.id;
  const slotAt = new Date(generation.slotAt);
  const resuming = lane.periods.filter((p) => p.action === 'resume');
  const taken = new Map((await claims.takeOver(resuming.map((p) => periodJob(generation.id, pipelineId, p.period.id)), replica, now(), lease, maxAttempts, resuming.length)).map((c) => [c.job, c]));
  const out: Period[] = [];
  for (const p of lane.periods) {
    const job = periodJob(generation.id, pipelineId, p.period.id);
    const answer = p.action === 'run' ? await claims.claim({ job, slot: p.period.id, slotAt }, replica, now(), lease) : undefined;
    const claim = answer ? (answer.claimed ? answer.claim : undefined) : taken.get(job);
    if (!claim) {
      // Given up after too many attempts, or taken by another process since the plan was made.
      const [left] = await claims.slotsOf(job, [p.period.id]);
      told({ pipelineId, periodId: p.period.id, outcome: left?.state === 'failed' ? 'failed' : 'interrupted', error: left ? `${left.state} on ${left.replica}${left.detail ? `: ${left.detail}` : ''}` : null });
      continue;
    }
    if (p.action === 'resume') {
      const since = Date.parse(p.claim!.claimedAt);
      const recorded = (await open.store.runs.runsOf(pipelineId, p.period.id)).find((r) => Date.parse(r.startedAt) >= since);
      if (recorded) {
        await claims.end(claim, replica, recorded.outcome === 'failed' ? 'failed' : 'finished', now(), `run ${recorded.id} was recorded before the attempt that ran it stopped`);
        told({ pipelineId, periodId: p.period.id, outcome: recorded.outcome, error: recorded.error });
        continue;
      }
    }
    held.set(`${pipelineId}@${p.period.id}`, claim);
    out.push(p.period);
  }
  return out;
}

/** `recorder`, each period's claim ended as soon as its run is recorded. */
function endingClaims(recorder: RunRecorder, ended: (run: RunRecord, outcome: RunOutcome, error: string | null) => Promise<void>): RunRecorder {
  return {
    async recordRun(run, values, checks) {
      const recorded = await recorder.recordRun(run, values, checks);
      await ended(run, run.outcome, run.error);
      return recorded;
    },
    async recordRunWithoutValues(run, checks) {
      const id = await recorder.recordRunWithoutValues(run, checks);
      await ended(run, run.outcome, run.error);
      return id;
    },
  };
}
