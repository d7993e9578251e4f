import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OpenService } from '../src/app/open.js';
import { loadService } from '../src/app/service.js';
import { slotsBetween } from '../src/calendar/schedule.js';
import { catchUp } from '../src/daemon/catchUp.js';
import { cronKey, StoreCoordinator } from '../src/daemon/coordinator.js';
import { JobRunner } from '../src/daemon/jobs.js';
import { enrolReplica } from '../src/daemon/replica.js';
import { Scheduler } from '../src/daemon/scheduler.js';
import { schedulerStatusOf } from '../src/app/scheduledRun.js';
import { silentLogger } from '../src/logger.js';
import type { Claim } from '../src/store/claims.js';
import { holdOpen } from './helpers/holdOpen.js';
import { knexFor } from './helpers/databases.js';
import { workspace } from './helpers/workspace.js';

const LONDON = 'Europe/London';

describe('slots of a schedule (slotsBetween)', () => {
  const cases: { name: string; schedule: string; after: string; before: string; limit: number; slots: string[]; more: boolean }[] = [
    { name: 'a monthly schedule over a quarter', schedule: '0 7 3 * *', after: '2026-06-03T06:00:00Z', before: '2026-09-10T00:00:00Z', limit: 10, slots: ['2026-09-03T07:00:00', '2026-08-03T07:00:00', '2026-07-03T07:00:00'], more: false },
    { name: 'the newest only, and more besides', schedule: '0 7 3 * *', after: '2026-06-03T06:00:00Z', before: '2026-09-10T00:00:00Z', limit: 1, slots: ['2026-09-03T07:00:00'], more: true },
    { name: 'the slot recorded last is not missed again', schedule: '0 6 * * *', after: '2026-11-30T06:00:00Z', before: '2026-12-01T05:59:00Z', limit: 10, slots: [], more: false },
    { name: 'the autumn hour that repeats is one slot', schedule: '30 1 * * *', after: '2026-10-24T12:00:00Z', before: '2026-10-25T12:00:00Z', limit: 10, slots: ['2026-10-25T01:30:00'], more: false },
    { name: 'the spring hour the clocks skip is no slot', schedule: '30 1 * * *', after: '2026-03-28T12:00:00Z', before: '2026-03-30T12:00:00Z', limit: 10, slots: ['2026-03-30T01:30:00'], more: false },
    { name: 'the first Tuesday of the month (2#1)', schedule: '0 8 * * 2#1', after: '2026-09-01T00:00:00Z', before: '2026-12-31T00:00:00Z', limit: 10, slots: ['2026-12-01T08:00:00', '2026-11-03T08:00:00', '2026-10-06T08:00:00', '2026-09-01T08:00:00'], more: false },
    { name: 'seconds, in a wall-clock day of London summer time', schedule: '*/20 0 9 * * *', after: '2026-07-01T07:59:00Z', before: '2026-07-01T08:01:00Z', limit: 10, slots: ['2026-07-01T09:00:40', '2026-07-01T09:00:20', '2026-07-01T09:00:00'], more: false },
  ];
  it.each(cases)('$name', ({ schedule, after, before, limit, slots, more }) => {
    const found = slotsBetween(schedule, LONDON, new Date(after), new Date(before), limit);
    expect(found.slots.map((s) => s.slot)).toEqual(slots);
    expect(found.more).toBe(more);
  });
});

/** A service on a SQLite store whose one pipeline counts rows of a SQLite table; a run takes no time. */
async function calls(schedule: string, scheduler = 'lease: 30s, recompute: 0, source_retries: []', missed = '') {
  const ws = workspace({
    'lineofsight.yaml': `
timezone: Europe/London
pipelines_dir: "{{dir}}/pipelines"
store: { client: sqlite, filename: "{{dir}}/store.sqlite" }
sources: { db: { client: sqlite, connection: "{{dir}}/calls.sqlite" } }
scheduler: { ${scheduler} }
email: { transport: files, files_dir: "{{dir}}/outbox" }
`,
    'pipelines/calls.yaml': `
id: calls
title: Calls
source: db
schedule: "${schedule}"
${missed}
frequency: monthly
query: SELECT COUNT(*) AS n FROM calls WHERE day >= :period_start AND day < :period_end
indicators:
  - { id: C1, title: Calls, type: count, value: n, polarity: none, owner: test, service: Test }
`,
  });
  const db = knexFor('sqlite', ws.file('calls.sqlite'));
  await db.schema.createTable('calls', (t) => t.date('day'));
  await db('calls').insert([{ day: '2026-09-10' }, { day: '2026-10-10' }]);
  await db.destroy();
  return holdOpen(await loadService(ws.config), { logger: silentLogger });
}

const claimsOf = async (open: OpenService): Promise<Claim[]> => (await open.store.claims.recent(1000)).sort((a, b) => a.slotAt.localeCompare(b.slotAt));

describe('the scheduler on fake timers', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] }));
  afterEach(() => vi.useRealTimers());

  it('runs the autumn 01:30 once, whichever of its two instants fires (node-cron fires the second, GMT)', async () => {
    vi.setSystemTime(new Date('2026-10-25T00:29:00Z'));
    const { open, close } = await calls('30 1 * * *');
    const scheduler = new Scheduler(() => open);
    try {
      await scheduler.start();
      await vi.advanceTimersByTimeAsync(2 * 3600_000);
      const claims = await claimsOf(open);
      expect(claims.map((c) => [c.slot, c.state, c.slotAt])).toEqual([['2026-10-25T01:30:00', 'finished', '2026-10-25T01:30:00.000Z']]);
      const runs = await open.store.runs.storedRuns({ pipelineId: 'calls', limit: 100 });
      expect(runs).toHaveLength(1);
    } finally {
      await scheduler.stop();
      await close();
    }
  });

  it('runs each slot of a schedule as the clock passes it, and not before', async () => {
    vi.setSystemTime(new Date('2026-11-02T05:59:00Z'));
    const { open, close } = await calls('0 6 * * *', 'lease: 10m, recompute: 0');
    const scheduler = new Scheduler(() => open);
    try {
      await scheduler.start();
      await vi.advanceTimersByTimeAsync(30_000);
      expect(await claimsOf(open)).toEqual([]);
      await vi.advanceTimersByTimeAsync(3 * 86_400_000);
      expect((await claimsOf(open)).map((c) => [c.slot, c.state])).toEqual([
        ['2026-11-02T06:00:00', 'finished'],
        ['2026-11-03T06:00:00', 'finished'],
        ['2026-11-04T06:00:00', 'finished'],
      ]);
    } finally {
      await scheduler.stop();
      await close();
    }
  });

  it.each([
    { missed: 'skip', states: [['2026-11-01T06:00:00', 'finished'], ['2026-11-05T06:00:00', 'skipped']] },
    { missed: 'once', states: [['2026-11-01T06:00:00', 'finished'], ['2026-11-05T06:00:00', 'finished']] },
    {
      missed: 'all',
      states: [['2026-11-01T06:00:00', 'finished'], ['2026-11-03T06:00:00', 'finished'], ['2026-11-04T06:00:00', 'finished'], ['2026-11-05T06:00:00', 'finished']],
    },
  ])('after downtime, missed: $missed (worked out from the slots in the store; all capped at missed_limit 3)', async ({ missed, states }) => {
    vi.setSystemTime(new Date('2026-11-01T05:59:30Z'));
    const { open, close } = await calls('0 6 * * *', 'lease: 30s, recompute: 0, missed_limit: 3', `missed: ${missed}`);
    try {
      const first = new Scheduler(() => open);
      await first.start();
      await vi.advanceTimersByTimeAsync(60_000);
      await first.stop();
      // Down four days and a bit; then a new replica starts.
      vi.setSystemTime(new Date('2026-11-05T09:00:00Z'));
      const second = new Scheduler(() => open);
      await second.start();
      await vi.advanceTimersByTimeAsync(5_000);
      await second.stop();
      expect((await claimsOf(open)).map((c) => [c.slot, c.state])).toEqual(states);
    } finally {
      await close();
    }
  });

  it('a slot node-cron let go by while the process was held up (the clock jumped past it) is claimed at the next sweep', async () => {
    vi.setSystemTime(new Date('2026-11-02T05:59:50Z'));
    const { open, close } = await calls('0 6 * * *', 'lease: 6s, recompute: 0');
    const scheduler = new Scheduler(() => open);
    try {
      await scheduler.start();
      // Asleep from 05:59:50 to 06:00:30: no timer ran at 06:00.
      vi.setSystemTime(new Date('2026-11-02T06:00:30Z'));
      // node-cron's wake-up, due at 06:00, comes late; it counts the slot missed, and a sweep claims it.
      await vi.advanceTimersByTimeAsync(15_000);
      expect((await claimsOf(open)).map((c) => [c.slot, c.state])).toEqual([['2026-11-02T06:00:00', 'finished']]);
    } finally {
      await scheduler.stop();
      await close();
    }
  });

  it('a slot whose claim the store could not take is claimed at the next sweep, not lost', async () => {
    vi.setSystemTime(new Date('2026-11-02T05:59:50Z'));
    const { open, close } = await calls('0 6 * * *', 'lease: 6s, recompute: 0');
    const scheduler = new Scheduler(() => open);
    // The store fails the first claim of the slot, as a store that is down for a moment would.
    const claim = open.store.claims.claim.bind(open.store.claims);
    const asked: string[] = [];
    open.store.claims.claim = (...args) => {
      asked.push(args[0].slot);
      return asked.length === 1 ? Promise.reject(new Error('store (SQLite): SQLITE_BUSY')) : claim(...args);
    };
    try {
      await scheduler.start();
      await vi.advanceTimersByTimeAsync(14_000);
      expect(asked).toEqual(['2026-11-02T06:00:00', '2026-11-02T06:00:00']);
      expect((await claimsOf(open)).map((c) => [c.slot, c.state])).toEqual([['2026-11-02T06:00:00', 'finished']]);
    } finally {
      await scheduler.stop();
      await close();
    }
  });

  it('a claim that lands as the replica stops is handed back before it stops, not left running under a lease to lapse', async () => {
    vi.setSystemTime(new Date('2026-11-02T05:59:50Z'));
    const { open, close } = await calls('0 6 * * *', 'lease: 6s, recompute: 0');
    const scheduler = new Scheduler(() => open);
    // The store is slow to answer the slot's claim: the stop comes while it is being asked.
    const claim = open.store.claims.claim.bind(open.store.claims);
    let answer: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (answer = resolve));
    let asking = false;
    open.store.claims.claim = async (...args) => {
      asking = true;
      await slow;
      return claim(...args);
    };
    try {
      await scheduler.start();
      await vi.advanceTimersByTimeAsync(10_500);
      expect(asking).toBe(true);
      // The claims as they stand once the stop is over; the store answers a second into it.
      const stopped = scheduler.stop().then(() => claimsOf(open));
      setTimeout(answer, 1_000);
      await vi.advanceTimersByTimeAsync(1_000);
      const claims = await stopped;
      expect(claims.map((c) => [c.slot, c.state, c.detail])).toEqual([['2026-11-02T06:00:00', 'interrupted', 'claimed as this replica stopped: to be run again']]);
      expect(await open.store.runs.storedRuns({ pipelineId: 'calls', limit: 10 })).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('claims between replicas', () => {
  it('a slot asked of two coordinators is run by one; in the repeated hour its second instant is the same slot', async () => {
    const { open, close } = await calls('30 1 * * *');
    try {
      const coordinator = (replica: string) => new StoreCoordinator({ claims: () => open.store.claims, replica, timeZone: () => LONDON, leaseMs: () => 30_000, logger: () => silentLogger });
      const [a, b] = [coordinator('a'), coordinator('b')];
      const bst = cronKey('pipeline:calls', new Date('2026-10-25T00:30:00Z'));
      const gmt = cronKey('pipeline:calls', new Date('2026-10-25T01:30:00Z'));
      expect(await Promise.all([a.shouldRun(bst), b.shouldRun(bst)])).toEqual(expect.arrayContaining([true, false]));
      expect(await Promise.all([a.shouldRun(gmt), b.shouldRun(gmt)])).toEqual([false, false]);
    } finally {
      await close();
    }
  });

  it('a lapsed lease is taken over, the attempt left recorded interrupted; after max_attempts the slot is failed, not run again', async () => {
    const { open, close } = await calls('0 6 * * *', 'lease: 1s, recompute: 0, max_attempts: 2');
    try {
      const claims = open.store.claims;
      const t0 = new Date('2026-11-02T06:00:00Z');
      const answer = await claims.claim({ job: 'pipeline:calls', slot: '2026-11-02T06:00:00', slotAt: t0 }, 'dead-1', t0, 1_000);
      expect(answer.claimed).toBe(true);
      const later = new Date(t0.getTime() + 5_000);
      const [taken] = await claims.takeOver(['pipeline:calls'], 'dead-2', later, 1_000, 2);
      expect(taken).toMatchObject({ replica: 'dead-2', attempt: 2, state: 'running' });
      expect(await claims.takeOver(['pipeline:calls'], 'third', new Date(later.getTime() + 500), 1_000, 2)).toEqual([]);
      expect(await claims.takeOver(['pipeline:calls'], 'third', new Date(later.getTime() + 5_000), 1_000, 2)).toEqual([]);
      const [failed] = await claimsOf(open);
      expect(failed).toMatchObject({ state: 'failed', detail: expect.stringMatching(/^gave up after 2 attempts its replica died under: dead-2 stopped renewing its lease/) });
    } finally {
      await close();
    }
  });

  it('takes over no slot of a job while another of its slots runs under a live lease; a stop on purpose never counts toward max_attempts', async () => {
    const { open, close } = await calls('0 6 * * *', 'lease: 1s, recompute: 0, max_attempts: 2');
    try {
      const claims = open.store.claims;
      const t0 = new Date('2026-11-02T06:00:00Z');
      const s1 = await claims.claim({ job: 'pipeline:calls', slot: '2026-11-02T06:00:00', slotAt: t0 }, 'a', t0, 60_000);
      if (!s1.claimed) throw new Error('not claimed');
      await claims.end(s1.claim, 'a', 'interrupted', t0, 'stopped (shutdown)');
      const t1 = new Date('2026-11-03T06:00:00Z');
      const s2 = await claims.claim({ job: 'pipeline:calls', slot: '2026-11-03T06:00:00', slotAt: t1 }, 'b', t1, 60_000);
      expect(s2.claimed).toBe(true);
      expect(await claims.takeOver(['pipeline:calls'], 'c', new Date(t1.getTime() + 1_000), 60_000, 2)).toEqual([]);
      if (!s2.claimed) return;
      await claims.end(s2.claim, 'b', 'finished', new Date(t1.getTime() + 2_000), 'done');
      // Interrupted on purpose again and again: taken over each time, never given up.
      for (let i = 0; i < 4; i++) {
        const at = new Date(t1.getTime() + 3_000 + i * 1_000);
        const [taken] = await claims.takeOver(['pipeline:calls'], 'c', at, 60_000, 2);
        expect(taken).toMatchObject({ slot: '2026-11-02T06:00:00', state: 'running', attempt: i + 2, lapses: 0 });
        await claims.end(taken!, 'c', 'interrupted', at, 'stopped (shutdown)');
      }
    } finally {
      await close();
    }
  });

  it('on SQLite, a replica row of this very pid on this host (a container restarted as pid 1) is no reason to refuse; a live one is', async () => {
    const { open, close } = await calls('0 6 * * *');
    try {
      const now = new Date();
      await open.store.claims.enrol({ id: 'before-restart', host: hostname(), pid: process.pid }, now);
      await expect(enrolReplica(open, { id: 'after-restart', host: hostname(), pid: process.pid }, now)).resolves.toBeUndefined();
      await open.store.claims.stopped('after-restart', now);
      await open.store.claims.stopped('before-restart', now);
      await open.store.claims.enrol({ id: 'parent', host: hostname(), pid: process.ppid }, now);
      await expect(enrolReplica(open, { id: 'second', host: hostname(), pid: process.pid }, now)).rejects.toThrow(new RegExp(`a scheduler already runs on SQLite .* \\(host ${hostname()}, pid ${process.ppid}, seen`));
    } finally {
      await close();
    }
  });

  it('a run whose claim another replica took over stops, and leaves the claim as the other has it', async () => {
    const { open, close } = await calls('0 6 * * *', 'lease: 1s, recompute: 6');
    try {
      const claims = open.store.claims;
      const now = new Date();
      const answer = await claims.claim({ job: 'pipeline:calls', slot: '2026-11-02T06:00:00', slotAt: now }, 'slow', now, 1_000);
      if (!answer.claimed) throw new Error('not claimed');
      const runner = new JobRunner({ current: () => open, replica: 'slow' });
      const running = runner.run(answer.claim);
      const [taken] = await claims.takeOver(['pipeline:calls'], 'other', new Date(now.getTime() + 2_000), 60_000, 3);
      expect(taken?.replica).toBe('other');
      await runner.renew(1_000);
      await running;
      const [claim] = await claimsOf(open);
      expect(claim).toMatchObject({ replica: 'other', state: 'running', attempt: 2 });
    } finally {
      await close();
    }
  });

  it('replicas working through missed slots together run each once', async () => {
    const { open, close } = await calls('0 6 * * *', 'lease: 30s, recompute: 0, missed_limit: 5', 'missed: all');
    try {
      const t0 = new Date('2026-11-01T06:00:00Z');
      await open.store.claims.skip([{ job: 'pipeline:calls', slot: '2026-11-01T06:00:00', slotAt: t0 }], 'before', t0, 'the last slot recorded');
      const now = new Date('2026-11-06T09:00:00Z');
      const stopping = new AbortController();
      const runners = ['a', 'b', 'c'].map((replica) => ({ replica, runner: new JobRunner({ current: () => open, replica }) }));
      await Promise.all(runners.map(({ replica, runner }) => catchUp(open, runner, replica, now, stopping.signal)));
      const claims = await claimsOf(open);
      expect(claims.map((c) => [c.slot, c.state, c.attempt])).toEqual([
        ['2026-11-01T06:00:00', 'skipped', 0],
        ['2026-11-02T06:00:00', 'finished', 1],
        ['2026-11-03T06:00:00', 'finished', 1],
        ['2026-11-04T06:00:00', 'finished', 1],
        ['2026-11-05T06:00:00', 'finished', 1],
        ['2026-11-06T06:00:00', 'finished', 1],
      ]);
    } finally {
      await close();
    }
  });

  it('status shows the replicas running and those stopped within a day, with each job\'s newest slots', async () => {
    const { open, close } = await calls('0 6 * * *');
    try {
      const claims = open.store.claims;
      const now = new Date('2026-11-10T12:00:00Z');
      const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
      for (const [id, started, stopped] of [['old', 3, 2], ['yesterday', 1, 0.5], ['running', 0.1, undefined]] as const) {
        await claims.enrol({ id, host: 'h', pid: 1 }, daysAgo(started));
        if (stopped !== undefined) await claims.stopped(id, daysAgo(stopped));
      }
      for (const day of ['02', '03', '04', '05']) await claims.skip([{ job: 'pipeline:calls', slot: `2026-11-${day}T06:00:00`, slotAt: new Date(`2026-11-${day}T06:00:00Z`) }], 'running', now, 'test');
      const status = await schedulerStatusOf(open, now);
      expect(status.replicas.map((r) => r.id)).toEqual(['yesterday', 'running']);
      expect(status.jobs.map((j) => [j.job, j.recent.map((c) => c.slot)])).toEqual([['pipeline:calls', ['2026-11-05T06:00:00', '2026-11-04T06:00:00', '2026-11-03T06:00:00']]]);
    } finally {
      await close();
    }
  });
});
