import Database from 'better-sqlite3';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { planBackfill, runBackfill, type BackfillRequest, type Progress } from '../src/app/backfill.js';
import { withService, type OpenService } from '../src/app/open.js';
import { runCycle } from '../src/app/runCycle.js';
import { loadService } from '../src/app/service.js';
import { silentLogger } from '../src/logger.js';
import { Store } from '../src/store/store.js';
import { buildCli } from './helpers/build.js';
import { lineofsight } from './helpers/cli.js';
import { contactCentrePipeline } from './helpers/contactCentre.js';
import { ledgerWorkspace, startCli } from './helpers/ledger.js';
import { workspace } from './helpers/workspace.js';

beforeAll(() => buildCli(), 120_000);

const request = (open: OpenService, over: Partial<BackfillRequest> = {}): BackfillRequest => ({
  pipelines: open.config.pipelines,
  scope: '--all',
  from: '2022-23',
  to: '2022-23',
  only: 'never-run',
  concurrency: 1,
  ...over,
});

/** Runs recorded of each pipeline@period, from the store's own reads. */
async function runsPerPeriod(open: OpenService): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const p of open.config.pipelines) for (const r of await open.store.runs.runsOf(p.id)) out.set(`${r.pipelineId}@${r.periodId}`, (out.get(`${r.pipelineId}@${r.periodId}`) ?? 0) + 1);
  return out;
}

const MONTHS_2022_23 = ['2022-04', '2022-05', '2022-06', '2022-07', '2022-08', '2022-09', '2022-10', '2022-11', '2022-12', '2023-01', '2023-02', '2023-03'];

describe('backfill on a SQLite store', () => {
  it('--only never-run, failed and all choose their periods; --dry-run writes nothing', async () => {
    const { ws, breakMonth } = await ledgerWorkspace({ source: 'sqlite', store: 'sqlite' });
    await breakMonth('2022-06-30', true);
    const service = await loadService(ws.config, {});
    await withService(
      service,
      async (open) => {
        // Two months run before, by hand.
        await runCycle(open, { pipelines: open.config.pipelines, choice: { from: '2022-04', to: '2022-05' } });
        const plan = await planBackfill(open, request(open));
        expect(plan.periods.filter((p) => p.action === 'run').map((p) => p.period.id)).toEqual(MONTHS_2022_23.slice(2));
        expect(plan.periods.filter((p) => p.action === 'not chosen').map((p) => [p.period.id, p.why])).toEqual([
          ['2022-04', 'latest run succeeded'],
          ['2022-05', 'latest run succeeded'],
        ]);

        const dry = lineofsight(['backfill', '--all', '--from', '2022-23', '--to', '2022-23', '--dry-run', '--config', ws.config]);
        expect(dry.status).toBe(0);
        expect(dry.stdout).toMatch(/would start generation 1/);
        expect(dry.stdout).toMatch(/spend\s+2022-06\s+would run\s+never run/);
        expect(dry.stdout).toMatch(/spend\s+2022-04\s+not chosen\s+latest run succeeded/);
        expect(dry.stdout).toMatch(/dry run: 10 would run, 0 would resume, 0 already done by this backfill, 2 not chosen, 0 busy elsewhere; nothing was written/);
        expect((await runsPerPeriod(open)).size).toBe(2);
        expect(await open.store.claims.recent(100)).toEqual([]);

        const first = await runBackfill(open, request(open));
        expect(first.results.map((r) => [r.periodId, r.outcome])).toEqual(MONTHS_2022_23.slice(2).map((id) => [id, id === '2022-06' ? 'failed' : 'succeeded']));
        expect(first.failed).toEqual([{ pipelineId: 'spend', periodId: '2022-06', error: expect.stringMatching(/2\^53/) }]);

        // Failed ones only, once the data is put right.
        await breakMonth('2022-06-30', false);
        expect((await planBackfill(open, request(open, { only: 'failed' }))).periods.filter((p) => p.action === 'run').map((p) => p.period.id)).toEqual(['2022-06']);
        const failed = await runBackfill(open, request(open, { only: 'failed' }));
        expect(failed.results.map((r) => [r.periodId, r.outcome])).toEqual([['2022-06', 'succeeded']]);
        expect(failed.failed).toEqual([]);

        // Nothing is left never run; all of them, again, on purpose: a new generation, since the last one completed.
        expect((await planBackfill(open, request(open))).periods.every((p) => p.action === 'not chosen')).toBe(true);
        const again = await runBackfill(open, request(open, { only: 'all' }));
        expect(again.plan).toMatchObject({ generation: 1, resumes: false });
        expect(again.results).toHaveLength(12);
        const counts = await runsPerPeriod(open);
        expect(MONTHS_2022_23.map((id) => counts.get(`spend@${id}`))).toEqual([2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
        const asked = await runBackfill(open, request(open, { only: 'all' }));
        expect(asked.plan).toMatchObject({ generation: 2, resumes: false });
      },
      { logger: silentLogger },
    );
  });

  it('stopped part way, resumes: no period is run twice, and the rest are run', async () => {
    const { ws } = await ledgerWorkspace({ source: 'sqlite', store: 'sqlite', pipelines: ['spend', 'other'] });
    const service = await loadService(ws.config, {});
    await withService(
      service,
      async (open) => {
        const stop = new AbortController();
        const stopAfterFour = (p: Progress) => p.done === 4 && stop.abort();
        const first = await runBackfill(open, request(open, { concurrency: 2, stop: stop.signal, onProgress: stopAfterFour }));
        expect(first.interrupted).toBe(true);
        const ran = first.results.filter((r) => r.outcome === 'succeeded');
        expect(ran.length).toBeGreaterThanOrEqual(4);
        expect(ran.length).toBeLessThan(24);
        // What was claimed and not run is left interrupted, for the resume.
        const left = (await open.store.claims.recent(100)).filter((c) => c.job.startsWith('backfill #'));
        expect(left.every((c) => c.state === 'finished' || c.state === 'interrupted')).toBe(true);
        const dry = await planBackfill(open, request(open, { concurrency: 2 }));
        expect(dry.resumes).toBe(true);
        expect(dry.periods.filter((p) => p.action === 'done')).toHaveLength(ran.length);

        // An abort gives up the periods under way at once; they are resumed too.
        const abort = new AbortController();
        const second = await runBackfill(open, request(open, { concurrency: 2, abort: abort.signal, onProgress: (p) => p.done === 2 && abort.abort() }));
        expect(second.plan.resumes).toBe(true);
        expect(second.interrupted).toBe(true);
        await new Promise((r) => setTimeout(r, 200));

        const third = await runBackfill(open, request(open, { concurrency: 2 }));
        expect(third.plan).toMatchObject({ generation: 1, resumes: true });
        expect(third.interrupted).toBe(false);
        const counts = await runsPerPeriod(open);
        expect(counts.size).toBe(24);
        expect([...counts.values()].every((n) => n === 1)).toBe(true);
        expect((await open.store.claims.recent(100)).find((c) => c.job === 'backfill --all 2022-23..2022-23 never-run')).toMatchObject({ state: 'finished', attempt: 3 });
      },
      { logger: silentLogger },
    );
  });

  it('of past periods tells no one about them, and sends the outbox', async () => {
    const ws = workspace({
      'lineofsight.yaml': [
        'pipelines_dir: {{dir}}/pipelines',
        'store: { client: sqlite, filename: {{dir}}/store.sqlite }',
        'sources:\n  db: { client: sqlite, connection: {{dir}}/calls.sqlite }',
        'people_file: {{dir}}/people.yaml',
        'email: { from: "Performance <performance@example.gov.uk>", files_dir: {{dir}}/outbox }',
        'scheduler: { source_retries: [] }',
        '',
      ].join('\n'),
      'people.yaml': 'performance_team: { email: team@example.gov.uk }\npeople:\n  - { id: sam, name: Sam Owner, email: sam@example.gov.uk }\nservices:\n  Contact centre: { manager: sam }\n',
      'pipelines/calls.yaml': contactCentrePipeline({ title: 'Calls answered', owner: 'sam' }),
    });
    const db = new Database(ws.file('calls.sqlite'));
    db.exec('CREATE TABLE monthly (day TEXT, answered REAL, offered REAL)');
    // Red months from April 2023 (targets from April 2024), and a red June 2024 that is the latest.
    for (let m = 4; m <= 17; m++) db.prepare('INSERT INTO monthly VALUES (?, 400, 1000)').run(new Date(Date.UTC(2023, m, 0)).toISOString().slice(0, 10));
    db.prepare("INSERT INTO monthly VALUES ('2024-06-30', 700, 1000)").run();
    db.close();
    const july2nd = Date.parse('2024-07-02T07:00:00Z');
    await withService(
      await loadService(ws.config, {}),
      async (open) => {
        const cycle = await runCycle(open, { pipelines: open.config.pipelines, choice: { period: '2024-06' }, now: () => new Date(july2nd) });
        expect(cycle.exceptions.messages.map((m) => m.subject)).toEqual(['1 red: Contact centre - June 2024']);
        const backfill = await runBackfill(open, { ...request(open, { from: '2023-04', to: '2024-05' }), now: () => new Date(july2nd + 3_600_000) });
        expect(backfill.results).toHaveLength(14);
        expect(backfill.results.every((r) => r.outcome === 'succeeded')).toBe(true);
        expect((await open.store.runs.storedValues(['CS1'], { from: '2024-04-01', to: '2024-06-01' })).map((v) => [v.periodId, v.judgement?.rag])).toEqual([
          ['2024-04', 'RED'],
          ['2024-05', 'RED'],
        ]);
        expect(backfill.after?.exceptions.messages).toEqual([]);
        expect(backfill.after?.delivered).toMatchObject({ sent: 0, failed: 0 });
        const outbox = await open.store.outbox.list(undefined, 10);
        expect(outbox.map((m) => [m.subject, m.state])).toEqual([['1 red: Contact centre - June 2024', 'sent']]);
        // A past period whose run fails now is the backfill's to report: no pipeline failure is emailed about it.
        const broken = new Database(ws.file('calls.sqlite'));
        broken.exec('ALTER TABLE monthly RENAME TO monthly_gone');
        broken.close();
        const failing = await runBackfill(open, { ...request(open, { from: '2023-04', to: '2023-04', only: 'all' }), now: () => new Date(july2nd + 7_200_000) });
        expect(failing.results.map((r) => [r.periodId, r.outcome])).toEqual([['2023-04', 'failed']]);
        expect(failing.after?.exceptions.messages).toEqual([]);
        expect((await open.store.outbox.list(undefined, 10)).map((m) => m.subject)).toEqual(['1 red: Contact centre - June 2024']);
      },
      { logger: silentLogger },
    );
  });
});

describe('backfill CLI', () => {
  it('logs a line per period when stderr is not a terminal, exits 1 with a summary when a period failed', async () => {
    const { ws, breakMonth } = await ledgerWorkspace({ source: 'sqlite', store: 'sqlite' });
    await breakMonth('2022-05-31', true);
    const r = lineofsight(['backfill', 'spend', '--from', '2022-04', '--to', '2022-06', '--config', ws.config]);
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('backfill: '))).toEqual([
      expect.stringMatching(/^backfill: spend 2022-04 succeeded; 1\/3 periods, 0 failed, ETA \d+s$/),
      expect.stringMatching(/^backfill: spend 2022-05 failed; 2\/3 periods, 1 failed, ETA \d+s$/),
      expect.stringMatching(/^backfill: spend 2022-06 succeeded; 3\/3 periods, 1 failed, in \d+s$/),
    ]);
    expect(r.stdout).toMatch(/^backfill spend 2022-04\.\.2022-06 never-run, generation 1: 2 succeeded, 1 failed; 0 already done by this backfill, 0 not chosen\n {2}FAILED spend 2022-05: .*2\^53/);
    const json = lineofsight(['backfill', 'spend', '--from', '2022-04', '--to', '2022-06', '--only', 'failed', '--json', '--config', ws.config]);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ generation: 1, interrupted: false, periods: [{ pipeline: 'spend', period: '2022-05', outcome: 'failed' }] });
    await breakMonth('2022-05-31', false);
    expect(lineofsight(['backfill', 'spend', '--from', '2022-04', '--to', '2022-06', '--only', 'failed', '--config', ws.config]).status).toBe(0);
  });

  it('refuses bad input with the reason, before anything runs', async () => {
    const { ws } = await ledgerWorkspace({ source: 'sqlite', store: 'sqlite' });
    const refused = (...args: string[]) => {
      const r = lineofsight(['backfill', ...args, '--config', ws.config]);
      expect(r.status, r.stderr).toBe(1);
      return r.stderr.trim();
    };
    expect(refused('nope', '--from', '2022-04', '--to', '2022-06')).toBe('lineofsight: unknown pipeline "nope" (known: spend)');
    expect(refused('--all', 'spend', '--from', '2022-04', '--to', '2022-06')).toBe('lineofsight: name one pipeline or give --all');
    expect(refused('spend', '--from', '2022-13', '--to', '2022-06')).toMatch(/^lineofsight: .*2022-13/);
    expect(refused('spend', '--from', '0099-12', '--to', '2022-06')).toMatch(/periods are of the years 1990 to 2099/);
    expect(refused('spend', '--from', '2022-07', '--to', '2022-06')).toBe('lineofsight: --from 2022-07 is after --to 2022-06');
    for (const n of ['0', '-2', 'abc', '1.5']) expect(refused('spend', '--from', '2022-04', '--to', '2022-06', '--concurrency', n)).toBe('lineofsight: --concurrency must be a positive integer');
    expect(refused('spend', '--from', '2022-04', '--to', '2022-06', '--only', 'sometimes')).toBe('lineofsight: --only "sometimes" is not one of never-run, failed, all');
    expect(refused('spend', '--to', '2022-06')).toMatch(/required option '--from <period>' not specified/);
    expect(refused('spend', '--from', '2999-01', '--to', '2999-02')).toMatch(/periods are of the years/);
    const db = new Database(ws.file('store.sqlite'), { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 0 });
    db.close();
  });
});

/** The most queries seen running at once against a database, polled from pg_stat_activity while `work` runs. */
async function peakQueries(url: string, work: () => Promise<unknown>): Promise<number> {
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  let peak = 0;
  let watching = true;
  const poll = (async () => {
    while (watching) {
      const r = await watcher.query("SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()");
      peak = Math.max(peak, r.rows[0].n as number);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    await work();
  } finally {
    watching = false;
    await poll;
    await watcher.end();
  }
  return peak;
}

describe('backfill on PostgreSQL (store and source)', () => {
  it('never has more than --concurrency queries at once on a source, however many pipelines share it', async () => {
    const { ws, sourceUrl } = await ledgerWorkspace({ source: 'pg', store: 'pg', pipelines: ['spend', 'other', 'third'], pause: 0.05 });
    await withService(
      await loadService(ws.config, {}),
      async (open) => {
        for (const concurrency of [1, 2, 3]) {
          const range = { from: `${2021 + concurrency}-04`, to: `${2021 + concurrency}-09` };
          let summary: Awaited<ReturnType<typeof runBackfill>> | undefined;
          const peak = await peakQueries(sourceUrl!, async () => (summary = await runBackfill(open, request(open, { ...range, concurrency }))));
          expect(summary!.results.filter((r) => r.outcome === 'succeeded')).toHaveLength(18);
          // Each period sends a reconciliation's two totals at once: unbounded, 2x as many would run.
          expect(peak).toBeLessThanOrEqual(concurrency);
          expect(peak).toBe(concurrency);
        }
      },
      { logger: silentLogger },
    );
  });

  it('renews its claims while a period runs, so a daemon sweeping beside it never takes one over', async () => {
    const { ws } = await ledgerWorkspace({ source: 'pg', store: 'pg', pause: 0.4, extra: 'scheduler: { lease: 300ms, source_retries: [] }' });
    const service = await loadService(ws.config, {});
    const daemon = new Store(service.config.service.store);
    await withService(
      service,
      async (open) => {
        const taken: string[] = [];
        let sweeping = true;
        const sweep = (async () => {
          while (sweeping) {
            const jobs = (await daemon.claims.held()).map((c) => c.job);
            taken.push(...(await daemon.claims.takeOver(jobs, 'daemon', new Date(), 300, 3)).map((c) => c.job));
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        })();
        const summary = await runBackfill(open, request(open, { from: '2022-04', to: '2022-06', concurrency: 2 }));
        sweeping = false;
        await sweep;
        expect(taken).toEqual([]);
        expect(summary.results.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      },
      { logger: silentLogger },
    );
    await daemon.close();
  });

  it('killed with SIGKILL, or stopped with SIGINT, part way: asked again, it resumes, running no period twice', async () => {
    const { ws } = await ledgerWorkspace({ source: 'pg', store: 'pg', pause: 0.1, extra: 'scheduler: { lease: 3s, source_retries: [] }' });
    const args = ['backfill', 'spend', '--from', '2022-04', '--to', '2024-03', '--concurrency', '2', '--config', ws.config];
    const service = await loadService(ws.config, {});
    await withService(
      service,
      async (open) => {
        const runs = async () => [...(await runsPerPeriod(open)).values()].reduce((a, b) => a + b, 0);
        const until = async (n: number) => {
          while ((await runs()) < n) await new Promise((resolve) => setTimeout(resolve, 20));
        };

        const killed = startCli(args, ws.dir);
        await until(4);
        killed.child.kill('SIGKILL');
        expect((await killed.done).signal).toBe('SIGKILL');
        const afterKill = await runs();
        expect(afterKill).toBeLessThan(24);

        // Asked again at once, its lease still live: refused, saying where it runs.
        const early = startCli(args, ws.dir);
        const refused = await early.done;
        expect(refused.status).toBe(1);
        expect(refused.stderr).toMatch(/is already running on .*:backfill \(its lease runs to .*\); ask again once it stops, or after its lease lapses if it died/);
        expect(await runs()).toBe(afterKill);
        await new Promise((resolve) => setTimeout(resolve, 3100));

        const stopped = startCli(args, ws.dir);
        await until(afterKill + 3);
        stopped.child.kill('SIGINT');
        const interrupted = await stopped.done;
        expect(interrupted.status).toBe(130);
        expect(interrupted.stderr).toMatch(/backfill: SIGINT: no more periods will be started/);
        expect(interrupted.stdout).toMatch(/\(resumed\)[\s\S]*interrupted: ask again with the same arguments to resume it/);

        const resumed = startCli(args, ws.dir);
        const last = await resumed.done;
        expect(last.status, last.stderr).toBe(0);
        expect(last.stdout).toMatch(/generation 1 \(resumed\)/);
        const counts = await runsPerPeriod(open);
        expect(counts.size).toBe(24);
        expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
      },
      { logger: silentLogger },
    );
  }, 120_000);
});
