import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from './helpers/build.js';
import { lineofsight } from './helpers/cli.js';
import { demoEnv } from './helpers/demoStore.js';
import { freshPostgres, knexFor } from './helpers/databases.js';
import { startServe, type ServeProcess } from './helpers/serve.js';
import { workspace } from './helpers/workspace.js';

/**
 * The daemon as it runs: real `lineofsight serve` processes on one store, their schedules firing
 * within seconds, killed, stopped and reloaded as an operator or a crash would.
 */

const serviceConfig = (store: string, source: string, scheduler: string) => `
timezone: Europe/London
pipelines_dir: "{{dir}}/pipelines"
store: ${store}
sources:
  db: ${source}
scheduler: { ${scheduler} }
email: { transport: files, files_dir: "{{dir}}/outbox" }
`;

/** A monthly count of calls; `sleep` seconds of the source's time for each period (PostgreSQL only). */
const callsPipeline = (schedule: string, sleep = 0, title = 'Calls') => `
id: calls
title: ${title}
source: db
schedule: "${schedule}"
frequency: monthly
query: SELECT COUNT(*) AS n FROM calls${sleep ? `, pg_sleep(${sleep})` : ''} WHERE day >= :period_start AND day < :period_end
indicators:
  - { id: C1, title: Calls, type: count, value: n, polarity: none, owner: test, service: Test }
`;

/** A schedule that fires once a minute, `ahead` seconds from now. */
function secondsAhead(ahead: number): string {
  return `${new Date(Date.now() + ahead * 1000).getSeconds()} * * * * *`;
}

async function until<T>(what: string, look: () => Promise<T | undefined> | T | undefined, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    // A table the first replica has not migrated yet is not there yet.
    const found = await Promise.resolve().then(look).catch(() => undefined);
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`waited ${ms / 1000} s for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const startedSlots = (log: string) => [...log.matchAll(/"slot":"([^"]+)"[^\n]*"msg":"scheduled run started"/g)].map((m) => m[1]!);

interface Attempt {
  slot: string;
  state: string;
  attempt: number;
  replica: string;
  outcome: string;
  detail: string | null;
}

async function attempts(db: Knex, job = 'pipeline:calls'): Promise<Attempt[]> {
  return db('job_claims as c')
    .join('job_attempts as a', 'a.claim_id', 'c.id')
    .where('c.job', job)
    .select('c.slot', 'c.state', 'a.attempt', 'a.replica', 'a.outcome', 'a.detail')
    .orderBy([{ column: 'c.slot' }, { column: 'a.attempt' }]);
}

/** A store's claims from the tests before, gone (the store is migrated by the first replica to start). */
async function clear(db: Knex): Promise<void> {
  if (!(await db.schema.hasTable('job_attempts'))) return;
  await db('job_attempts').delete();
  await db('job_claims').delete();
}

beforeAll(() => buildCli());

describe('several replicas on one PostgreSQL store', () => {
  let url: string;
  let db: Knex;
  const running: ServeProcess[] = [];

  beforeAll(async () => {
    url = await freshPostgres('lineofsight_test_daemon');
    db = knexFor('pg', url);
    await db.raw('CREATE TABLE calls (day date NOT NULL)');
    await db.raw("INSERT INTO calls SELECT DATE '2025-04-01' + g FROM generate_series(0, 700) g");
  }, 60_000);
  afterAll(async () => {
    for (const p of running) if (p.process.exitCode === null && p.process.signalCode === null) await p.stop();
    await db?.destroy();
  });

  const start = async (ws: ReturnType<typeof workspace>) => {
    const serve = await startServe([], { env: { LINEOFSIGHT_CONFIG: ws.config, STORE_URL: url } });
    running.push(serve);
    return serve;
  };
  const pgWorkspace = (pipeline: string, scheduler: string) =>
    workspace({ 'lineofsight.yaml': serviceConfig('{ client: pg, connection: "${STORE_URL}" }', '{ client: pg, connection: "${STORE_URL}" }', scheduler), 'pipelines/calls.yaml': pipeline });

  it('three processes run each slot once, and no slot is lost', async () => {
    await clear(db);
    const ws = pgWorkspace(callsPipeline('* * * * * *'), 'lease: 3s, recompute: 0');
    const replicas = await Promise.all([start(ws), start(ws), start(ws)]);
    await until('every replica to have seen six slots', async () => {
      const claims = await db('job_claims').where('job', 'pipeline:calls').andWhere('slot_at', '>', new Date(Date.now() - 60_000).toISOString());
      return claims.length >= 8 && replicas.every((r) => r.log().includes('scheduler started'));
    });
    await new Promise((r) => setTimeout(r, 4_000));
    const codes = await Promise.all(replicas.map((r) => r.stop()));
    expect(codes).toEqual([0, 0, 0]);

    const claims: { slot: string; slot_at: string | Date; state: string; detail: string | null }[] = await db('job_claims').where('job', 'pipeline:calls').orderBy('slot_at');
    const started = replicas.flatMap((r) => startedSlots(r.log()));
    // Each slot was started by one replica only, and each claim run is one started slot. A slot
    // claimed as its replica stopped is handed back for another to run, never left running.
    const handedBack = (c: { state: string; detail: string | null }) => c.state === 'interrupted' && c.detail === 'claimed as this replica stopped: to be run again';
    expect(new Set(started).size).toBe(started.length);
    expect(claims.filter((c) => c.state !== 'skipped' && !handedBack(c)).map((c) => c.slot).sort()).toEqual([...started].sort());
    expect(claims.filter((c) => c.state === 'running')).toEqual([]);
    // Once all three ran, every second had its slot: none lost between them.
    const startedAt = (r: ServeProcess) => (JSON.parse(r.log().split('\n').find((l) => l.includes('scheduler started'))!) as { time: number }).time;
    const allUp = Math.max(...replicas.map(startedAt));
    const seconds = claims.map((c) => new Date(c.slot_at).getTime() / 1000).filter((t) => t * 1000 > allUp);
    for (let i = 1; i < seconds.length; i++) expect(seconds[i]! - seconds[i - 1]!).toBe(1);
    expect(seconds.length).toBeGreaterThanOrEqual(3);
    const tries: { n: number }[] = await db('job_attempts').select(db.raw('COUNT(*)::int AS n')).groupBy('claim_id');
    expect(tries.every((t) => t.n === 1)).toBe(true);
  }, 120_000);

  it.each([
    { after: 'another replica', beside: true },
    { after: 'a restart', beside: false },
  ])('a replica killed mid-run with SIGKILL: $after records its attempt interrupted and runs the slot again', async ({ beside }) => {
    await clear(db);
    const since = new Date().toISOString();
    const ws = pgWorkspace(callsPipeline(secondsAhead(4), 3), 'lease: 3s, recompute: 0, source_retries: []');
    const doomed = await start(ws);
    await until('the doomed replica to start a run', () => startedSlots(doomed.log()).length > 0 || undefined);
    const other = beside ? await start(ws) : undefined;
    doomed.process.kill('SIGKILL');
    await new Promise((resolve) => doomed.process.once('exit', resolve));
    const survivor = other ?? (await start(ws));
    const done = await until('the slot to be run again', async () => {
      const rows = await attempts(db);
      return rows.some((r) => r.outcome === 'finished') ? rows : undefined;
    });
    expect(done.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'interrupted'],
      [2, 'finished'],
    ]);
    expect(done[0]!.detail).toMatch(/stopped renewing its lease/);
    expect(done[1]!.state).toBe('finished');
    expect(survivor.log()).toContain('took over a slot another replica left');
    // The period was recorded once: by the replica that finished it.
    const runs: { n: number }[] = await db('runs').where('pipeline_id', 'calls').andWhere('started_at', '>', since).select(db.raw('COUNT(*)::int AS n'));
    expect(runs[0]!.n).toBe(1);
    expect(await survivor.stop()).toBe(0);
  }, 120_000);

  it('SIGTERM lets a run finish within the grace, its lease renewed meanwhile (a replica beside takes nothing over), and exits 0', async () => {
    await clear(db);
    const ws = pgWorkspace(callsPipeline(secondsAhead(3), 6), 'lease: 2s, recompute: 0, shutdown_grace: 20s');
    const serve = await start(ws);
    const beside = await start(ws);
    await until('a run to start', () => startedSlots(serve.log()).length + startedSlots(beside.log()).length > 0 || undefined);
    // Whichever replica runs the slot is stopped; the run outlasts its lease three times over.
    const [running, other] = startedSlots(serve.log()).length ? [serve, beside] : [beside, serve];
    expect(await running.stop()).toBe(0);
    expect(await other.stop()).toBe(0);
    expect(other.log()).not.toContain('took over a slot');
    const rows = await attempts(db);
    expect(rows.map((r) => [r.attempt, r.outcome, r.state])).toEqual([[1, 'finished', 'finished']]);
    const [replica] = await db('replicas').where('pid', running.process.pid!).orderBy('started_at', 'desc');
    expect(replica.stopped_at).not.toBeNull();
    // status reads the same from the store, from any process.
    const status = lineofsight(['status', '--json'], { env: { LINEOFSIGHT_CONFIG: ws.config, STORE_URL: url } });
    expect(status.status).toBe(0);
    const shown = JSON.parse(status.stdout) as { jobs: { job: string; next: string; recent: { state: string; detail: string }[] }[]; held: unknown[]; replicas: { pid: number; stoppedAt: string | null }[] };
    expect(shown.jobs).toEqual([expect.objectContaining({ job: 'pipeline:calls', next: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), recent: [expect.objectContaining({ state: 'finished', detail: '1 period(s): 1 succeeded, 0 awaiting data, 0 failed' })] })]);
    expect(shown.held).toEqual([]);
    expect(shown.replicas.find((r) => r.pid === running.process.pid)?.stoppedAt).not.toBeNull();
    const table = lineofsight(['status'], { env: { LINEOFSIGHT_CONFIG: ws.config, STORE_URL: url } });
    expect(table.stdout).toMatch(/^calls +\d+ \* \* \* \* \* +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +finished +1 period\(s\)/m);
    expect(table.stdout).toContain('Claims held: none');
  }, 60_000);

  it('SIGTERM past the grace aborts the run between periods and records it interrupted; a restart runs it again', async () => {
    await clear(db);
    const ws = pgWorkspace(callsPipeline(secondsAhead(3), 2), 'lease: 3s, recompute: 2, shutdown_grace: 1s');
    const serve = await start(ws);
    await until('a run to start', () => startedSlots(serve.log()).length > 0 || undefined);
    expect(await serve.stop()).toBe(0);
    const stopped = await attempts(db);
    expect(stopped.map((r) => [r.attempt, r.outcome])).toEqual([[1, 'interrupted']]);
    expect(stopped[0]!.detail).toMatch(/stopped \(shutdown\) after 1 period|shutdown grace ran out/);
    const restarted = await start(ws);
    const again = await until('the restart to run it again', async () => {
      const rows = await attempts(db);
      return rows.some((r) => r.outcome === 'finished') ? rows : undefined;
    });
    expect(again.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, 'interrupted'],
      [2, 'finished'],
    ]);
    expect(await restarted.stop()).toBe(0);
  }, 90_000);
});

describe('one replica on a SQLite store', () => {
  const sqliteWorkspace = (pipeline: string) => {
    const ws = workspace({
      'lineofsight.yaml': serviceConfig('{ client: sqlite, filename: "{{dir}}/store.sqlite" }', '{ client: sqlite, connection: "{{dir}}/calls.sqlite" }', 'lease: 3s, recompute: 0'),
      'pipelines/calls.yaml': pipeline,
    });
    return ws;
  };

  async function withCalls(ws: ReturnType<typeof workspace>) {
    const db = knexFor('sqlite', ws.file('calls.sqlite'));
    await db.schema.createTable('calls', (t) => t.date('day'));
    await db('calls').insert({ day: '2026-01-10' });
    await db.destroy();
  }

  it('refuses a second scheduler on the same file, saying which runs; serves beside it with --no-scheduler', async () => {
    const ws = sqliteWorkspace(callsPipeline('0 6 * * *'));
    await withCalls(ws);
    const first = await startServe([], { env: { LINEOFSIGHT_CONFIG: ws.config } });
    try {
      await until('the scheduler to start', () => first.log().includes('scheduler started') || undefined);
      const second = await startServe([], { env: { LINEOFSIGHT_CONFIG: ws.config } });
      const code = await new Promise<number | null>((resolve) => (second.process.exitCode !== null ? resolve(second.process.exitCode) : second.process.once('exit', resolve)));
      expect(code).toBe(1);
      expect(second.log()).toMatch(new RegExp(`a scheduler already runs on SQLite .*store\\.sqlite \\(host .*, pid ${first.process.pid}, seen .*\\): a SQLite store takes one replica`));
      const reader = await startServe(['--no-scheduler'], { env: { LINEOFSIGHT_CONFIG: ws.config } });
      const ready = await until('the reader to be ready', async () => {
        const res = await fetch(`${reader.url}/readyz`);
        return res.status === 200 ? ((await res.json()) as { checks: { name: string; ok: boolean; detail: string }[] }) : undefined;
      });
      expect(ready.checks.find((c) => c.name === 'scheduler')).toEqual({ name: 'scheduler', ok: true, detail: expect.stringMatching(/^off \(--no-scheduler\)/) });
      const firstReady = (await (await fetch(`${first.url}/readyz`)).json()) as { checks: { name: string; ok: boolean; detail: string }[] };
      expect(firstReady.checks.find((c) => c.name === 'scheduler')).toMatchObject({ ok: true, detail: expect.stringMatching(/^1 job\(s\) scheduled, 0 running; replica /) });
      expect(await reader.stop()).toBe(0);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  }, 90_000);

  it('a port in use ends the daemon with the reason, before its scheduler has started anything', async () => {
    const ws = sqliteWorkspace(callsPipeline('* * * * * *'));
    await withCalls(ws);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const r = lineofsight(['serve', '--port', String((taken.address() as AddressInfo).port)], { env: { LINEOFSIGHT_CONFIG: ws.config } });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/lineofsight: listen EADDRINUSE: address already in use 127\.0\.0\.1:\d+/);
      const store = knexFor('sqlite', ws.file('store.sqlite'));
      const claims = (await store.schema.hasTable('job_claims')) ? await store('job_claims') : [];
      await store.destroy();
      expect(claims).toEqual([]);
    } finally {
      taken.close();
    }
  }, 60_000);

  it('a restart straight after SIGKILL is not refused: the replica it finds is a process that has ended', async () => {
    const ws = sqliteWorkspace(callsPipeline('0 6 * * *'));
    await withCalls(ws);
    const first = await startServe([], { env: { LINEOFSIGHT_CONFIG: ws.config } });
    await until('the scheduler to start', () => first.log().includes('scheduler started') || undefined);
    first.process.kill('SIGKILL');
    await new Promise((resolve) => first.process.once('exit', resolve));
    const second = await startServe([], { env: { LINEOFSIGHT_CONFIG: ws.config } });
    await until('the restart to schedule', () => second.log().includes('scheduler started') || undefined);
    expect(await second.stop()).toBe(0);
  }, 60_000);

  it('SIGHUP with a broken config keeps the old one running, logged and counted; a valid one is taken', async () => {
    const ws = sqliteWorkspace(callsPipeline('* * * * * *'));
    await withCalls(ws);
    const serve = await startServe([], { env: { LINEOFSIGHT_CONFIG: ws.config } });
    try {
      await until('a run', () => startedSlots(serve.log()).length > 0 || undefined);
      const good = readFileSync(ws.file('pipelines/calls.yaml'), 'utf8');
      writeFileSync(ws.file('pipelines/calls.yaml'), good.replace('frequency: monthly', 'frequency: fortnightly').replace('schedule: "* * * * * *"', 'schedule: "not a schedule"'));
      serve.process.kill('SIGHUP');
      const refused = await until('the reload to be refused', () => serve.log().split('\n').find((l) => l.includes('configuration reload refused')));
      const line = JSON.parse(refused) as { problems: string[] };
      expect(line.problems.join('\n')).toMatch(/calls\.yaml.*schedule/);
      expect(line.problems.join('\n')).toMatch(/calls\.yaml.*frequency/);
      const metrics = await (await fetch(`${serve.url}/metrics`)).text();
      expect(metrics).toMatch(/^lineofsight_config_reload_failures_total 1$/m);
      // The old configuration still runs its schedule.
      const before = startedSlots(serve.log()).length;
      await until('another run on the old schedule', () => startedSlots(serve.log()).length > before || undefined);
      writeFileSync(ws.file('pipelines/calls.yaml'), good.replace('schedule: "* * * * * *"', 'schedule: "0 6 * * *"').replace('title: Calls\n', 'title: Calls reloaded\n'));
      serve.process.kill('SIGHUP');
      await until('the reload to be taken', () => serve.log().includes('"msg":"configuration reloaded"') || undefined);
      // The new schedule fires at 06:00 only: no run starts once the one under way is done.
      await new Promise((r) => setTimeout(r, 1_500));
      const after = startedSlots(serve.log()).length;
      await new Promise((r) => setTimeout(r, 2_500));
      expect(startedSlots(serve.log()).length).toBe(after);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  }, 90_000);
});

describe('npm start: the daemon on the embedded demo', () => {
  it('writes the demo, runs its years into the empty store, then its schedules fire within the first minute; metrics and emails follow', async () => {
    const dir = workspace({}).dir;
    const env = demoEnv(dir);
    const serve = await startServe(['--demo'], { env });
    try {
      expect(serve.log()).toMatch(/"runs":\d{3,},"msg":"demo: the demo years run once into the empty store"/);
      await until('every demo pipeline to run on its demo schedule', () => new Set(startedSlots(serve.log()).map((s) => s)).size >= 12 || undefined, 90_000);
      const metrics = await (await fetch(`${serve.url}/metrics`)).text();
      expect(metrics).toMatch(/^lineofsight_runs_total\{pipeline="waste",outcome="succeeded"\} [1-9]/m);
      // Each demo clinic's pack follows its pipelines' first runs; the waste feed, lagging, is chased in the digest.
      const packed = () => [...serve.log().matchAll(/"job":"clinic:(\w+)"[^\n]*"outcome":"finished","msg":"\w+ \d{4}-\d{2}: pack written for 3 member/g)].map((m) => m[1]);
      await until('every demo clinic to send its pack', () => (new Set(packed()).size === 3 ? true : undefined), 60_000);
      const files = readdirSync(env.LINEOFSIGHT_OUTBOX_DIR).filter((f) => f.endsWith('.eml'));
      expect(files.filter((f) => f.endsWith('-clinic_pack.eml'))).toHaveLength(9);
      const digests = files.filter((f) => f.endsWith('-digest.eml')).map((f) => readFileSync(`${env.LINEOFSIGHT_OUTBOX_DIR}/${f}`, 'utf8').replace(/=\r?\n/g, ''));
      expect(digests.some((d) => /WM01 Missed bin collections[^\n]*: no data for /.test(d) && /Chased: step \d of 3/.test(d))).toBe(true);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  }, 210_000);
});
