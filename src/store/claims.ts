import type { Knex } from 'knex';
import { lockFor } from './locks.js';
import { iso, isoOrNull } from './rows.js';

/** Where a slot stands: being run, done, failed for good, stopped part way (to be run again), or not run at all. */
export type ClaimState = 'running' | 'finished' | 'failed' | 'interrupted' | 'skipped';

/** The job a pipeline's schedule is claimed as, in the store and in node-cron. */
export const pipelineJob = (pipelineId: string): string => `pipeline:${pipelineId}`;
/** The job a clinic's pack schedule is claimed as. */
export const clinicJob = (clinicId: string): string => `clinic:${clinicId}`;

/** One slot of one job as the store holds it. */
export interface Claim {
  id: number;
  job: string;
  /** The slot's local wall-clock time (or a backfill's period id). */
  slot: string;
  slotAt: string;
  state: ClaimState;
  replica: string;
  attempt: number;
  /** How many of its attempts ended with their replica dead (a lease that lapsed). */
  lapses: number;
  claimedAt: string;
  leaseUntil: string;
  finishedAt: string | null;
  detail: string | null;
}

/** A slot to claim: the job, the slot's key, the instant it fell due. */
export interface SlotRequest {
  job: string;
  slot: string;
  slotAt: Date;
}

/** What asking for a slot came to: this replica runs it, or why not. */
export type ClaimAnswer = { claimed: true; claim: Claim } | { claimed: false; reason: 'taken' | 'overlap'; by: Claim };

/** A replica as the store last saw it. */
export interface Replica {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  seenAt: string;
  stoppedAt: string | null;
}

function toClaim(r: Record<string, unknown>): Claim {
  return {
    id: Number(r.id),
    job: String(r.job),
    slot: String(r.slot),
    slotAt: iso(r.slot_at),
    state: String(r.state) as ClaimState,
    replica: String(r.replica),
    attempt: Number(r.attempt),
    lapses: Number(r.lapses),
    claimedAt: iso(r.claimed_at),
    leaseUntil: iso(r.lease_until),
    finishedAt: isoOrNull(r.finished_at),
    detail: r.detail === null || r.detail === undefined ? null : String(r.detail),
  };
}

function toReplica(r: Record<string, unknown>): Replica {
  return { id: String(r.id), host: String(r.host), pid: Number(r.pid), startedAt: iso(r.started_at), seenAt: iso(r.seen_at), stoppedAt: isoOrNull(r.stopped_at) };
}

const later = (at: Date, ms: number) => new Date(at.getTime() + ms).toISOString();

/**
 * Job claims (tables job_claims, job_attempts) and the replicas that hold them (replicas). A
 * slot is inserted once, unique on job and slot: the replica whose insert lands runs it, and
 * renews its lease while it does; a lease that lapses is a replica that died, and any replica
 * may take the slot over. Every change of a claim is guarded by the replica that holds it, so a
 * replica that lost its claim (paused past its lease) cannot write over the one that took it.
 */
export class ClaimStore {
  constructor(private readonly db: Knex) {}

  /**
   * Claims a slot for `replica`, unless it is claimed already, or the job's previous slot is
   * still running under a live lease: the slot is then recorded as skipped, saying so, so that
   * it is not run late and not counted as missed; or, `leave`, not recorded at all (a catch-up
   * that another replica is working through).
   */
  async claim(request: SlotRequest, replica: string, at: Date, leaseMs: number, whileRunning: 'skip' | 'leave' = 'skip'): Promise<ClaimAnswer> {
    return this.db.transaction(async (trx) => {
      await lockFor(trx, `claims:${request.job}`, at);
      const existing = await trx('job_claims').where({ job: request.job, slot: request.slot }).first();
      if (existing) return { claimed: false, reason: 'taken', by: toClaim(existing) };
      const running = await trx('job_claims').where({ job: request.job, state: 'running' }).andWhere('lease_until', '>', at.toISOString()).orderBy('slot_at', 'desc').first();
      const base = { job: request.job, slot: request.slot, slot_at: request.slotAt.toISOString(), replica, attempt: 1, claimed_at: at.toISOString() };
      if (running && whileRunning === 'leave') return { claimed: false, reason: 'overlap', by: toClaim(running) };
      if (running) {
        const detail = `slot ${running.slot} was still running on ${running.replica}`;
        await trx('job_claims').insert({ ...base, state: 'skipped', lease_until: at.toISOString(), finished_at: at.toISOString(), detail });
        return { claimed: false, reason: 'overlap', by: toClaim(running) };
      }
      const [row] = await trx('job_claims').insert({ ...base, state: 'running', lease_until: later(at, leaseMs) }).returning('*');
      const claim = toClaim(row);
      await trx('job_attempts').insert({ claim_id: claim.id, attempt: 1, replica, started_at: at.toISOString(), outcome: 'running' });
      return { claimed: true, claim };
    });
  }

  /** Slots that will not be run (missed while no replica ran, beyond the missed limit), recorded once each. */
  async skip(requests: readonly SlotRequest[], replica: string, at: Date, detail: string): Promise<number> {
    let recorded = 0;
    for (const r of requests) {
      const rows = await this.db('job_claims')
        .insert({ job: r.job, slot: r.slot, slot_at: r.slotAt.toISOString(), replica, attempt: 0, claimed_at: at.toISOString(), state: 'skipped', lease_until: at.toISOString(), finished_at: at.toISOString(), detail })
        .onConflict(['job', 'slot'])
        .ignore()
        .returning('id');
      recorded += rows.length;
    }
    return recorded;
  }

  /** Extends the leases of `claims` this replica still holds; the ids it no longer holds (taken over, or ended). */
  async renew(ids: readonly number[], replica: string, at: Date, leaseMs: number): Promise<number[]> {
    if (!ids.length) return [];
    const renewed: { id: number }[] = await this.db('job_claims').whereIn('id', ids).where({ replica, state: 'running' }).update({ lease_until: later(at, leaseMs) }).returning('id');
    const held = new Set(renewed.map((r) => Number(r.id)));
    return ids.filter((id) => !held.has(id));
  }

  /**
   * Ends this replica's attempt at a claim: finished, failed, or interrupted (stopped on purpose,
   * so that any replica runs it again at once). False when the claim is no longer this replica's.
   */
  async end(claim: Pick<Claim, 'id' | 'attempt'>, replica: string, state: 'finished' | 'failed' | 'interrupted', at: Date, detail: string | null): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      const changed = await trx('job_claims')
        .where({ id: claim.id, replica, attempt: claim.attempt, state: 'running' })
        .update({ state, finished_at: state === 'interrupted' ? null : at.toISOString(), lease_until: at.toISOString(), detail });
      if (!changed) return false;
      await trx('job_attempts').where({ claim_id: claim.id, attempt: claim.attempt }).update({ ended_at: at.toISOString(), outcome: state, detail });
      return true;
    });
  }

  /**
   * Takes over slots of `jobs` left behind: running under a lease that lapsed (its replica died or
   * stalled), or interrupted on purpose. The attempt left behind is recorded interrupted; a slot
   * whose replica died under it `maxAttempts` times is recorded failed instead of run again (one
   * interrupted on purpose does not count). A job with a slot running under a live lease has
   * none taken till it ends. The claims taken.
   */
  async takeOver(jobs: readonly string[], replica: string, at: Date, leaseMs: number, maxAttempts: number, limit = 10): Promise<Claim[]> {
    if (!jobs.length) return [];
    const now = at.toISOString();
    // A job with a slot running under a live lease is left till it ends: one slot of a job runs at a time.
    const live = this.db('job_claims as other').whereRaw('other.job = job_claims.job').andWhere('other.state', 'running').andWhere('other.lease_until', '>=', now);
    const left = await this.db('job_claims')
      .whereIn('job', jobs)
      .andWhere((q) => q.where((w) => w.where('state', 'running').andWhere('lease_until', '<', now)).orWhere('state', 'interrupted'))
      .whereNotExists(live)
      .orderBy('slot_at')
      .limit(limit);
    const taken: Claim[] = [];
    for (const row of left) {
      const before = toClaim(row);
      const claim = await this.db.transaction(async (trx) => {
        const guard = { id: before.id, replica: before.replica, attempt: before.attempt, state: before.state };
        const lapsed = before.state === 'running';
        const detail = lapsed ? `${before.replica} stopped renewing its lease (held until ${before.leaseUntil})` : (before.detail ?? 'interrupted');
        // Only a replica dying under the slot counts: one stopped on purpose is no fault of the slot's.
        const lapses = before.lapses + (lapsed ? 1 : 0);
        const tooMany = lapsed && lapses >= maxAttempts;
        const changed = await trx('job_claims')
          .where(guard)
          .update(
            tooMany
              ? { state: 'failed', finished_at: now, lease_until: now, lapses, detail: `gave up after ${lapses} attempts its replica died under: ${detail}` }
              : { state: 'running', replica, attempt: before.attempt + 1, lapses, claimed_at: now, lease_until: later(at, leaseMs), detail: null },
          );
        if (!changed) return undefined;
        if (lapsed) await trx('job_attempts').where({ claim_id: before.id, attempt: before.attempt }).update({ ended_at: now, outcome: 'interrupted', detail });
        if (tooMany) return undefined;
        await trx('job_attempts').insert({ claim_id: before.id, attempt: before.attempt + 1, replica, started_at: now, outcome: 'running' });
        return toClaim(await trx('job_claims').where('id', before.id).first());
      });
      if (claim) taken.push(claim);
    }
    return taken;
  }

  /** The newest slot recorded for each of `jobs`, whatever became of it: where missed slots are counted from. */
  async lastSlots(jobs: readonly string[]): Promise<Map<string, Claim>> {
    if (!jobs.length) return new Map();
    const newest = this.db('job_claims').select('job').max({ slot_at: 'slot_at' }).whereIn('job', jobs).groupBy('job').as('n');
    const rows = await this.db('job_claims as c').join(newest, (j) => j.on('c.job', 'n.job').andOn('c.slot_at', 'n.slot_at')).select('c.*').orderBy('c.id');
    return new Map(rows.map((r: Record<string, unknown>) => [String(r.job), toClaim(r)]));
  }

  /** The claims of `job` whose slots are among `slots`. */
  async slotsOf(job: string, slots: readonly string[]): Promise<Claim[]> {
    const out: Claim[] = [];
    for (let i = 0; i < slots.length; i += 500) out.push(...(await this.db('job_claims').where('job', job).whereIn('slot', slots.slice(i, i + 500))).map(toClaim));
    return out;
  }

  /** The slots being run now, by whom and until when. */
  async held(): Promise<Claim[]> {
    return (await this.db('job_claims').where('state', 'running').orderBy('slot_at')).map(toClaim);
  }

  /** The newest slots of every job, newest first, at most `limit` a job. */
  async recent(limit: number): Promise<Claim[]> {
    const ranked = this.db('job_claims').select('*').select(this.db.raw('ROW_NUMBER() OVER (PARTITION BY job ORDER BY slot_at DESC, id DESC) AS slot_rank'));
    const rows = await this.db.select('*').from(ranked.as('r')).where('slot_rank', '<=', limit).orderBy([{ column: 'job' }, { column: 'slot_at', order: 'desc' }]);
    return rows.map(toClaim);
  }

  /** Records `replica` as running a scheduler now; seen again at every renewal. */
  async enrol(replica: Pick<Replica, 'id' | 'host' | 'pid'>, at: Date): Promise<void> {
    const now = at.toISOString();
    await this.db('replicas')
      .insert({ id: replica.id, host: replica.host, pid: replica.pid, started_at: now, seen_at: now, stopped_at: null })
      .onConflict('id')
      .merge({ seen_at: now, stopped_at: null });
  }

  /**
   * Enrols `replica` unless another replica not stopped, and not `gone` (a process its host
   * knows has ended), was seen since `since`: the replicas found instead. Taken in turns, so that two starting at once cannot both find none.
   */
  async enrolAlone(replica: Pick<Replica, 'id' | 'host' | 'pid'>, at: Date, since: Date, gone: (other: Replica) => boolean): Promise<Replica[]> {
    return this.db.transaction(async (trx) => {
      await lockFor(trx, 'replicas', at);
      const parts = new ClaimStore(trx);
      const others = (await parts.othersAlive(replica.id, since)).filter((r) => !gone(r));
      if (!others.length) await parts.enrol(replica, at);
      return others;
    });
  }

  async seen(replicaId: string, at: Date): Promise<void> {
    await this.db('replicas').where('id', replicaId).update({ seen_at: at.toISOString() });
  }

  async stopped(replicaId: string, at: Date): Promise<void> {
    await this.db('replicas').where('id', replicaId).update({ stopped_at: at.toISOString(), seen_at: at.toISOString() });
  }

  /** Replicas other than `replicaId` seen since `since` and not stopped: alive, as far as the store knows. */
  async othersAlive(replicaId: string, since: Date): Promise<Replica[]> {
    return (await this.db('replicas').whereNot('id', replicaId).whereNull('stopped_at').andWhere('seen_at', '>=', since.toISOString()).orderBy('started_at')).map(toReplica);
  }

  /** The replicas running, and those seen since `since`: every restart is a replica of its own, and old ones are history. */
  async replicas(since: Date): Promise<Replica[]> {
    return (await this.db('replicas').whereNull('stopped_at').orWhere('seen_at', '>=', since.toISOString()).orderBy('started_at')).map(toReplica);
  }
}
