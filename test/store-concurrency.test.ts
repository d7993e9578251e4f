import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { StoreFault } from '../src/runs/record.js';
import { migrationSource } from '../src/store/migrations.js';
import { runPipeline } from '../src/runs/execute.js';
import { buildCli } from './helpers/build.js';
import { openRun } from './helpers/run.js';
import { freshPostgres, knexFor } from './helpers/databases.js';
import { workspace } from './helpers/workspace.js';

const PIPELINE = (id: string, where: string) => `
id: ${id}
title: Cases ${id}
source: cases
schedule: "0 6 * * *"
frequency: monthly
query: |
  SELECT COUNT(*) AS closed, COALESCE(SUM(on_time), 0) AS on_time
  FROM cases WHERE closed >= :period_start AND closed < :period_end AND ${where}
arrival: { newest: "SELECT MAX(closed) FROM cases" }
indicators:
  - { id: ${id.toUpperCase()}1, title: On time, unit: "%", type: percentage, numerator: on_time, denominator: closed, polarity: higher_is_better, owner: A, service: B, targets: [{ from: 2024-25, value: 80 }] }
  - { id: ${id.toUpperCase()}2, title: Closed, type: count, value: closed, polarity: none, owner: A, service: B }
checks:
  - { id: ${id}-team-present, type: not_null, table: cases, date_column: closed, column: team }
`;

const RISKS = `
matrix:
  likelihood: [{ band: A, label: High }, { band: B, label: Medium }, { band: C, label: Low }]
  impact: [{ band: I, label: Severe }, { band: II, label: Moderate }, { band: III, label: Minor }]
tolerance_line: { cells: [A/I, A/II, B/I] }
risks:
${['north', 'south', 'east']
  .map(
    (id) => `  - id: ${id.toUpperCase()}-R1
    title: Cases late in the ${id}
    owner: A
    clinic: Place
    inherent: { likelihood: B, impact: II }
    current: { likelihood: C, impact: II }
    indicators: [${id.toUpperCase()}1]
    triggers:
      - { id: red, type: indicator_rag, indicator: ${id.toUpperCase()}1, status: RED, periods: 2, set: { likelihood: A } }
`,
  )
  .join('')}`;

/** A year of cases, some months late in one area, some rows without a team. */
async function casesDb(file: string): Promise<void> {
  const db = knexFor('sqlite', file);
  await db.schema.createTable('cases', (t) => {
    t.date('closed');
    t.string('area');
    t.string('team').nullable();
    t.integer('on_time');
  });
  const rows = [];
  for (let m = 0; m < 12; m++) {
    const month = `${m < 9 ? 2024 : 2025}-${String(((m + 3) % 12) + 1).padStart(2, '0')}`;
    for (let d = 1; d <= 28; d += 3) {
      for (const area of ['north', 'south', 'east']) {
        const late = area === 'south' && m >= 9;
        rows.push({ closed: `${month}-${String(d).padStart(2, '0')}`, area, team: d === 4 && m % 4 === 0 ? null : 'T1', on_time: late ? (d % 2) : d % 7 === 0 ? 0 : 1 });
      }
    }
  }
  rows.push({ closed: '2025-04-02', area: 'north', team: 'T1', on_time: 1 });
  await db.batchInsert('cases', rows, 200);
  await db.destroy();
}

/** The CLI as a separate process, run asynchronously so that several can run at once. */
function cli(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.resolve('dist/cli/main.js'), ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** What a store keeps, in an order that does not depend on which process wrote first. */
async function history(db: Knex) {
  const values = await db('indicator_values').select('indicator_id', 'period_id', 'revision', 'value', 'data_quality', 'rag', db.raw('superseded_at IS NULL AS current')).orderBy(['indicator_id', 'period_id', 'revision']);
  const runs = await db('runs').select('pipeline_id', 'period_id', 'outcome').count({ n: '*' }).groupBy('pipeline_id', 'period_id', 'outcome').orderBy(['pipeline_id', 'period_id', 'outcome']);
  const log = await db('check_log').select('check_id', 'pipeline_id', 'period_id', 'status', 'consecutive_failures', 'failing_count').orderBy(['check_id', 'period_id']);
  const risks = await db('risk_positions').select('risk_id', 'likelihood', 'impact').orderBy(['risk_id', 'id']);
  const normalise = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v])));
  return { values: normalise(values), runs: normalise(runs), log: normalise(log), risks: normalise(risks) };
}

beforeAll(buildCli);

describe.each(['sqlite', 'pg'] as const)('three processes running at once on one %s store', (client) => {
  it('all succeed and store the same history as three runs one after the other', async () => {
    const ws = workspace({
      'lineofsight.yaml': `pipelines_dir: ./pipelines\nrisks_file: ./risks.yaml\nstore: ${client === 'sqlite' ? '{ client: sqlite, filename: "${STORE}" }' : '{ client: pg, connection: "${STORE}" }'}\nsources:\n  cases: { client: sqlite, connection: ./cases.sqlite }\n`,
      'pipelines/north.yaml': PIPELINE('north', "area = 'north'"),
      'pipelines/south.yaml': PIPELINE('south', "area = 'south'"),
      'pipelines/east.yaml': PIPELINE('east', "area = 'east'"),
      'risks.yaml': RISKS,
    });
    await casesDb(ws.file('cases.sqlite'));
    const store = async (name: string) => (client === 'sqlite' ? ws.file(`${name}.sqlite`) : await freshPostgres(`lineofsight_test_${name}`));
    const [together, inTurn] = [await store('together'), await store('in_turn')];
    const args = ['run', '--all', '--period', '2024-25', '--config', ws.config];

    const at = await Promise.all([1, 2, 3].map(() => cli(args, { STORE: together }, ws.dir)));
    for (const r of at) {
      expect(r.stderr.split('\n').filter((l) => /run failed|database is locked|duplicate key|already exists|store \(/.test(l)), r.stderr.slice(0, 2000)).toEqual([]);
      expect(r.status, r.stderr.slice(0, 2000)).toBe(0);
    }
    for (let i = 0; i < 3; i++) expect((await cli(args, { STORE: inTurn }, ws.dir)).status).toBe(0);

    const open = (connection: string) => (client === 'sqlite' ? knexFactory({ client: 'better-sqlite3', connection: { filename: connection }, useNullAsDefault: true }) : knexFor('pg', connection));
    const [a, b] = [open(together), open(inTurn)];
    try {
      const [concurrent, sequential] = [await history(a), await history(b)];
      expect(sequential.runs.every((r) => r.outcome === 'succeeded' && r.n === 3)).toBe(true);
      expect(sequential.values.length).toBeGreaterThan(0);
      expect(sequential.log.length).toBeGreaterThan(0);
      expect(sequential.risks.some((r) => r.likelihood === 'A')).toBe(true);
      expect(concurrent).toEqual(sequential);
    } finally {
      await a.destroy();
      await b.destroy();
    }
  }, 120_000);
});

describe('processes racing on a new SQLite store', () => {
  it('migrate it once between them, and take turns at writes that read first, never "database is locked"', async () => {
    const file = workspace({}).file('race.sqlite');
    const startAt = Date.now() + 1500;
    const race = (worker: number) =>
      new Promise<string>((resolve) => {
        const child = spawn(process.execPath, [path.resolve('test/helpers/storeRace.mjs'), file, String(startAt), '60', String(worker)]);
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', () => resolve(out.trim()));
      });
    expect(await Promise.all([1, 2, 3, 4].map(race))).toEqual(['ok', 'ok', 'ok', 'ok']);
    const db = knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
    try {
      expect((await db('knex_migrations').count({ n: '*' }).first())?.n).toBe((await migrationSource.getMigrations([])).length);
      // Each position recorded is a move from the one before it: no process wrote past another's write unseen.
      const rows = await db('risk_positions').select('risk_id', 'likelihood').orderBy('id');
      const last = new Map<string, string>();
      for (const r of rows) {
        expect(last.get(r.risk_id)).not.toBe(r.likelihood);
        last.set(r.risk_id, r.likelihood);
      }
    } finally {
      await db.destroy();
    }
  }, 60_000);
});

describe('a store that fails', () => {
  it('is never a source failure: the run is not recorded as failed, and the fault names the store', async () => {
    const ws = workspace({
      'lineofsight.yaml': 'pipelines_dir: {{dir}}/pipelines\nstore: { client: sqlite, filename: "{{dir}}/store.sqlite" }\nsources:\n  cases: { client: sqlite, connection: "{{dir}}/cases.sqlite" }\n',
      'pipelines/north.yaml': PIPELINE('north', "area = 'north'"),
    });
    await casesDb(ws.file('cases.sqlite'));
    const config = await loadConfig(ws.config, {});
    const open = await openRun(config);
    try {
      const other = knexFactory({ client: 'better-sqlite3', connection: { filename: ws.file('store.sqlite') }, useNullAsDefault: true });
      await other.schema.dropTable('indicator_values');
      await other.destroy();
      const run = runPipeline(open.ctx, config.pipelines[0]!, [config.calendar.parse('2024-05')]);
      await expect(run).rejects.toThrow(StoreFault);
      await expect(run).rejects.toThrow(/^store \(SQLite .*store\.sqlite\): .*no such table: indicator_values/);
      expect(await open.store.runs.runsOf('north')).toEqual([]);
    } finally {
      await open.close();
    }
  });

  it('that accepts connections and never answers makes the command exit 1 within its connect_timeout, naming the store', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const ws = workspace({
        'lineofsight.yaml': `pipelines_dir: ./pipelines\nstore: { client: pg, connection: "postgres://reporter:s3cret@127.0.0.1:${port}/lineofsight", connect_timeout: 1s, acquire_timeout: 3s }\n`,
        'pipelines/.keep': '',
      });
      const started = Date.now();
      const r = await cli(['checks', '--config', ws.config], {}, ws.dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`lineofsight: store (PostgreSQL 127.0.0.1:${port}/lineofsight): no answer within 1 s of connecting (connect_timeout)\n`);
      expect(r.stderr).not.toMatch(/pool is probably full|s3cret/);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      silent.close();
    }
  }, 60_000);
});
