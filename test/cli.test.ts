import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { simpleParser, type AddressObject } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { dateIn } from '../src/calendar/localDate.js';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { buildCli } from './helpers/build.js';
import { lineofsight } from './helpers/cli.js';
import { workspace } from './helpers/workspace.js';
import { demoEnv } from './helpers/demoStore.js';

const PIPELINE = (id: string, table: string, extra = '') => `
id: ${id}
title: Cases ${id}
source: cases
schedule: "0 6 * * *"
frequency: monthly
query: |
  SELECT COUNT(*) AS closed, SUM(CASE WHEN on_time = 1 THEN 1 ELSE 0 END) AS on_time
  FROM ${table} WHERE closed >= :period_start AND closed < :period_end
indicators:
  - id: ${id.toUpperCase()}1
    title: Cases closed on time
    unit: "%"
    type: percentage
    numerator: on_time
    denominator: closed
    polarity: higher_is_better
    owner: Sam Jones
    service: Customer Services
    ${extra}
`;

async function casesDb(file: string, rows: [string, number][]): Promise<void> {
  const db = knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
  await db.schema.dropTableIfExists('cases');
  await db.schema.createTable('cases', (t) => {
    t.date('closed');
    t.integer('on_time');
  });
  await db('cases').insert(rows.map(([closed, on_time]) => ({ closed, on_time })));
  await db.destroy();
}

function setup() {
  const ws = workspace({
    'lineofsight.yaml': `
pipelines_dir: ./pipelines
store: { client: sqlite, filename: ./data/store.sqlite }
sources:
  cases: { client: sqlite, connection: ./cases.sqlite }
`,
    'pipelines/a.yaml': PIPELINE('cases', 'cases', 'replaces: [OLD7]'),
    'pipelines/b.yaml': PIPELINE('broken', 'no_such_table'),
  });
  return ws;
}

beforeAll(buildCli);

describe('lineofsight CLI', () => {
  it.each(['validate', 'run', 'values', 'migrate', 'demo'])('%s --help explains itself', (command) => {
    const r = lineofsight([command, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Usage: lineofsight ${command}`));
  });

  it('validates the shipped configuration', () => {
    const r = lineofsight(['validate']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/config\/lineofsight\.yaml: valid \(12 pipelines, \d+ indicators, 1 target in \.\/config\/targets\.yaml, 6 risks in \.\/config\/risks\.yaml, 12 people in \.\/config\/people\.yaml, 3 clinics in \.\/config\/clinics\.yaml\)/);
    // Someone without an address is said, with where their mail goes.
    expect(r.stdout).toMatch(/1 finding\(s\) in the people directory:\npeople: \.\/config\/people\.yaml:\d+:\d+: people\[\d+\]: Transparency Officer \(hyndburn\.transparency\) has no email address: their mail goes to the performance team \(performance@example\.gov\.uk\)/);
    // Governance gaps are listed, located, and do not make the configuration invalid.
    expect(r.stdout).toMatch(/governance: pipelines\/oxford-spend\.yaml:\d+:\d+: indicators\[2\]\.targets: OXF03 has no target in force/);
    expect(r.status).toBe(0);
  });

  it('lists every problem with file, line and field, and exits 1', () => {
    const ws = workspace({
      'lineofsight.yaml': 'pipelines_dir: ./pipelines\nsources: {}\nstore: { client: sqlite, filename: ./s.sqlite, extra: 1 }\n',
      'pipelines/a.yaml': PIPELINE('cases', 'cases').replace('frequency: monthly', 'frequency: weekly'),
    });
    const r = lineofsight(['validate', '--config', ws.config], { cwd: ws.dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${ws.config}:3:`);
    expect(r.stderr).toMatch(/store\.extra: unknown key "extra"/);
    expect(r.stderr).toMatch(/pipelines\/a\.yaml:6:\d+: frequency: /);
    // The broken service config hides nothing: the pipeline's source is checked too.
    expect(r.stderr).toMatch(/pipelines\/a\.yaml:4:\d+: source: unknown source "cases" \(sources in the service config: none\)/);
    expect(r.stderr).toMatch(/3 problem\(s\): nothing was run/);
  });

  describe('run and values', () => {
    let ws: ReturnType<typeof setup>;
    beforeAll(async () => {
      ws = setup();
      await casesDb(ws.file('cases.sqlite'), [
        ['2024-04-03', 1],
        ['2024-04-20', 0],
        ['2024-05-02', 1],
        ['2024-05-09', 1],
        ['2024-05-30', 0],
        ['2024-05-31', 1],
      ]);
    });

    it('runs every pipeline; one that fails is recorded and the others are stored; exit 1', () => {
      const r = lineofsight(['run', '--all', '--from', '2024-04', '--to', '2024-05', '--json'], { cwd: ws.dir, env: { LINEOFSIGHT_CONFIG: ws.config } });
      expect(r.status).toBe(1);
      const json = JSON.parse(r.stdout);
      expect(json.runs.map((x: { pipeline: string; period: string; outcome: string }) => `${x.pipeline} ${x.period} ${x.outcome}`)).toEqual([
        'cases 2024-04 succeeded',
        'cases 2024-05 succeeded',
        'broken 2024-04 failed',
        'broken 2024-05 failed',
      ]);
      expect(json.runs[2].error).toMatch(/source cases \(sqlite\): .*no such table: no_such_table/);
      expect(json.runs[1]).toMatchObject({
        periodStart: '2024-05-01',
        periodEnd: '2024-06-01',
        rowsRejected: 0,
        values: [{ indicator: 'CASES1', title: 'Cases closed on time', unit: '%', value: 75, numerator: 3, denominator: 4, reason: null }],
        governance: [{ indicator: 'CASES1', kind: 'no_target', period: '2024-05', message: 'CASES1 has no target in force for 2024-05', file: expect.stringMatching(/pipelines\/a\.yaml$/), line: 11 }],
      });
      expect(typeof json.runs[1].runId).toBe('number');
      expect(r.stderr).toMatch(/"msg":"run failed"/);
    });

    it('prints a table by default', () => {
      const r = lineofsight(['run', 'cases', '--period', '2024-04', '--config', ws.config], { cwd: ws.dir });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/cases\s+2024-04\s+CASES1\s+50\.00%/);
      expect(r.stdout).toMatch(/\nGOVERNANCE cases 2024-04: CASES1 has no target in force for 2024-04\n/);
    });

    it('keeps the old value when a re-run changes it, and finds history by a replaced id', async () => {
      await casesDb(ws.file('cases.sqlite'), [
        ['2024-04-03', 1],
        ['2024-04-20', 1],
      ]);
      expect(lineofsight(['run', 'cases', '--period', '2024-04', '--config', ws.config], { cwd: ws.dir }).status).toBe(0);
      const r = lineofsight(['values', 'OLD7', '--revisions', '--json', '--config', ws.config], { cwd: ws.dir });
      expect(r.status).toBe(0);
      const json = JSON.parse(r.stdout);
      expect(json).toMatchObject({ indicator: 'CASES1', ids: ['CASES1', 'OLD7'] });
      const april = json.values.filter((v: { period: string }) => v.period === '2024-04');
      expect(april.map((v: { value: number; revision: number; supersededAt: string | null }) => [v.value, v.revision, v.supersededAt === null])).toEqual([
        [50, 1, false],
        [100, 2, true],
      ]);
      const table = lineofsight(['values', 'CASES1', '--from', '2024-04', '--to', '2024-04', '--config', ws.config], { cwd: ws.dir });
      expect(table.stdout).toMatch(/2024-04\s+CASES1\s+100\.00%\s+passed\s+2/);
      expect(table.stdout).not.toMatch(/2024-05/);
    });

    it('skips, by name, a pipeline with no period of its own within the one asked for', () => {
      const quarterly = workspace({
        'lineofsight.yaml': `pipelines_dir: ./pipelines\nstore: { client: sqlite, filename: ./s.sqlite }\nsources:\n  cases: { client: sqlite, connection: ${ws.file('cases.sqlite')} }\n`,
        'pipelines/a.yaml': PIPELINE('cases', 'cases'),
        'pipelines/b.yaml': PIPELINE('quarters', 'cases').replace('frequency: monthly', 'frequency: quarterly'),
      });
      const all = lineofsight(['run', '--all', '--period', '2024-04', '--config', quarterly.config], { cwd: quarterly.dir });
      expect(all.status).toBe(0);
      expect(all.stdout).toMatch(/cases\s+2024-04\s+CASES1/);
      expect(all.stderr).toContain('quarters (quarterly) skipped: period 2024-04 is a month, shorter than a quarter');
      const one = lineofsight(['run', 'quarters', '--period', '2024-04', '--config', quarterly.config], { cwd: quarterly.dir });
      expect(one.status).toBe(1);
      expect(one.stderr).toContain('quarters (quarterly) skipped: period 2024-04 is a month, shorter than a quarter');
    });

    it('prints a failed run\'s whole error under the table', () => {
      const r = lineofsight(['run', 'broken', '--period', '2024-04', '--config', ws.config], { cwd: ws.dir });
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/broken\s+2024-04\s+FAILED\s+see below/);
      expect(r.stdout).toMatch(/^FAILED broken 2024-04: source cases \(sqlite\): .*no such table: no_such_table \(SQLITE_ERROR\)$/m);
    });

    it('refuses an unknown period, pipeline or indicator with a clear message', () => {
      const cases: [string[], RegExp][] = [
        [['run', 'cases', '--period', '2024-13'], /unknown period "2024-13"/],
        [['run', 'nope'], /unknown pipeline "nope" \(known: cases, broken\)/],
        [['run'], /name one pipeline or give --all/],
        [['values', 'XYZ'], /unknown indicator "XYZ"/],
      ];
      for (const [args, message] of cases) {
        const r = lineofsight([...args, '--config', ws.config], { cwd: ws.dir });
        expect(r.status, args.join(' ')).toBe(1);
        expect(r.stderr).toMatch(message);
      }
    });

    it('migrates an empty store and then says it is up to date', () => {
      const fresh = workspace({ 'lineofsight.yaml': `pipelines_dir: ${ws.dir}/pipelines\nstore: { client: sqlite, filename: ./s.sqlite }\nsources:\n  cases: { client: sqlite, connection: x.sqlite }\n` });
      expect(lineofsight(['migrate', '--config', fresh.config], { cwd: fresh.dir }).stdout).toMatch(/applied: 001_runs_and_indicator_values, 002_data_quality, 003_judgements_and_risks, 004_run_warnings, 005_run_arrival, 006_store_locks, 007_metrics_reads, 008_risk_matrix, 009_exceptions_and_outbox/);
      expect(lineofsight(['migrate', '--config', fresh.config], { cwd: fresh.dir }).stdout).toMatch(/store is up to date/);
    });
  });

  describe('data arrival', () => {
    const ARRIVAL = 'arrival: { newest: "SELECT MAX(closed) FROM cases" }\nindicators:';
    let ws: ReturnType<typeof workspace>;
    beforeAll(async () => {
      ws = workspace({
        'lineofsight.yaml': 'pipelines_dir: ./pipelines\nstore: { client: sqlite, filename: ./data/store.sqlite }\nsources:\n  cases: { client: sqlite, connection: ./cases.sqlite }\n',
        'pipelines/a.yaml': PIPELINE('cases', 'cases').replace('indicators:', ARRIVAL),
        'pipelines/b.yaml': PIPELINE('zeroes', 'cases'),
      });
      await casesDb(ws.file('cases.sqlite'), [
        ['2024-04-03', 1],
        ['2024-04-30', 0],
        ['2024-05-09', 1],
      ]);
    });
    const cli = (args: string[]) => lineofsight(args, { cwd: ws.dir, env: { LINEOFSIGHT_CONFIG: ws.config } });

    it('finds a database pipeline that cannot tell a period with no data from 0', () => {
      const r = cli(['validate']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/1 data arrival finding\(s\):\narrival: .*pipelines\/b\.yaml:7:\d+: query: pipeline zeroes declares no arrival rule: a period with no data will read as 0/);
      expect(r.stdout).not.toMatch(/pipeline cases declares/);
    });

    it('runs a period whose data has not arrived as AWAITING, exit 0, and the scorecard says why', () => {
      const r = cli(['run', 'cases', '--period', '2024-05']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/cases +2024-05 +CASES1 +— +MISSING +MISSING: no data received for 2024-05: the newest record is 9 May 2024/);
      expect(r.stdout).toMatch(/^AWAITING cases 2024-05: no data received for 2024-05: the newest record is 9 May 2024; nothing stored, run it again once the data is in$/m);
      const json = JSON.parse(cli(['run', 'cases', '--period', '2024-05', '--json']).stdout);
      expect(json.runs[0]).toMatchObject({ outcome: 'awaiting', error: null, reason: 'no data received for 2024-05: the newest record is 9 May 2024', dataQuality: null, checks: [] });
      expect(json.runs[0].values[0]).toMatchObject({ indicator: 'CASES1', value: null, rag: 'MISSING', dataQuality: null });
      const card = JSON.parse(cli(['scorecard', '--period', '2024-05', '--format', 'json']).stdout);
      expect(card.indicators.find((i: { indicator: string }) => i.indicator === 'CASES1')).toMatchObject({ value: null, rag: 'MISSING', explanation: 'MISSING: no data received for 2024-05: the newest record is 9 May 2024' });
      expect(cli(['run', 'cases', '--period', '2024-04']).status).toBe(0);
    });
  });

  describe('bad input refused at the door', () => {
    let ws: ReturnType<typeof workspace>;
    beforeAll(async () => {
      ws = workspace({
        'lineofsight.yaml': 'pipelines_dir: ./pipelines\nstore: { client: sqlite, filename: ./data/store.sqlite }\nsources:\n  cases: { client: sqlite, connection: ./cases.sqlite }\n',
        'pipelines/a.yaml': PIPELINE('cases', 'cases').replace('indicators:', 'arrival: { newest: "SELECT MAX(closed) FROM cases" }\nindicators:'),
      });
      await casesDb(ws.file('cases.sqlite'), [['2024-04-03', 1], ['2024-05-30', 1]]);
    });
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => lineofsight(args, { cwd: ws.dir, env: { LINEOFSIGHT_CONFIG: ws.config, ...env } });

    it.each([
      [['run', '--all', '--period', '2024-13'], /unknown period "2024-13": expected a financial year/],
      [['run', '--all', '--period', '0099-12'], /unknown period "0099-12": periods are of the years 1990 to 2099/],
      [['run', '--all', '--period', '0000-01'], /unknown period "0000-01": periods are of the years 1990 to 2099/],
      [['run', '--all', '--period', '9999-00'], /unknown period "9999-00": periods are of the years 1990 to 2099/],
      [['run', 'cases', '--from', '2024-04', '--to', '9999-12'], /unknown period "9999-12"/],
      [['values', 'CASES1', '--from', '1989-90'], /unknown period "1989-90": periods are of the years 1990 to 2099/],
      [['scorecard', '--period', '2100-01'], /unknown period "2100-01"/],
    ])('%j exits 1 with the reason, running nothing', (args, message) => {
      const r = cli(args);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });

    it('says so when there is no pipeline to run', () => {
      const empty = workspace({ 'lineofsight.yaml': 'pipelines_dir: ./pipelines\nstore: { client: sqlite, filename: ./data/store.sqlite }\n', 'pipelines/.keep': '' });
      const r = lineofsight(['run', '--all'], { cwd: empty.dir, env: { LINEOFSIGHT_CONFIG: empty.config } });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('lineofsight: no pipelines to run: ./pipelines holds no pipeline files\n');
    });

    it('logs at LINEOFSIGHT_LOG_LEVEL, and refuses a level that is not one', () => {
      expect(cli(['run', 'cases', '--period', '2024-04']).stderr).toBe('');
      const info = cli(['run', 'cases', '--period', '2024-04'], { LINEOFSIGHT_LOG_LEVEL: 'info' });
      expect(info.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l).msg)).toContain('run succeeded');
      const bad = cli(['run', 'cases', '--period', '2024-04'], { LINEOFSIGHT_LOG_LEVEL: 'loud' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/LINEOFSIGHT_LOG_LEVEL "loud" is not one of fatal, error, warn, info, debug, trace, silent/);
    });

    it('stops quietly when the reader of its output goes away', async () => {
      const { spawn } = await import('node:child_process');
      // The shipped configuration: validate reads it before writing, so the reader is gone by then.
      const child = spawn(process.execPath, [path.resolve('dist/cli/main.js'), 'validate']);
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const status = await new Promise((resolve) => child.on('close', resolve));
      expect(stderr).not.toMatch(/EPIPE|Error/);
      expect(status).toBe(0);
    });

    it('validate: names a bad % escape in a URL, says a missing ${VAR} once, and notes a timeout SQLite cannot keep', () => {
      const bad = workspace({
        'lineofsight.yaml': 'pipelines_dir: ./pipelines\nsources:\n  db:\n    client: sqlite\n    connection: ${NOT_SET_ANYWHERE}\n  my: { client: mysql, connection: "mysql://u:50%zz@h/db" }\n',
        'pipelines/.keep': '',
      });
      const r = lineofsight(['validate'], { cwd: bad.dir, env: { LINEOFSIGHT_CONFIG: bad.config } });
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([
        `${bad.config}:5:17: sources.db.connection: environment variable NOT_SET_ANYWHERE is not set (write \${NOT_SET_ANYWHERE:-default} to give a default)`,
        `${bad.config}:6:36: sources.my.connection: a % in the URL is not followed by two hex digits: write a % in a password as %25`,
        '2 problem(s): nothing was run.',
      ]);
      const noted = workspace({ 'lineofsight.yaml': 'pipelines_dir: ./pipelines\nsources:\n  db: { client: sqlite, connection: ./x.sqlite, query_timeout: 5s }\n', 'pipelines/.keep': '' });
      const v = lineofsight(['validate'], { cwd: noted.dir, env: { LINEOFSIGHT_CONFIG: noted.config } });
      expect(v.status).toBe(0);
      expect(v.stdout).toMatch(/note: .*:3:\d+: sources\.db\.query_timeout: SQLite runs queries in-process, where no timeout can interrupt them: this setting has no effect/);
    });
  });

  it('shows a newcomer the latest complete month with values and RAG, and the late return as awaiting', () => {
    const live = workspace({});
    const env = demoEnv(live.dir);
    // The latest complete month in London, as the demo and the scorecard work it out (either side of a midnight between them).
    const latest = () => new FinancialCalendar(4).latestComplete(dateIn(new Date(), 'Europe/London'), 'month').id;
    const before = latest();
    const demo = lineofsight(['demo'], { env });
    // The planted failure is of an earlier month: it exits 0, and the latest month has its values.
    expect(demo.status).toBe(0);
    expect(demo.stdout).toMatch(/1 failed \(1 planted\), 1 awaiting data, 1 with malformed rows left out\.\n  FAILED contact-centre \d{4}-10 \(planted: .*\n  AWAITING waste \d{4}-\d{2}: no data received/);
    const card = JSON.parse(lineofsight(['scorecard', '--format', 'json'], { env }).stdout);
    expect([before, latest()]).toContain(card.asAt);
    const demoLines = card.indicators.filter((i: { pipeline: string }) => !['hyndburn-spend', 'oxford-spend', 'trafford-planning'].includes(i.pipeline));
    for (const line of demoLines) {
      if (line.pipeline === 'waste') expect(line, line.indicator).toMatchObject({ value: null, rag: 'MISSING', explanation: expect.stringMatching(/^MISSING: no data received for \d{4}-\d{2}: the newest record is /) });
      else expect(line.value, line.indicator).not.toBeNull();
      if (line.pipeline !== 'waste' && line.target !== null) expect(['GREEN', 'AMBER', 'RED'], line.indicator).toContain(line.rag);
    }
  });

  const tmp = workspace({});
  const demo = demoEnv(tmp.dir);

  it('runs the whole demo: every pipeline, every demo period, nothing failed but what was planted', async () => {
    writeFileSync(tmp.file('.keep'), '');
    // Pinned to the years the demo is written in, so that its planted problems sit where these tests look.
    const r = lineofsight(['demo', '--as-of', '2026-04-01'], { env: demo });
    expect(r.status).toBe(0);
    // stderr carries one structured line per data-quality failure, and the planted exports' malformed rows and their runs.
    const logLines = r.stderr.trim().split('\n').map((line) => JSON.parse(line));
    const quality = logLines.filter((l) => l.event === 'data_quality_check');
    expect(quality.every((l) => l.check && l.pipeline && l.period && l.status)).toBe(true);
    expect(quality.map((l) => l.check)).toContain('repairs-reconcile-ledger');
    const exports = logLines.filter((l) => l.event !== 'data_quality_check');
    expect(exports.every((l) => l.pipeline === 'contact-centre')).toBe(true);
    const malformedByFile = new Map<string, number>();
    for (const l of exports.filter((x) => x.msg.startsWith('malformed CSV row: '))) malformedByFile.set(path.basename(l.file), (malformedByFile.get(path.basename(l.file)) ?? 0) + 1);
    expect(Object.fromEntries(malformedByFile)).toEqual({ 'calls_2023-10.csv': 28, 'calls_2024-09.csv': 4 });
    expect(exports.filter((l) => !l.msg.startsWith('malformed CSV row: ')).map((l) => [l.period, l.err === undefined ? 'warned' : 'failed'])).toEqual([
      ['2023-10', 'failed'],
      ['2024-09', 'warned'],
    ]);
    // The store records the failed run with the rows it read and rejected, and the run that left rows out.
    const store = knexFactory({ client: 'better-sqlite3', connection: { filename: demo.LINEOFSIGHT_STORE_FILE, options: { readonly: true } }, useNullAsDefault: true });
    try {
      const runs = await store('runs').where('outcome', 'failed').orWhere('rows_rejected', '>', 0).select('pipeline_id', 'period_id', 'outcome', 'rows_read', 'rows_rejected').orderBy('period_id');
      // 22 working days in October 2023 and 21 in September 2024, a row for each of the four queues.
      expect(runs).toEqual([
        { pipeline_id: 'contact-centre', period_id: '2023-10', outcome: 'failed', rows_read: 88 - 28, rows_rejected: 28 },
        { pipeline_id: 'contact-centre', period_id: '2024-09', outcome: 'succeeded', rows_read: 84 - 4, rows_rejected: 4 },
      ]);
    } finally {
      await store.destroy();
    }
    expect(r.stdout).toMatch(/FAILED contact-centre 2023-10 \(planted: a supplier patch to the telephony platform on 23 October 2023 .*\): 28 of 88 data rows for 2023-10 \(31\.8%\) are malformed, more than max_malformed 10 allows/);
    expect(r.stdout).toMatch(/ROWS LEFT OUT contact-centre 2024-09 \(planted: the telephony reporting server was patched on 17 September 2024 .*\): 4 malformed rows left out of 2024-09, the first .*calls_2024-09\.csv line \d+: answered_in_60s "n\/a" is not a number/);
    expect(r.stdout).toMatch(/financial years 2023-24 to 2025-26/);
    // Freshness is of the feed as it stands today, so whether it runs in any of these periods
    // depends on the day the test runs: the other entries do not.
    const open = Number(/Failed-check log: (\d+) open entries/.exec(r.stdout)?.[1]);
    const fresh = r.stdout.split('\n').filter((line) => /^\s*\d+\s+\S+-data-fresh\s/.test(line)).length;
    expect(open - fresh).toBe(18);
    // The latest month, when the telephony platform counted no call as answered in time: a 0 to question, not a value to trust.
    expect(r.stdout).toMatch(/suspect-values\s+contact-centre\s+2026-03\s+warn\s+open\s+.*CC01: 0 after six months/);
    // And took calls to a queue nobody agreed: an error the latest month's check finds.
    expect(r.stdout).toMatch(/contact-centre-queue-known\s+contact-centre\s+2026-03\s+error\s+open/);
    // At least one risk escalated by a trigger, shown on the matrix.
    expect(Number(/Risk register: 6 risks, (\d+) moved by triggers/.exec(r.stdout)?.[1])).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/HR-R1\*/);
    expect(r.stdout).toMatch(/repairs-reconcile-ledger\s+housing-repairs\s+2024-11\s+error\s+open/);
    expect(r.stdout).toMatch(/runs \(12 pipelines x their periods\) stored in .*store\.sqlite; 1 failed \(1 planted\), 1 awaiting data, 1 with malformed rows left out\./);
    // The waste contractor's return is a month late: March 2026 is awaiting, never 0.
    expect(r.stdout).toMatch(/AWAITING waste 2026-03: no data received for 2026-03: the newest record is \d+ February 2026/);
    expect(r.stdout).toMatch(/WM01 +Missed bin .*…$/m);
    for (const id of ['FIN01', 'HR01', 'PL01', 'CT01', 'WM01', 'FOI01', 'SPD01', 'TRF01', 'CC01']) expect(r.stdout).toContain(id);

    // The emails the demo council's managers would have received, written through the outbox.
    expect(r.stdout).toMatch(/\d+ exception\(s\) raised; (\d+) message\(s\) written to the outbox/);
    const written = Number(/(\d+) message\(s\) written/.exec(r.stdout)![1]);
    expect(r.stdout).toContain(`outbox: ${written} sent to files in ${demo.LINEOFSIGHT_OUTBOX_DIR}, 0 to be tried again, 0 failed`);
    const emails = await Promise.all(readdirSync(demo.LINEOFSIGHT_OUTBOX_DIR).map(async (name) => simpleParser(readFileSync(path.join(demo.LINEOFSIGHT_OUTBOX_DIR, name)))));
    expect(emails).toHaveLength(written);
    const to = (address: string) => emails.filter((m) => (m.to as AddressObject).value[0]!.address === address);
    const subjects = (address: string) => to(address).map((m) => m.subject);
    // Red indicators, a failed check, suspect values, the awaiting feed and a risk above the line, each to its owner.
    expect(subjects('joanne.pryce@example.gov.uk')).toEqual([expect.stringMatching(/^1 red, .*1 suspect value, 1 data-quality failure: Customer Services - March 2026$/)]);
    expect(subjects('amira.khan@example.gov.uk')).toEqual(['1 suspect value, 1 data-quality failure: Customer Services - March 2026']);
    expect(subjects('dawn.fletcher@example.gov.uk')).toEqual([expect.stringMatching(/\d+ data not received: Waste and Recycling - March 2026$/)]);
    // Each risk above the line in a message of its own, sent at once.
    const risks = subjects('performance@example.gov.uk');
    expect(risks.length).toBeGreaterThan(0);
    expect(risks).toEqual(risks.map(() => expect.stringMatching(/^Risk above the tolerance line: [A-Z]+-R\d+ .+ \([A-Z]\/[IV]+\)$/)));
    const joanne = to('joanne.pryce@example.gov.uk')[0]!;
    expect(joanne.text).toMatch(/\[RED\] CC01 Calls answered within 60 seconds is RED for March 2026/);
    expect(joanne.text).toMatch(/Unvalidated: its data failed the data-quality check contact-centre-queue-known \(error\)/);
    expect(joanne.html).toMatch(/>RED<\/td>/);
    expect(new Set(emails.map((m) => m.messageId)).size).toBe(written);
  });

  it('exits 1 when a demo run fails that was not planted, and says which failures were', () => {
    const ws = workspace({ 'pipelines/broken.yaml': PIPELINE('broken', 'no_such_table').replace('source: cases', 'source: services').replace('owner: Sam Jones', 'owner: joanne.pryce') });
    for (const name of readdirSync('pipelines')) copyFileSync(path.join('pipelines', name), ws.file(`pipelines/${name}`));
    writeFileSync(ws.config, readFileSync('config/lineofsight.yaml', 'utf8').replace('pipelines_dir: ./pipelines', `pipelines_dir: ${ws.file('pipelines')}`));
    const env = {
      LINEOFSIGHT_CONFIG: ws.config,
      LINEOFSIGHT_STORE_FILE: ws.file('store.sqlite'),
      LINEOFSIGHT_FINANCE_DB: ws.file('demo/finance.sqlite'),
      LINEOFSIGHT_SERVICES_DB: ws.file('demo/services.sqlite'),
      LINEOFSIGHT_DEMO_EXPORTS: ws.file('demo/exports'),
      LINEOFSIGHT_OUTBOX_DIR: ws.file('outbox'),
    };
    const r = lineofsight(['demo', '--as-of', '2026-04-01'], { env });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/runs \(13 pipelines x their periods\) stored in .*; 37 failed \(1 planted\), 1 awaiting data, 1 with malformed rows left out\./);
    expect(r.stdout).toMatch(/  FAILED contact-centre 2023-10 \(planted: /);
    expect(r.stdout).toMatch(/  FAILED broken 2023-04: .*no_such_table/);
    expect(r.stdout).not.toMatch(/FAILED broken .*planted/);
  });

  it('works through the failed-check log: list, show, acknowledge', () => {
    const list = lineofsight(['checks', '--format', 'json'], { env: demo });
    expect(list.status).toBe(0);
    const entries = JSON.parse(list.stdout).entries as { id: number; check: string; period: string; status: string; sample: Record<string, unknown>[] }[];
    const dup = entries.find((e) => e.check === 'repairs-job-ref-unique')!;
    expect(dup).toMatchObject({ period: '2025-01', status: 'open', type: 'unique', severity: 'error', failingCount: 4, consecutiveFailures: 1 });
    expect(dup.sample.map((row) => row.job_ref).sort()).toEqual(['R109857', 'R109908', 'R109962', 'R110014']);

    const show = lineofsight(['checks', 'show', String(dup.id)], { env: demo });
    expect(show.stdout).toMatch(/repairs-job-ref-unique \(unique\) on housing-repairs \/ services, period 2025-01/);
    expect(show.stdout).toMatch(/sample \(4 row\(s\)\):/);
    expect(show.stdout).toMatch(/R109857/);

    const ack = lineofsight(['checks', 'ack', String(dup.id), '--note', 'Duplicates from the January data migration; supplier fixing'], { env: demo });
    expect(ack.stdout).toMatch(/acknowledged at 4 failing/);
    const acked = lineofsight(['checks', '--status', 'acknowledged'], { env: demo });
    expect(acked.stdout).toMatch(new RegExp(`${dup.id}\\s+repairs-job-ref-unique`));
    expect(lineofsight(['checks'], { env: demo }).stdout).not.toMatch(/repairs-job-ref-unique/);

    // Re-running the same period sees the same four duplicates: the entry stays quiet.
    expect(lineofsight(['run', 'housing-repairs', '--period', '2025-01'], { env: demo }).status).toBe(0);
    const again = JSON.parse(lineofsight(['checks', 'show', String(dup.id), '--json'], { env: demo }).stdout);
    expect(again).toMatchObject({ status: 'acknowledged', consecutiveFailures: 2, ackNote: 'Duplicates from the January data migration; supplier fixing' });
    expect(again.runs).toHaveLength(2);

    const csv = lineofsight(['checks', '--status', 'all', '--pipeline', 'finance-payments', '--format', 'csv'], { env: demo });
    const rows = csv.stdout.trim().split('\r\n');
    expect(rows[0]).toBe('id,check,type,pipeline,source,period,severity,status,firstFailedAt,lastFailedAt,resolvedAt,consecutiveFailures,failingCount,failingShare,message,acknowledgedAt,ackNote');
    expect(rows.slice(1).every((row) => row.split(',')[3] === 'finance-payments')).toBe(true);
    expect(rows).toHaveLength(4);

    const bad: [string[], RegExp][] = [
      [['checks', '--status', 'closed'], /--status is one of open, resolved, acknowledged, all/],
      [['checks', '--since', 'yesterday'], /--since takes a date/],
      [['checks', 'show', '999999'], /no failed-check log entry 999999/],
      [['checks', 'ack', String(dup.id)], /required option '--note <text>'/],
    ];
    for (const [args, message] of bad) {
      const r = lineofsight(args, { env: demo });
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('prints the scorecard: value, target, tolerance, RAG as a word, direction, data quality, explanation', () => {
    const table = lineofsight(['scorecard', '--period', '2025-02', '--clinic', 'Place'], { env: demo });
    expect(table.status).toBe(0);
    expect(table.stdout).not.toMatch(/\u001b\[/); // piped: no colour codes
    expect(table.stdout).toMatch(/HR01\s+2025-02\s+90\.3%\s+92\.0%\s+2\.0\s+AMBER\s+worsening \/ improving\s+passed\s+AMBER: 90\.3% is below the target of 92%/);
    expect(table.stdout).not.toMatch(/FIN01/); // Resources, not Place

    const json = JSON.parse(lineofsight(['scorecard', '--period', '2025-02', '--format', 'json'], { env: demo }).stdout);
    const fin01 = json.indicators.find((i: { indicator: string }) => i.indicator === 'FIN01');
    expect(fin01).toMatchObject({ period: '2025-02', rag: 'RED', target: 95, dataQuality: 'warned', directionPrevious: 'worsening' });
    expect(fin01.explanation).toMatch(/^RED: 88\.3% is 6\.7 points below the target of 95%/);
    const pl01 = json.indicators.find((i: { indicator: string }) => i.indicator === 'PL01');
    expect(pl01.period).toBe('2024-25-Q3'); // a quarterly indicator shows its latest quarter within the month asked for

    const csv = lineofsight(['scorecard', '--period', '2025-02', '--service', 'Housing', '--format', 'csv'], { env: demo }).stdout.trim().split('\r\n');
    expect(csv[0]).toBe('indicator,title,unit,pipeline,service,clinic,priority,owner,period,value,target,tolerance,rag,directionPrevious,directionLastYear,dataQuality,explanation');
    expect(csv.slice(1).every((row) => row.includes(',Housing,'))).toBe(true);
    const priority = JSON.parse(lineofsight(['scorecard', '--period', '2025-02', '--priority', 'Good homes for all', '--format', 'json'], { env: demo }).stdout);
    expect(priority.indicators.length).toBeGreaterThan(0);
    expect(priority.indicators.every((i: { priority: string }) => i.priority === 'Good homes for all')).toBe(true);
  });

  it("shows a risk's history, every move with its evidence, in each format", () => {
    const table = lineofsight(['risks', '--history', 'HR-R1'], { env: demo });
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^HR-R1: every change of position, oldest first\nassessed at +position +score +tolerance +evidence/);
    expect(table.stdout).toMatch(/ C\/II +12 +ABOVE +hr01-off-target-a-quarter: HR01 AMBER or worse for \d+ consecutive periods/);
    const json = JSON.parse(lineofsight(['risks', '--history', 'HR-R1', '--format', 'json'], { env: demo }).stdout);
    expect(json.history.at(-1)).toMatchObject({ position: 'C/II', score: 12, aboveTolerance: true, moved: true });
    const csv = lineofsight(['risks', '--history', 'HR-R1', '--format', 'csv'], { env: demo }).stdout.split('\r\n');
    expect(csv[0]).toBe('assessed_at,position,score,above_tolerance,moved_by_triggers,evidence');
    expect(csv.length).toBe(json.history.length + 2); // the header, each row, and the final line break
    const unknown = lineofsight(['risks', '--history', 'HR-R9'], { env: demo });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown risk "HR-R9" \(risks in \.\/config\/risks\.yaml: FIN-R1, BUD-R1, HR-R1/);
  });

  it('draws the risk matrix and lists each risk with the evidence that moved it', () => {
    const r = lineofsight(['risks'], { env: demo });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Likelihood \/ Impact \| IV Negligible \| III Marginal \| II Critical \| I Catastrophic/);
    expect(r.stdout).toMatch(/Tolerance line: # and =/);
    expect(r.stdout).toMatch(/BUD-R1 .*\n  B\/I \(High, Catastrophic\), score 20: ABOVE TOLERANCE; escalated from D\/II/);
    expect(r.stdout).toMatch(/trigger variance-red-for-a-quarter: FIN03 RED for \d+ consecutive periods/);
    const json = JSON.parse(lineofsight(['risks', '--format', 'json'], { env: demo }).stdout);
    const escalated = json.risks.filter((x: { changed: boolean }) => x.changed).map((x: { risk: string }) => x.risk);
    expect(escalated).toEqual(expect.arrayContaining(['BUD-R1', 'HR-R1']));
    expect(json.risks.find((x: { risk: string }) => x.risk === 'HR-R1')).toMatchObject({ exception: true, recorded: { likelihood: 'D', impact: 'II' } });
    const csv = lineofsight(['risks', '--format', 'csv'], { env: demo }).stdout.split('\r\n');
    expect(csv[0]).toBe('risk,recorded,assessed,score,above_tolerance,changed,evidence');
    expect(csv.find((row) => row.startsWith('HR-R1,'))).toMatch(/^HR-R1,D\/II,C\/II,12,true,true,"HR01 AMBER or worse for \d+ consecutive periods \(/);
  });
  it('shows each risk where runs recorded it, and never records a position itself', () => {
    const history = () => JSON.parse(lineofsight(['risks', '--history', 'HR-R1', '--format', 'json'], { env: demo }).stdout).history;
    const before = history();
    expect(lineofsight(['risks'], { env: demo }).status).toBe(0);
    expect(history()).toEqual(before);

    // A store no run has written to: every risk stands at its owner's position, and nothing is recorded.
    const fresh = { ...demoEnv, LINEOFSIGHT_STORE_FILE: workspace({}).file('store.sqlite') };
    const json = JSON.parse(lineofsight(['risks', '--format', 'json'], { env: fresh }).stdout);
    expect(json.risks.find((x: { risk: string }) => x.risk === 'HR-R1')).toMatchObject({ changed: false, recorded: { likelihood: 'D', impact: 'II' }, assessed: { likelihood: 'D', impact: 'II' }, triggered: [] });
    expect(lineofsight(['risks', '--history', 'HR-R1'], { env: fresh }).stdout).toBe('HR-R1 has no recorded position yet: risks are assessed after every run.\n');
  });
});
