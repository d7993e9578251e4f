import { createTask, type ScheduledTask } from 'node-cron';
import type { OpenService } from '../app/open.js';
import { deliverOutbox } from '../app/deliver.js';
import { scheduledJobs } from '../app/scheduledRun.js';
import { catchUp } from './catchUp.js';
import { cronKey, StoreCoordinator } from './coordinator.js';
import { JobRunner } from './jobs.js';
import { enrolReplica, replicaIdentity } from './replica.js';
import { sweep } from './sweeper.js';

/** What /readyz and `status` are told of the scheduler. */
export interface SchedulerHealth {
  ok: boolean;
  detail: string;
}

/**
 * Every pipeline and every clinic's pack on its schedule in the service's timezone: node-cron fires each slot, the
 * store's claims decide which replica runs it (coordinator.ts), the runner runs it
 * (jobs.ts), the sweeper renews leases and takes over what dead replicas left (sweeper.ts), and
 * slots missed while no replica ran are caught up at start (catchUp.ts).
 */
export class Scheduler {
  readonly replica = replicaIdentity();
  private readonly runner: JobRunner;
  private readonly coordinator: StoreCoordinator;
  private tasks: ScheduledTask[] = [];
  private ticker: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private delivering: Promise<unknown> | undefined;
  private catchingUp: Promise<void> = Promise.resolve();
  private lastSweep: { at: Date; error?: string } | undefined;
  private started = false;
  private stopped = false;
  private readonly stopping = new AbortController();

  constructor(
    private readonly current: () => OpenService,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.runner = new JobRunner({ current, replica: this.replica.id, now });
    this.coordinator = new StoreCoordinator({
      claims: () => current().store.claims,
      replica: this.replica.id,
      timeZone: () => current().config.service.timezone,
      leaseMs: () => current().config.service.scheduler.lease,
      logger: () => current().logger,
      now,
    });
  }

  /** Enrols the replica (refused beside another on SQLite), schedules every job, and starts catching up in the background. */
  async start(): Promise<void> {
    const open = this.current();
    await enrolReplica(open, this.replica, this.now());
    this.started = true;
    this.schedule();
    const every = Math.max(1_000, Math.floor(open.config.service.scheduler.lease / 3));
    this.ticker = setInterval(() => void this.tick(), every);
    this.catchingUp = catchUp(open, this.runner, this.replica.id, this.now(), this.stopping.signal).catch((err: unknown) => {
      open.logger.error({ err: (err as Error).message }, 'catching up missed slots failed: the next slots run as usual');
    });
    open.logger.info({ replica: this.replica.id, jobs: this.tasks.length }, 'scheduler started');
  }

  /**
   * Schedules the pipelines and clinics of the service as configured now, in place of those before (a
   * reload); nothing before the replica is enrolled or once it is stopping.
   */
  schedule(): void {
    if (!this.started || this.stopped) return;
    for (const task of this.tasks) void task.destroy();
    const open = this.current();
    const { timezone, scheduler } = open.config.service;
    this.tasks = scheduledJobs(open).map(({ job, schedule }) => {
      const task = createTask(
        schedule,
        async (ctx) => {
          const claim = this.coordinator.take(cronKey(job, ctx.date));
          if (claim) await this.runner.run(claim);
        },
        { name: job, timezone, distributed: true, runCoordinator: this.coordinator, distributedLease: scheduler.lease, suppressMissedWarning: true },
      );
      // A slot node-cron saw go by unrun (the event loop held up, the machine asleep) is claimed at the next sweep.
      task.on('execution:missed', (ctx) => {
        open.logger.warn({ job, slot: ctx.dateLocalIso }, 'slot missed while running: it is claimed at the next sweep');
        this.coordinator.missed(job, ctx.date);
      });
      void task.start();
      return task;
    });
  }

  /**
   * One sweep at a time: a slow store does not pile them up. Beside it, and never holding up its
   * lease renewals, mail that came due with no cycle to send it (held for the sending hours, a
   * retry's wait over) is sent, one delivery at a time.
   */
  async tick(): Promise<void> {
    if (!this.stopped) {
      this.delivering ??= deliverOutbox(this.current(), this.now)
        .catch((err: unknown) => this.current().logger.error({ err: (err as Error).message }, 'sending the outbox failed: will try again'))
        .finally(() => (this.delivering = undefined));
    }
    await Promise.all([this.sweep(), this.delivering]);
  }

  private sweep(): Promise<void> {
    this.sweeping ??= sweep({ current: this.current, runner: this.runner, coordinator: this.coordinator, replica: this.replica.id, now: this.now, renewOnly: this.stopped })
      .then(() => void (this.lastSweep = { at: this.now() }))
      .catch((err: unknown) => {
        this.lastSweep = { at: this.now(), error: (err as Error).message };
        this.current().logger.error({ err: (err as Error).message }, 'scheduler sweep failed: will try again');
      })
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  health(): SchedulerHealth {
    if (this.stopped) return { ok: false, detail: 'stopped' };
    const running = this.runner.claims().map((c) => `${c.job} ${c.slot}`);
    const jobs = `${this.tasks.length} job(s) scheduled, ${running.length} running${running.length ? ` (${running.join(', ')})` : ''}`;
    if (this.lastSweep?.error) return { ok: false, detail: `${jobs}; the last sweep failed: ${this.lastSweep.error}` };
    return { ok: true, detail: `${jobs}; replica ${this.replica.id}` };
  }

  /** Every run under way, settled. */
  settled(): Promise<unknown> {
    return this.runner.settled();
  }

  /**
   * Stops scheduling, lets the runs under way finish within the shutdown grace (then aborts them,
   * recorded interrupted for a replica to run again), and marks the replica stopped. The sweeps
   * go on renewing the leases of the runs under way till they end, and take nothing new.
   */
  async stop(): Promise<boolean> {
    this.stopped = true;
    this.stopping.abort();
    for (const task of this.tasks) void task.destroy();
    this.tasks = [];
    const open = this.current();
    const grace = open.config.service.scheduler.shutdown_grace;
    const finished = await this.runner.stop(grace);
    // The runner is closed now: whatever lands of the claims asked as the tasks were destroyed is handed back.
    for (const claim of await this.coordinator.untaken(grace)) void this.runner.run(claim);
    await this.runner.handedBack();
    clearInterval(this.ticker);
    await this.catchingUp;
    await this.sweeping;
    await this.delivering;
    await open.store.claims.stopped(this.replica.id, this.now()).catch((err: unknown) => open.logger.error({ err: (err as Error).message }, 'could not record this replica stopped'));
    return finished;
  }
}
