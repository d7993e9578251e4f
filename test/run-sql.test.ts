import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../src/config/load.js';
import type { SqlSourceConfig } from '../src/config/schema.js';
import { silentLogger } from '../src/logger.js';
import { runPipeline } from '../src/runs/execute.js';
import type { SourceRegistry } from '../src/sources/registry.js';
import type { Store } from '../src/store/store.js';
import { freshMysql, freshPostgres, knexFor } from './helpers/databases.js';
import { openRun } from './helpers/run.js';
import { workspace } from './helpers/workspace.js';

/** Repair jobs closed between April 2023 and March 2025: enough to make YTD differ from a mean. */
interface Job {
  id: number;
  closed: string;
  due: string;
  cost: number;
}

function jobs(): Job[] {
  const out: Job[] = [];
  let id = 1;
  for (let month = 0; month < 24; month++) {
    const y = 2023 + Math.floor((month + 3) / 12);
    const m = ((month + 3) % 12) + 1;
    const count = 5 + ((month * 7) % 11); // uneven months, so a mean of percentages is wrong
    for (let k = 0; k < count; k++) {
      const day = 1 + ((k * 5) % 28);
      const closed = `${y}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      const late = (k + month) % 4 === 0;
      const due = late ? `${y}-${String(m).padStart(2, '0')}-01` : `${y + 1}-01-01`;
      out.push({ id: id++, closed, due: day === 1 && late ? '2000-01-01' : due, cost: 100 + ((k * 37 + month * 11) % 400) + 0.25 });
    }
  }
  return out;
}

const JOBS = jobs();
const inWindow = (start: string, end: string) => JOBS.filter((j) => j.closed >= start && j.closed < end);
const onTime = (js: Job[]) => js.filter((j) => j.closed <= j.due).length;

const PIPELINE = `
id: repairs
title: Repairs
source: repairs_db
schedule: "0 6 * * *"
frequency: monthly
query: |
  SELECT COUNT(*) AS jobs_closed,
         SUM(CASE WHEN closed <= due THEN 1 ELSE 0 END) AS jobs_on_time,
         SUM(cost) AS total_cost,
         AVG(cost) AS mean_cost
  FROM repair_jobs
  WHERE closed >= :period_start AND closed < :period_end
indicators:
  - { id: R1, title: Jobs closed, type: count, value: jobs_closed, polarity: none, owner: A, service: Housing }
  - { id: R2, title: On time, unit: "%", type: percentage, numerator: jobs_on_time, denominator: jobs_closed, polarity: higher_is_better, owner: A, service: Housing }
  - { id: R3, title: On time YTD, unit: "%", type: percentage, numerator: jobs_on_time, denominator: jobs_closed, accumulation: year_to_date, polarity: higher_is_better, owner: A, service: Housing }
  - { id: R4, title: Spend, unit: "£", type: sum, value: total_cost, polarity: lower_is_better, owner: A, service: Housing }
  - { id: R5, title: Mean cost, unit: "£", type: mean, value: mean_cost, polarity: lower_is_better, owner: A, service: Housing }
  - { id: R6, title: "Jobs per 1,000 homes", type: rate, numerator: jobs_closed, denominator: 4200, per: 1000, polarity: none, owner: A, service: Housing }
  - { id: R7, title: Cost per job YTD, unit: "£", type: ratio, numerator: total_cost, denominator: jobs_closed, accumulation: year_to_date, polarity: lower_is_better, owner: A, service: Housing }
`;

type Client = 'sqlite' | 'pg' | 'mysql';

async function prepare(client: Client): Promise<{ connection: string }> {
  const ws = workspace({});
  const connection =
    client === 'sqlite' ? ws.file('repairs.sqlite') : client === 'pg' ? await freshPostgres('lineofsight_test_run') : await freshMysql('lineofsight_test_run');
  const db = knexFor(client, connection);
  try {
    await db.schema.createTable('repair_jobs', (t) => {
      t.integer('id').primary();
      t.date('closed').notNullable();
      t.date('due').notNullable();
      t.decimal('cost', 12, 2).notNullable();
    });
    await db.batchInsert('repair_jobs', JOBS, 200);
  } finally {
    await db.destroy();
  }
  return { connection };
}

async function configFor(client: Client, connection: string, extraSources = ''): Promise<LoadedConfig> {
  const ws = workspace({
    'lineofsight.yaml': `
pipelines_dir: {{dir}}/pipelines
store: { client: sqlite, filename: {{dir}}/store.sqlite }
sources:
  repairs_db: { client: ${client}, connection: "${connection}", query_timeout: 5s, connect_timeout: 2s }
${extraSources}`,
    'pipelines/repairs.yaml': PIPELINE,
  });
  return loadConfig(ws.config, {});
}

describe.each(['sqlite', 'pg', 'mysql'] as const)('a database pipeline on %s', (client) => {
  let config: LoadedConfig;
  let store: Store;
  let sources: SourceRegistry;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const { connection } = await prepare(client);
    config = await configFor(client, connection);
    ({ store, sources, close } = await openRun(config));
  });
  afterAll(() => close());

  it('computes every indicator type for every month of a year, year-to-date from April', async () => {
    const ctx = { config, sources, logger: silentLogger, ...store.forRuns() };
    const pipeline = config.pipelines[0]!;
    const periods = config.calendar.within(config.calendar.parse('2024-25'), 'month');
    const runs = await runPipeline(ctx, pipeline, periods);
    expect(runs.map((r) => r.outcome)).toEqual(Array(12).fill('succeeded'));

    for (const run of runs) {
      const month = inWindow(run.period.start, run.period.end);
      const ytd = inWindow('2024-04-01', run.period.end);
      const v = Object.fromEntries(run.values.map((x) => [x.indicatorId, x.value]));
      const cost = month.reduce((s, j) => s + j.cost, 0);
      expect(v.R1).toBe(month.length);
      expect(v.R2).toBeCloseTo((onTime(month) / month.length) * 100, 9);
      expect(v.R3).toBeCloseTo((onTime(ytd) / ytd.length) * 100, 9);
      expect(v.R4).toBeCloseTo(cost, 6);
      expect(v.R5).toBeCloseTo(cost / month.length, 6);
      expect(v.R6).toBeCloseTo((month.length / 4200) * 1000, 9);
      expect(v.R7).toBeCloseTo(ytd.reduce((s, j) => s + j.cost, 0) / ytd.length, 6);
    }

    // Year to date is the sum of numerators over the sum of denominators, not a mean of months.
    const feb = runs.find((r) => r.period.id === '2025-02')!;
    const monthly = runs.slice(0, 11).map((r) => r.values.find((x) => x.indicatorId === 'R2')!.value!);
    const meanOfMonths = monthly.reduce((a, b) => a + b, 0) / monthly.length;
    expect(Math.abs(feb.values.find((x) => x.indicatorId === 'R3')!.value! - meanOfMonths)).toBeGreaterThan(0.01);
  });

  it('gives no value and a reason for an empty period, never NaN', async () => {
    const ctx = { config, sources, logger: silentLogger, ...store.forRuns() };
    const [run] = await runPipeline(ctx, config.pipelines[0]!, [config.calendar.parse('2030-05')]);
    const r2 = run!.values.find((x) => x.indicatorId === 'R2')!;
    expect(r2.value).toBeNull();
    expect(r2.reason).toMatch(/denominator is zero/);
    expect(run!.values.find((x) => x.indicatorId === 'R1')!.value).toBe(0);
    expect(run!.values.find((x) => x.indicatorId === 'R5')!.reason).toMatch(/no value/);
  });

  it('keeps stored history: a re-run with the same data adds no revision', async () => {
    const ctx = { config, sources, logger: silentLogger, ...store.forRuns() };
    const [run] = await runPipeline(ctx, config.pipelines[0]!, [config.calendar.parse('2024-06')]);
    expect(run!.change).toMatchObject({ added: 0, revised: 0, unchanged: 7 });
    const stored = await store.runs.storedValues(['R1'], { from: '2024-06-01', to: '2024-07-01', includeRevised: true });
    expect(stored).toHaveLength(1);
  });
});

describe('sources that fail', () => {
  it('records a failed run with its error and keeps the values stored before', async () => {
    const { connection } = await prepare('pg');
    const config = await configFor('pg', connection);
    const { store, sources, close } = await openRun(config);
    const ctx = { config, sources, logger: silentLogger, ...store.forRuns() };
    const pipeline = config.pipelines[0]!;
    const may = config.calendar.parse('2024-05');
    try {
      const [good] = await runPipeline(ctx, pipeline, [may]);
      expect(good!.outcome).toBe('succeeded');

      const broken = { ...pipeline, query: pipeline.query!.replace('SUM(cost)', 'SUM(costs)') };
      const [bad] = await runPipeline(ctx, broken, [may]);
      expect(bad!.outcome).toBe('failed');
      expect(bad!.error).toMatch(/source repairs_db \(pg\): .*column "costs" does not exist/);

      const stored = await store.runs.storedValues(['R4'], { from: may.start, to: may.end, includeRevised: true });
      expect(stored.map((v) => v.value)).toEqual([good!.values.find((v) => v.indicatorId === 'R4')!.value]);
      const runs = await store.runs.runsOf('repairs', '2024-05');
      expect(runs.map((r) => r.outcome)).toEqual(['succeeded', 'failed']);
      expect(runs[1]!.error).toMatch(/costs/);
    } finally {
      await close();
    }
  });

  it.each([
    ['refuses connections', 'pg', 'postgres://postgres@127.0.0.1:1/none', /source repairs_db \(pg\): .*ECONNREFUSED/],
    ['refuses connections', 'mysql', 'mysql://root@127.0.0.1:1/none', /source repairs_db \(mysql\): .*ECONNREFUSED/],
    ['is a missing SQLite file', 'sqlite', '/nonexistent/repairs.sqlite', /source repairs_db \(sqlite\): .*(unable to open|directory does not exist)/],
  ] as const)('a source that %s (%s) fails its run with the reason', async (_what, client, connection, message) => {
    const config = await configFor(client, connection);
    const { store, sources, close } = await openRun(config);
    try {
      const [run] = await runPipeline({ config, sources, logger: silentLogger, ...store.forRuns() }, config.pipelines[0]!, [config.calendar.parse('2024-05')]);
      expect(run!.outcome).toBe('failed');
      expect(run!.error).toMatch(message);
    } finally {
      await close();
    }
  });

  it('cancels a query that runs past the query timeout', async () => {
    const { connection } = await prepare('pg');
    const config = await configFor('pg', connection);
    const { store, sources, close } = await openRun(config, { repairs_db: { ...(config.service.sources.repairs_db as SqlSourceConfig), query_timeout: 300 } });
    const slow = { ...config.pipelines[0]!, query: `SELECT COUNT(*) AS jobs_closed, 1 AS jobs_on_time, 1 AS total_cost, 1 AS mean_cost FROM repair_jobs, pg_sleep(10) WHERE closed >= :period_start AND closed < :period_end` };
    try {
      const [run] = await runPipeline({ config, sources, logger: silentLogger, ...store.forRuns() }, slow, [config.calendar.parse('2024-05')]);
      expect(run!.outcome).toBe('failed');
      expect(run!.error).toMatch(/timed out|statement timeout/);
    } finally {
      await close();
    }
  });

  it('reads timestamps in the service timezone: 23:30 UTC on 31 March is April in London', async () => {
    const url = await freshPostgres('lineofsight_test_tz');
    const db = knexFor('pg', url);
    await db.schema.createTable('calls', (t) => t.timestamp('answered_at', { useTz: true }));
    await db('calls').insert([{ answered_at: '2024-03-31T23:30:00Z' }, { answered_at: '2024-04-30T22:59:00Z' }, { answered_at: '2024-04-30T23:01:00Z' }]);
    await db.destroy();
    const ws = workspace({
      'lineofsight.yaml': `pipelines_dir: {{dir}}/pipelines\nstore: { client: sqlite, filename: {{dir}}/store.sqlite }\nsources:\n  calls: { client: pg, connection: "${url}" }\n`,
      'pipelines/calls.yaml': `
id: calls
title: Calls
source: calls
schedule: "0 6 * * *"
frequency: monthly
query: SELECT COUNT(*) AS answered FROM calls WHERE answered_at >= :period_start AND answered_at < :period_end
indicators:
  - { id: CALL1, title: Calls answered, type: count, value: answered, polarity: none, owner: A, service: B }
`,
    });
    const config = await loadConfig(ws.config, {});
    const { store, sources, close } = await openRun(config);
    try {
      const runs = await runPipeline({ config, sources, logger: silentLogger, ...store.forRuns() }, config.pipelines[0]!, [config.calendar.parse('2024-03'), config.calendar.parse('2024-04')]);
      // 22:59 UTC on 30 April is 23:59 BST (April); 23:01 UTC is 00:01 BST on 1 May.
      expect(runs.map((r) => [r.period.id, r.values[0]?.value])).toEqual([
        ['2024-03', 0],
        ['2024-04', 2],
      ]);
    } finally {
      await close();
    }
  });

  it('keeps a month already flagged by sudden_change out of the next month\'s baseline', async () => {
    const ws = workspace({});
    const db = knexFor('sqlite', ws.file('events.sqlite'));
    await db.schema.createTable('events', (t) => t.date('d'));
    // Twelve ordinary months of about 100 events, then two months of 300.
    const counts = [98, 101, 103, 99, 100, 102, 97, 104, 100, 99, 101, 103, 300, 300];
    const rows = counts.flatMap((n, i) => Array.from({ length: n }, () => ({ d: `${2023 + Math.floor((i + 3) / 12)}-${String(((i + 3) % 12) + 1).padStart(2, '0')}-15` })));
    await db.batchInsert('events', rows, 500);
    await db.destroy();
    const config = await loadConfig(
      workspace({
        'lineofsight.yaml': `pipelines_dir: {{dir}}/pipelines\nstore: { client: sqlite, filename: {{dir}}/store.sqlite }\nsources:\n  events: { client: sqlite, connection: ${ws.file('events.sqlite')} }\n`,
        'pipelines/events.yaml': `
id: events
title: Events
source: events
schedule: "0 6 * * *"
frequency: monthly
query: SELECT COUNT(*) AS n FROM events WHERE d >= :period_start AND d < :period_end
indicators:
  - { id: EV1, title: Events, type: count, value: n, polarity: none, owner: A, service: B }
checks:
  - { id: events-jump, type: sudden_change, indicator: EV1, threshold: 4, min_history: 6 }
`,
      }).config,
      {},
    );
    const { store, sources, close } = await openRun(config);
    try {
      const periods = config.calendar.range(config.calendar.parse('2023-04'), config.calendar.parse('2024-05'), 'month');
      const runs = await runPipeline({ config, sources, logger: silentLogger, ...store.forRuns() }, config.pipelines[0]!, periods);
      expect(runs.map((r) => r.checks[0]?.status)).toEqual([...Array(12).fill('passed'), 'failed', 'failed']);
      // Counted in, the first 300 would lift the baseline so far that the second looked ordinary:
      const withSpike = [...counts.slice(0, 13)];
      const mean = withSpike.reduce((a, b) => a + b, 0) / withSpike.length;
      const sd = Math.sqrt(withSpike.reduce((a, b) => a + (b - mean) ** 2, 0) / (withSpike.length - 1));
      expect((300 - mean) / sd).toBeLessThan(4);
      expect(runs[13]?.checks[0]?.message).toMatch(/of 12 earlier points/);
      expect((await store.checkLog.checkLog({ status: 'open' })).map((e) => e.periodId)).toEqual(['2024-05', '2024-04']);
    } finally {
      await close();
    }
  });

  it('judges a year-to-date indicator on its year-to-date value, with direction across the year end', async () => {
    const ws = workspace({});
    const db = knexFor('sqlite', ws.file('cases.sqlite'));
    await db.schema.createTable('cases', (t) => {
      t.date('closed');
      t.integer('on_time');
    });
    // March 2024: 9 of 10 on time. April 2024: 7 of 10. May 2024: 10 of 10 (YTD 17 of 20 = 85%).
    const month = (m: string, onTime: number) => Array.from({ length: 10 }, (_, i) => ({ closed: `${m}-10`, on_time: i < onTime ? 1 : 0 }));
    await db.batchInsert('cases', [...month('2023-03', 10), ...month('2024-03', 9), ...month('2024-04', 7), ...month('2024-05', 10)], 100);
    await db.destroy();
    const config = await loadConfig(
      workspace({
        'lineofsight.yaml': `pipelines_dir: {{dir}}/pipelines\nstore: { client: sqlite, filename: {{dir}}/store.sqlite }\nsources:\n  cases: { client: sqlite, connection: ${ws.file('cases.sqlite')} }\n`,
        'pipelines/cases.yaml': `
id: cases
title: Cases
source: cases
schedule: "0 6 * * *"
frequency: monthly
query: |
  SELECT COUNT(*) AS closed, SUM(on_time) AS on_time FROM cases WHERE closed >= :period_start AND closed < :period_end
indicators:
  - id: C1
    title: Closed on time, year to date
    unit: "%"
    type: percentage
    numerator: on_time
    denominator: closed
    accumulation: year_to_date
    polarity: higher_is_better
    owner: Sam
    service: Customer
    targets:
      - { from: 2023-24, value: 90, signed_off_by: Cllr, signed_off_on: 2023-03-01, rationale: Top quartile }
      - { period: 2024-25, value: 86, signed_off_by: Cllr, signed_off_on: 2024-03-01, rationale: A harder year }
    tolerance: { absolute: 2, reason: Small monthly numbers }
`,
      }).config,
      {},
    );
    const { store, sources, close } = await openRun(config);
    try {
      const periods = ['2023-03', '2024-03', '2024-04', '2024-05'].map((p) => config.calendar.parse(p));
      const runs = await runPipeline({ config, sources, logger: silentLogger, ...store.forRuns() }, config.pipelines[0]!, periods);
      const judged = runs.map((r) => [r.period.id, r.values[0]?.value, r.values[0]?.judgement?.rag, r.values[0]?.judgement?.directionPrevious, r.values[0]?.judgement?.directionLastYear]);
      expect(judged).toEqual([
        ['2023-03', 100, 'NO_TARGET', null, null],
        // March 2024 closes 2023-24: YTD is March alone (the only month with cases that year).
        ['2024-03', 90, 'GREEN', null, 'worsening'],
        // April opens 2024-25: the YTD restarts, 70% against the year's own target of 86%, and
        // April alone is not compared with the whole of 2023-24 before it.
        ['2024-04', 70, 'RED', null, null],
        // May: 17 of 20 = 85%, within 2 points of 86%; judged on the YTD value, not May's 100%.
        ['2024-05', 85, 'AMBER', 'improving', null],
      ]);
      expect(runs[3]?.values[0]?.judgement?.explanation).toBe('AMBER: 85.00% is below the target of 86% but within the tolerance of 2 points (floor 84%)');
    } finally {
      await close();
    }
  });
});
