import type Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { acknowledgeException, reckonExceptions } from '../src/app/exceptions.js';
import { withService, type OpenService } from '../src/app/open.js';
import { runCycle, type Cycle } from '../src/app/runCycle.js';
import { loadService } from '../src/app/service.js';
import { silentLogger } from '../src/logger.js';
import { Store } from '../src/store/store.js';
import { buildCli } from './helpers/build.js';
import { contactCentreCalls, contactCentrePipeline } from './helpers/contactCentre.js';
import { freshPostgres } from './helpers/databases.js';
import { workspace } from './helpers/workspace.js';

const DAY = 86_400_000;

const PEOPLE = `
performance_team: { email: team@example.gov.uk }
people:
  - { id: sam, name: Sam Owner, email: sam@example.gov.uk }
  - { id: nia, name: Nia Nomail }
  - { id: lee, name: Lee Lead, email: lee@example.gov.uk }
  - { id: ola, name: Ola Owner, email: ola@example.gov.uk }
services:
  Contact centre: { manager: sam }
data_quality_leads: [lee]
`;

const PIPELINE = (owner: string) =>
  contactCentrePipeline({ title: 'Calls answered', owner, checks: '  - { id: no-bad-rows, type: sql, query: "SELECT * FROM bad WHERE day >= :period_start AND day < :period_end" }' });

interface Setup {
  owner?: string;
  /** The data_not_received setting, as it follows `reminders` in the service config's exceptions. */
  dataNotReceived?: string;
  exceptions?: string;
  extraPipelines?: Record<string, string>;
  store?: string;
}

/** A contact centre whose monthly answered share each test sets, with one owner and a people directory. */
async function contactCentre(o: Setup = {}) {
  const ws = workspace({
    'lineofsight.yaml': [
      'pipelines_dir: {{dir}}/pipelines',
      o.store ?? 'store: { client: sqlite, filename: {{dir}}/store.sqlite }',
      'sources:\n  db: { client: sqlite, connection: {{dir}}/calls.sqlite }',
      'people_file: {{dir}}/people.yaml',
      `exceptions: { reminders: [1d, 7d]${o.dataNotReceived ?? ', data_not_received: [{ after: 5d, to: [owner] }]'}${o.exceptions ?? ''} }`,
      'email: { from: "Performance <performance@example.gov.uk>", files_dir: {{dir}}/outbox }',
      '',
    ].join('\n'),
    'people.yaml': PEOPLE,
    'pipelines/calls.yaml': PIPELINE(o.owner ?? 'sam'),
    ...o.extraPipelines,
  });
  const { db, share } = contactCentreCalls(ws.file('calls.sqlite'), 'CREATE TABLE bad (day TEXT)');
  return { ws, db, share, service: await loadService(ws.config, {}) };
}

const opened: { db: Database.Database }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.db.close();
});

const JULY_2ND = Date.parse('2024-07-02T07:00:00Z');

/** Runs a cycle of the given period at a moment, as the daemon would. */
function cycleAt(open: OpenService, at: number, period = '2024-06'): Promise<Cycle> {
  return runCycle(open, { pipelines: open.config.pipelines, choice: { period }, now: () => new Date(at) });
}

const told = (c: Cycle) => c.exceptions.messages.map((m) => ({ to: m.to.address, subject: m.subject, tells: m.tells.map((t) => `${t.exception.key} ${t.change}`) }));

describe('a run cycle tells each owner of their exceptions, once, through the outbox', () => {
  it('tells new, stays quiet, reminds on a slowing interval, keeps quiet when acknowledged, tells a change, and a resolution once', async () => {
    const c = await contactCentre();
    opened.push(c);
    await withService(
      c.service,
      async (open) => {
        const first = await runCycle(open, { pipelines: open.config.pipelines, choice: { from: '2024-04', to: '2024-06' }, now: () => new Date(JULY_2ND) });
        expect(told(first)).toEqual([{ to: 'sam@example.gov.uk', subject: '1 red: Contact centre - June 2024', tells: ['rag:CS1 new'] }]);
        expect(first.delivered).toMatchObject({ sent: 1, retrying: 0, failed: 0 });
        const [message] = await open.store.outbox.list(undefined, 10);
        expect(message).toMatchObject({ state: 'sent', to: { address: 'sam@example.gov.uk', name: 'Sam Owner' } });
        expect(message!.text).toMatch(/New \(1\)[\s\S]*\[RED\] CS1 Calls answered is RED for June 2024[\s\S]*Value: 70\.0%[\s\S]*Target: 80%[\s\S]*Tolerance: 5 points/);

        // The same results an hour later: nothing is written, nothing sent.
        const again = await cycleAt(open, JULY_2ND + 3_600_000);
        expect(told(again)).toEqual([]);
        expect(again.delivered).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
        expect(await open.store.outbox.list(undefined, 10)).toHaveLength(1);

        // A day later the first reminder is due; the next a week after it.
        expect(told(await cycleAt(open, JULY_2ND + DAY))).toEqual([{ to: 'sam@example.gov.uk', subject: '1 red: Contact centre - June 2024', tells: ['rag:CS1 still_open'] }]);
        expect(told(await cycleAt(open, JULY_2ND + 2 * DAY))).toEqual([]);
        expect(told(await cycleAt(open, JULY_2ND + 8 * DAY))).toEqual([{ to: 'sam@example.gov.uk', subject: '1 red: Contact centre - June 2024', tells: ['rag:CS1 still_open'] }]);

        // Acknowledged: no reminder while it stays RED.
        const [exception] = await open.store.exceptions.openExceptions();
        await acknowledgeException(open, exception!.id, 'new starters in training', undefined, new Date(JULY_2ND + 9 * DAY));
        expect(told(await cycleAt(open, JULY_2ND + 20 * DAY))).toEqual([]);

        // AMBER now: a change, told whatever the acknowledgement, which it ends.
        c.share('2024-06-30', 77);
        const changed = await cycleAt(open, JULY_2ND + 21 * DAY);
        expect(told(changed)).toEqual([{ to: 'sam@example.gov.uk', subject: '1 amber: Contact centre - June 2024', tells: ['rag:CS1 changed'] }]);
        expect((await open.store.exceptions.openExceptions())[0]).toMatchObject({ id: exception!.id, state: 'AMBER', acknowledgement: null });

        // Backfilling an earlier period changes the store, never tells anyone about the past.
        c.share('2024-04-30', 40);
        const backfill = await cycleAt(open, JULY_2ND + 21 * DAY + 60_000, '2024-04');
        expect(backfill.runs.map((r) => [r.period.id, r.outcome])).toEqual([['2024-04', 'succeeded']]);
        expect(told(backfill)).toEqual([]);

        // GREEN: resolved, told once.
        c.share('2024-06-30', 90);
        const resolved = await cycleAt(open, JULY_2ND + 22 * DAY);
        expect(told(resolved)).toEqual([{ to: 'sam@example.gov.uk', subject: '1 resolved: Contact centre - June 2024', tells: ['rag:CS1 resolved'] }]);
        expect(await open.store.exceptions.openExceptions()).toEqual([]);
        expect(told(await cycleAt(open, JULY_2ND + 40 * DAY))).toEqual([]);
        expect((await open.store.outbox.list(undefined, 20)).map((m) => m.state)).toEqual(Array(5).fill('sent'));
      },
      { logger: silentLogger },
    );
  });

  it('tells an owner of a period whose data has not arrived, once it is overdue', async () => {
    const c = await contactCentre();
    opened.push(c);
    c.share('2024-06-30', 90);
    await withService(
      c.service,
      async (open) => {
        await runCycle(open, { pipelines: open.config.pipelines, choice: { from: '2024-04', to: '2024-06' }, now: () => new Date(JULY_2ND) });
        // No July data: awaiting, not yet overdue on the 3rd of August; overdue on the 6th.
        const early = await cycleAt(open, Date.parse('2024-08-03T07:00:00Z'), '2024-07');
        expect(early.runs.map((r) => r.outcome)).toEqual(['awaiting']);
        expect(told(early)).toEqual([]);
        const late = await cycleAt(open, Date.parse('2024-08-06T07:00:00Z'), '2024-07');
        expect(told(late)).toEqual([{ to: 'sam@example.gov.uk', subject: '1 data not received: Contact centre - July 2024', tells: ['data_not_received:CS1:2024-07 new'] }]);
        expect(late.exceptions.messages[0]!.text).toMatch(/no data for July 2024, 5 days after it ended[\s\S]*Why: no data received for 2024-07/);
        // A month on, August is overdue too, and July, still not in, is not resolved by the scorecard moving on; its one step told, it gets no reminder.
        const august = await cycleAt(open, Date.parse('2024-09-07T07:00:00Z'), '2024-08');
        expect(told(august)).toEqual([{ to: 'sam@example.gov.uk', subject: '1 data not received: Contact centre - August 2024', tells: ['data_not_received:CS1:2024-08 new'] }]);
        expect((await open.store.exceptions.openExceptions()).map((e) => e.key)).toEqual(['data_not_received:CS1:2024-07', 'data_not_received:CS1:2024-08']);
        // July arrives: resolved; August still awaited.
        c.share('2024-07-31', 91);
        expect(told(await cycleAt(open, Date.parse('2024-09-07T08:00:00Z'), '2024-07'))).toEqual([
          { to: 'sam@example.gov.uk', subject: '1 resolved: Contact centre - July 2024', tells: ['data_not_received:CS1:2024-07 resolved'] },
        ]);
      },
      { logger: silentLogger },
    );
  });

  describe('data not received is chased up the ladder of its steps, each told once, day by day (fake clock)', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    /** Who is told what of July's missing data, running a cycle at 07:00 on each day given, counted from its end (1 August is day 0). */
    async function chase(days: readonly number[], arriveOn?: number) {
      const c = await contactCentre({ owner: 'ola', dataNotReceived: '' });
      opened.push(c);
      c.share('2024-06-30', 90);
      const byDay: Record<number, string[]> = {};
      await withService(
        c.service,
        async (open) => {
          await runCycle(open, { pipelines: open.config.pipelines, choice: { from: '2024-04', to: '2024-06' }, now: () => new Date(JULY_2ND) });
          vi.useFakeTimers({ toFake: ['Date'] });
          for (const day of days) {
            if (day === arriveOn) c.share('2024-07-31', 91);
            vi.setSystemTime(new Date(Date.parse('2024-08-01T07:00:00Z') + day * DAY));
            const cycle = await runCycle(open, { pipelines: open.config.pipelines, choice: { period: '2024-07' } });
            const tells = cycle.exceptions.messages.flatMap((m) => m.tells.map((t) => `${m.to.address.split('@')[0]} ${t.change}`));
            if (tells.length) byDay[day] = tells.sort();
          }
        },
        { logger: silentLogger },
      );
      return byDay;
    }

    const everyDay = Array.from({ length: 26 }, (_, i) => i);

    it('by default: its owner on day 10, the owner and the service manager on day 15, the performance team too on day 20, and no reminders between', async () => {
      expect(await chase(everyDay)).toEqual({
        10: ['ola new'],
        15: ['ola changed', 'sam new'],
        20: ['ola changed', 'sam changed', 'team new'],
      });
    });

    it('goes straight to the highest step reached when the service was down for the steps between', async () => {
      expect(await chase([1, 9, 21, 22])).toEqual({ 21: ['ola new', 'sam new', 'team new'] });
    });

    it('the data arriving resolves it, told once to everyone who was chased', async () => {
      expect(await chase([10, 15, 16, 17], 16)).toEqual({
        10: ['ola new'],
        15: ['ola changed', 'sam new'],
        16: ['ola resolved', 'sam resolved'],
      });
    });

    it('an older period still not in goes on up its steps after the scorecard has moved on to the next', async () => {
      const c = await contactCentre({ owner: 'ola', dataNotReceived: ', data_not_received: [{ after: 10d, to: [owner] }, { after: 40d, to: [owner, manager] }]' });
      opened.push(c);
      c.share('2024-06-30', 90);
      await withService(
        c.service,
        async (open) => {
          const tellsOf = (cycle: Cycle) => cycle.exceptions.messages.flatMap((m) => m.tells.map((t) => `${m.to.address.split('@')[0]} ${t.exception.key} ${t.change}`)).sort();
          expect(tellsOf(await cycleAt(open, Date.parse('2024-08-11T07:00:00Z'), '2024-07'))).toEqual(['ola data_not_received:CS1:2024-07 new']);
          // 10 September: the scorecard stands at August (9 days overdue: no step yet); July, 40 days on, reaches its second step.
          expect(tellsOf(await cycleAt(open, Date.parse('2024-09-10T07:00:00Z'), '2024-08'))).toEqual(['ola data_not_received:CS1:2024-07 changed', 'sam data_not_received:CS1:2024-07 new']);
          const [july] = await open.store.exceptions.openExceptions();
          expect(july).toMatchObject({ key: 'data_not_received:CS1:2024-07', state: 'step 2' });
        },
        { logger: silentLogger },
      );
    });

    it('says which step it is on and when the next comes', async () => {
      const c = await contactCentre({ owner: 'ola', dataNotReceived: '' });
      opened.push(c);
      await withService(
        c.service,
        async (open) => {
          const cycle = await cycleAt(open, Date.parse('2024-08-16T07:00:00Z'), '2024-07');
          const sam = cycle.exceptions.messages.find((m) => m.to.address === 'sam@example.gov.uk')!;
          expect(sam.text).toMatch(/Chased: step 2 of 3: owner, manager[\s\S]*Next step: 21 August 2024: owner, manager, performance_team/);
          expect(sam.text).not.toMatch(/To stop reminders/);
        },
        { logger: silentLogger },
      );
    });
  });

  it.each([
    ['mark', ['rag:CS1 new'], /Unvalidated: its data failed the data-quality check no-bad-rows \(error\)/],
    ['hold', [], undefined],
  ] as const)('with unvalidated: %s, a RAG behind an error check is marked or held, and the failure goes to the owner and the leads once', async (mode, ownerRag, marked) => {
    const c = await contactCentre({ exceptions: `, unvalidated: ${mode}` });
    opened.push(c);
    c.db.exec("INSERT INTO bad VALUES ('2024-06-03'), ('2024-06-04')");
    await withService(
      c.service,
      async (open) => {
        const cycle = await runCycle(open, { pipelines: open.config.pipelines, choice: { from: '2024-04', to: '2024-06' }, now: () => new Date(JULY_2ND) });
        const byAddress = Object.fromEntries(told(cycle).map((m) => [m.to, m.tells]));
        const dq = `check:${(await open.store.checkLog.unresolvedEntries()).find((e) => e.checkId === 'no-bad-rows')!.id} new`;
        expect(byAddress).toEqual({ 'sam@example.gov.uk': [...ownerRag, dq], 'lee@example.gov.uk': [dq] });
        const sam = cycle.exceptions.messages.find((m) => m.to.address === 'sam@example.gov.uk')!;
        if (marked) expect(sam.text).toMatch(marked);
        expect(sam.text).toMatch(/Values unvalidated: CS1/);
        // GREEN on data that still fails its check: nothing is resolved on a value in doubt.
        c.share('2024-06-30', 90);
        expect(told(await cycleAt(open, JULY_2ND + 60_000)).find((m) => m.to === 'sam@example.gov.uk')).toBeUndefined();
        expect((await open.store.exceptions.openExceptions()).map((e) => e.key).sort()).toEqual([...(mode === 'mark' ? ['rag:CS1'] : []), dq.replace(' new', '')].sort());
        // Held: once the check passes, the RAG is told as new; marked, it is the same exception, unchanged.
        c.share('2024-06-30', 70);
        c.db.exec('DELETE FROM bad');
        const after = await cycleAt(open, JULY_2ND + 3_600_000);
        expect(told(after).find((m) => m.to === 'sam@example.gov.uk')?.tells.sort()).toEqual([...(mode === 'hold' ? ['rag:CS1 new'] : []), dq.replace('new', 'resolved')].sort());
      },
      { logger: silentLogger },
    );
  });

  it('sends mail for someone with no address to the performance team, saying for whom', async () => {
    const c = await contactCentre({ owner: 'nia' });
    opened.push(c);
    await withService(
      c.service,
      async (open) => {
        const cycle = await runCycle(open, { pipelines: open.config.pipelines, choice: { period: '2024-06' }, now: () => new Date(JULY_2ND) });
        expect(told(cycle)).toEqual([{ to: 'team@example.gov.uk', subject: '1 red: Contact centre - June 2024', tells: ['rag:CS1 new'] }]);
        const [m] = cycle.exceptions.messages;
        expect(m!.text).toMatch(/Some are for Nia Nomail, who has no email address/);
        expect(m!.text).toMatch(/For: Nia Nomail/);
      },
      { logger: silentLogger },
    );
  });

  it('sends a pipeline failure at once on its own to the performance team, and its resolution in the digest', async () => {
    const broken = PIPELINE('sam').replace('id: calls', 'id: broken').replace('title: Calls answered', 'title: Broken calls').replace('id: CS1', 'id: BR1').replace('FROM monthly WHERE', 'FROM missing_table WHERE').replace('id: no-bad-rows', 'id: br-bad-rows');
    const c = await contactCentre({ extraPipelines: { 'pipelines/broken.yaml': broken } });
    opened.push(c);
    await withService(
      c.service,
      async (open) => {
        const cycle = await runCycle(open, { pipelines: open.config.pipelines, choice: { period: '2024-06' }, now: () => new Date(JULY_2ND) });
        expect(cycle.runs.map((r) => [r.pipelineId, r.outcome])).toEqual([
          ['broken', 'failed'],
          ['calls', 'succeeded'],
        ]);
        expect(cycle.exceptions.messages.map((m) => [m.kind, m.to.address, m.subject])).toEqual([
          ['pipeline_failed', 'team@example.gov.uk', 'Pipeline failed: broken - June 2024'],
          ['digest', 'sam@example.gov.uk', '1 red: Contact centre - June 2024'],
        ]);
        expect(cycle.exceptions.messages[0]!.text).toMatch(/Why: .*missing_table/);
        c.db.exec('CREATE TABLE missing_table (day TEXT, answered REAL, offered REAL)');
        c.db.exec("INSERT INTO missing_table VALUES ('2024-06-30', 900, 1000)");
        const fixed = await cycleAt(open, JULY_2ND + 3_600_000);
        expect(told(fixed)).toEqual([{ to: 'team@example.gov.uk', subject: '1 resolved: Contact centre - June 2024', tells: ['pipeline:broken resolved'] }]);
      },
      { logger: silentLogger },
    );
  });

  it('lists in a dry run exactly what a cycle now would send, and writes nothing', async () => {
    const c = await contactCentre();
    opened.push(c);
    await withService(
      c.service,
      async (open) => {
        await runCycle(open, { pipelines: open.config.pipelines, choice: { from: '2024-04', to: '2024-06' }, now: () => new Date(JULY_2ND) });
        const dry = await reckonExceptions(open, new Date(JULY_2ND + DAY), { dry: true });
        expect(dry.messages.map((m) => [m.to.address, m.tells.map((t) => t.change)])).toEqual([['sam@example.gov.uk', ['still_open']]]);
        expect(dry.open.map((o) => [o.id, o.exception.key])).toEqual([[1, 'rag:CS1']]);
        // Nothing written: the real cycle a day later still owes the reminder.
        expect(await open.store.outbox.list(undefined, 10)).toHaveLength(1);
        expect(told(await cycleAt(open, JULY_2ND + DAY))).toEqual([{ to: 'sam@example.gov.uk', subject: '1 red: Contact centre - June 2024', tells: ['rag:CS1 still_open'] }]);
      },
      { logger: silentLogger },
    );
  });
});

describe.each(['sqlite', 'pg'])('exceptions reckoned by several processes at once on %s', (client) => {
  beforeAll(() => buildCli(), 120_000);

  it('are opened once and told once', async () => {
    const store = client === 'pg' ? `store: { client: pg, connection: "${await freshPostgres('lineofsight_exceptions_race')}" }` : undefined;
    const c = await contactCentre({ store });
    opened.push(c);
    await withService(
      c.service,
      async (open) => {
        await runCycle(open, { pipelines: open.config.pipelines, choice: { from: '2024-04', to: '2024-06' }, now: () => new Date(JULY_2ND) });
      },
      { logger: silentLogger },
    );
    // Four processes reckon the same results at the same moment, a day on: one reminder, once.
    const startAt = Date.now() + 1500;
    const race = () =>
      new Promise<string>((resolve) => {
        const child = spawn(process.execPath, [path.resolve('test/helpers/reckonRace.mjs'), c.ws.config, String(startAt), String(JULY_2ND + DAY)]);
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', () => resolve(out.trim()));
      });
    const results = (await Promise.all([1, 2, 3, 4].map(race))).map((out) => JSON.parse(out) as string[][]);
    expect(results.flat()).toEqual([['rag:CS1 still_open']]);
    const one = new Store(c.service.config.service.store);
    try {
      expect((await one.exceptions.openExceptions()).map((e) => e.key)).toEqual(['rag:CS1']);
      expect((await one.outbox.list(undefined, 10)).map((m) => m.state)).toEqual(['pending', 'sent']);
    } finally {
      await one.close();
    }
  }, 60_000);
});
