import type { RunCoordinator } from 'node-cron';
import { slotAt } from '../calendar/schedule.js';
import { settlesWithin } from '../deadline.js';
import type { Logger } from '../logger.js';
import type { Claim, ClaimStore, SlotRequest } from '../store/claims.js';
import { UnderWay } from './underWay.js';

/** node-cron's key for a slot: the task's name, a colon, the slot's instant as ISO text (always 24 characters). */
const ISO_LENGTH = 24;

export const cronKey = (job: string, at: Date): string => `${job}:${at.toISOString()}`;

export interface CoordinatorDeps {
  claims(): ClaimStore;
  replica: string;
  timeZone(): string;
  leaseMs(): number;
  logger(): Logger;
  now?: () => Date;
}

/**
 * node-cron's RunCoordinator over the store's job claims: a slot runs on the replica whose claim
 * of it lands, once, however many replicas are asked. node-cron keys a slot by its instant, and
 * in the autumn hour that repeats it fires 01:30 twice; the claim is of the slot's wall-clock
 * time, so the second firing finds it taken. node-cron asks once per slot and skips it when
 * asked in vain, so a claim the store could not take (it was down) is kept to be tried again by
 * the sweeper rather than lost.
 */
export class StoreCoordinator implements RunCoordinator {
  private readonly claimed = new Map<string, Claim>();
  private readonly asking = new UnderWay();
  private pending: SlotRequest[] = [];

  constructor(private readonly deps: CoordinatorDeps) {}

  shouldRun(key: string): Promise<boolean> {
    return this.asking.add(this.ask(key));
  }

  private async ask(key: string): Promise<boolean> {
    const request = this.requestOf(key);
    const log = this.deps.logger().child({ job: request.job, slot: request.slot });
    try {
      const answer = await this.deps.claims().claim(request, this.deps.replica, (this.deps.now ?? (() => new Date()))(), this.deps.leaseMs());
      if (answer.claimed) {
        this.claimed.set(key, answer.claim);
        return true;
      }
      if (answer.reason === 'overlap') log.warn({ running: answer.by.slot, on: answer.by.replica }, 'slot skipped: the one before it is still running');
      else log.debug({ by: answer.by.replica }, 'slot claimed by another replica');
      return false;
    } catch (err) {
      log.error({ err: (err as Error).message }, 'could not claim the slot: will try again');
      this.pending.push(request);
      return false;
    }
  }

  /** The claim node-cron's task is about to run (taken once). */
  take(key: string): Claim | undefined {
    const claim = this.claimed.get(key);
    this.claimed.delete(key);
    return claim;
  }

  /**
   * Once no task asks any more (the scheduler is stopping): waits up to `ms` for the claims
   * being asked and gives up those that landed but no task has taken, for the runner to hand
   * back. A claim that landed as the process stopped would otherwise be left running under a
   * lease that lapses, counted against its slot as if this replica had died under it.
   */
  async untaken(ms: number): Promise<Claim[]> {
    await settlesWithin(this.asking.settled(), ms);
    const left = [...this.claimed.values()];
    this.claimed.clear();
    return left;
  }

  /** The slots whose claim could not be tried, handed over once. */
  takePending(): SlotRequest[] {
    const pending = this.pending;
    this.pending = [];
    return pending;
  }

  /** A slot node-cron let go by without asking: kept to be claimed by the sweeper. */
  missed(job: string, at: Date): void {
    this.pending.push(this.requestOf(cronKey(job, at)));
  }

  /** Put back slots still not claimed. */
  keepPending(requests: readonly SlotRequest[]): void {
    this.pending.push(...requests);
  }

  private requestOf(key: string): SlotRequest {
    const at = new Date(key.slice(-ISO_LENGTH));
    return { job: key.slice(0, -ISO_LENGTH - 1), slot: slotAt(at, this.deps.timeZone()).slot, slotAt: at };
  }
}
