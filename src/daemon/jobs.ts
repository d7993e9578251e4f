import type { OpenService } from '../app/open.js';
import { jobNamed, packSlot, runSlot } from '../app/scheduledRun.js';
import type { Cycle } from '../app/runCycle.js';
import { StoreFault } from '../runs/record.js';
import type { Claim } from '../store/claims.js';
import { settlesWithin } from '../deadline.js';
import { bounded } from '../text.js';
import { UnderWay } from './underWay.js';

/** Why a run was stopped before its end. */
type Stop = 'shutdown' | 'lost';

interface InFlight {
  claim: Claim;
  controller: AbortController;
  done: Promise<void>;
  stop?: Stop;
  /** Recorded interrupted already, on a shutdown it did not stop for: its own end writes nothing. */
  abandoned?: boolean;
}

/** What the runner needs of the daemon: the service as configured now (a reload replaces it), and who this replica is. */
export interface RunnerDeps {
  current(): OpenService;
  replica: string;
  now?: () => Date;
}

/** What a cycle came to, in the words a claim keeps. */
function summary(cycle: Cycle): { failed: boolean; detail: string } {
  const count = (outcome: string) => cycle.runs.filter((r) => r.outcome === outcome).length;
  const failed = cycle.runs.filter((r) => r.outcome === 'failed');
  const periods = `${cycle.runs.length} period(s): ${count('succeeded')} succeeded, ${count('awaiting')} awaiting data, ${failed.length} failed`;
  return { failed: failed.length > 0, detail: failed.length ? bounded(`${periods}; ${failed[0]!.period.id}: ${failed[0]!.error}`) : periods };
}

/**
 * Runs the slots this replica has claimed, renews their leases while they run, and ends each
 * claim as it came out: finished, failed (a run that still failed after its retries: the next
 * slot runs as usual), or interrupted (stopped on shutdown, or by a fault of the store, so that
 * a replica runs it again). A run whose claim was taken over is stopped and its claim left alone.
 */
export class JobRunner {
  private readonly inFlight = new Map<number, InFlight>();
  private readonly handingBack = new UnderWay();
  private closed = false;

  constructor(private readonly deps: RunnerDeps) {}

  private get now(): () => Date {
    return this.deps.now ?? (() => new Date());
  }

  /** Runs a claimed slot to its end; never throws (the claim records what happened). */
  run(claim: Claim): Promise<void> {
    // A claim taken while stopping (a sweep under way) is handed back for a replica to run.
    if (this.closed) return this.handingBack.add(this.handBack(claim));
    const controller = new AbortController();
    const entry: InFlight = { claim, controller, done: Promise.resolve() };
    entry.done = this.execute(entry).finally(() => this.inFlight.delete(claim.id));
    this.inFlight.set(claim.id, entry);
    return entry.done;
  }

  private async execute(entry: InFlight): Promise<void> {
    const open = this.deps.current();
    const { claim } = entry;
    const log = open.logger.child({ job: claim.job, slot: claim.slot, claim: claim.id, attempt: claim.attempt });
    const end = async (state: 'finished' | 'failed' | 'interrupted', detail: string) => {
      if (entry.abandoned) return;
      if (entry.stop === 'lost') return log.warn('the claim was taken over by another replica: this run stopped and left it alone');
      try {
        if (!(await open.store.claims.end(claim, this.deps.replica, state, this.now(), detail))) log.warn('the claim was taken over before this run ended: left as the other replica has it');
      } catch (err) {
        log.error({ err: (err as Error).message }, 'could not record the end of the run: its lease will lapse and a replica will run it again');
      }
    };
    const scheduled = jobNamed(open, claim.job);
    if (!scheduled) return end('failed', `no pipeline or clinic for job ${claim.job} in the configuration now`);
    const slotDay = claim.slot.slice(0, 10);
    try {
      if ('clinic' in scheduled) {
        log.info('scheduled clinic pack started');
        const detail = await packSlot(open, scheduled.clinic, slotDay, this.now);
        log.info({ outcome: 'finished' }, detail);
        return await end('finished', bounded(detail));
      }
      log.info('scheduled run started');
      const cycle = await runSlot(open, scheduled.pipeline, slotDay, entry.controller.signal, this.now);
      if (entry.controller.signal.aborted) {
        const ran = cycle.runs.length;
        return end('interrupted', `stopped (${entry.stop ?? 'aborted'}) after ${ran} period(s): to be run again`);
      }
      const { failed, detail } = summary(cycle);
      log.info({ outcome: failed ? 'failed' : 'finished' }, detail);
      await end(failed ? 'failed' : 'finished', detail);
    } catch (err) {
      const message = bounded((err as Error).message);
      log.error({ err: message }, 'scheduled run stopped');
      // The store's own fault says nothing of the run: it is run again once the store is back.
      await end(err instanceof StoreFault ? 'interrupted' : 'failed', message);
    }
  }

  private async handBack(claim: Claim): Promise<void> {
    const open = this.deps.current();
    await open.store.claims.end(claim, this.deps.replica, 'interrupted', this.now(), 'claimed as this replica stopped: to be run again').catch((err: unknown) => {
      open.logger.error({ err: (err as Error).message, job: claim.job, slot: claim.slot }, 'could not hand back a claim: its lease will lapse and a replica will run it');
    });
  }

  /** The claims being run now. */
  claims(): Claim[] {
    return [...this.inFlight.values()].map((e) => e.claim);
  }

  /** Renews every lease this replica holds; a run whose claim another replica took is stopped. */
  async renew(leaseMs: number): Promise<void> {
    const open = this.deps.current();
    const lost = await open.store.claims.renew([...this.inFlight.keys()], this.deps.replica, this.now(), leaseMs);
    for (const id of lost) {
      const entry = this.inFlight.get(id);
      if (entry && !entry.stop) {
        entry.stop = 'lost';
        entry.controller.abort(new Error('the claim was taken over'));
      }
    }
  }

  /** Every run under way, settled. */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.inFlight.values()].map((e) => e.done));
  }

  /** Every claim being handed back, recorded. */
  handedBack(): Promise<unknown> {
    return this.handingBack.settled();
  }

  /**
   * Lets the runs under way finish within `graceMs`, then aborts them (each stops after the
   * period it is in and is recorded interrupted) and waits as long again for them to stop. One
   * still in a source's query then is recorded interrupted as it stands, so that a replica runs
   * it again without waiting out its lease. True when every run stopped.
   */
  async stop(graceMs: number): Promise<boolean> {
    this.closed = true;
    if (await settlesWithin(this.settled(), graceMs)) return true;
    for (const entry of this.inFlight.values()) {
      entry.stop ??= 'shutdown';
      entry.controller.abort(new Error('shutting down'));
    }
    if (await settlesWithin(this.settled(), graceMs)) return true;
    const open = this.deps.current();
    await Promise.allSettled(
      [...this.inFlight.values()].map((entry) => {
        entry.abandoned = true;
        return open.store.claims.end(entry.claim, this.deps.replica, 'interrupted', this.now(), 'still running when the shutdown grace ran out: to be run again');
      }),
    );
    return false;
  }
}
