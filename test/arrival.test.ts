import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { loadConfig, type LoadedConfig, type LoadedPipeline } from '../src/config/load.js';
import { arrivalOf, awaitsArrival, newestDayOf } from '../src/runs/arrival.js';
import { runPipeline } from '../src/runs/execute.js';
import type { Store } from '../src/store/store.js';
import { freshMysql, freshPostgres, knexFor } from './helpers/databases.js';
import { openRun } from './helpers/run.js';
import { workspace } from './helpers/workspace.js';

const calendar = new FinancialCalendar(4);

describe('when a period has arrived', () => {
  it.each([
    // period, newest record, grace (days), arrived
    ['2026-11', '2026-11-30', 0, true],
    ['2026-11', '2026-12-03', 0, true],
    ['2026-11', '2026-11-29', 0, false],
    ['2026-11', '2026-11-27', 3, true],
    ['2026-11', '2026-11-26', 3, false],
    ['2026-02', '2026-02-28', 0, true],
    ['2024-02', '2024-02-28', 0, false], // a leap year's February ends on the 29th
    ['2026-27-Q2', '2026-09-30', 0, true],
    ['2026-27-Q2', '2026-08-31', 0, false],
    ['2025-26', '2026-03-31', 0, true],
    ['2025-26', '2026-03-20', 0, false],
    ['2026-11', undefined, 0, false],
  ] as const)('%s with the newest record %s and %i days of grace: %s', (periodId, newest, grace, arrived) => {
    expect(arrivalOf(calendar.parse(periodId), newest, grace).arrived).toBe(arrived);
  });

  it('says why a period is awaiting, in words', () => {
    expect(arrivalOf(calendar.parse('2026-11'), '2026-03-31', 0)).toEqual({ arrived: false, reason: 'no data received for 2026-11: the newest record is 31 March 2026' });
    expect(arrivalOf(calendar.parse('2026-11'), undefined, 0)).toEqual({ arrived: false, reason: 'no data received for 2026-11: the source holds no records' });
  });

  it.each([
    ['NULL: no records', null, undefined],
    ['a date', '2026-03-31', '2026-03-31'],
    ['local wall-clock time', '2026-03-31 23:30:00', '2026-03-31'],
    ['an instant, on its London day', new Date('2026-06-30T23:30:00Z'), '2026-07-01'],
  ])('reads the newest record from %s', (_name, raw, day) => {
    expect(newestDayOf(raw, 'Europe/London')).toBe(day);
  });

  it.each([
    ['an epoch number', 1774915200],
    ['a UK date as text', '31/03/2026'],
    ['a BigInt', 20260331n],
  ])('fails the run, never waits, on %s from the arrival query', (_name, raw) => {
    expect(() => newestDayOf(raw, 'Europe/London')).toThrow(/^the newest record's date is ".*", which is not a date or time: arrival\.newest must give one$/);
  });

  it.each([
    ['a CSV pipeline, by its date field', { historical: false }, true, true],
    ['a historical CSV pipeline', { historical: true }, true, false],
    ['a database pipeline with an arrival query', { historical: false, arrival: { newest: 'SELECT 1', grace: 0 } }, false, true],
    ['a database pipeline without one', { historical: false }, false, false],
    ['a historical database pipeline', { historical: true }, false, false],
  ])('%s can await data: %s', (_name, pipeline, csv, awaits) => {
    expect(awaitsArrival(pipeline as unknown as LoadedPipeline, csv)).toBe(awaits);
  });
});

/** Complaints closed in April 2024, none in May, and a few in June up to the 12th. */
const ROWS = [
  ['2024-04-02', 'upheld'],
  ['2024-04-17', 'not upheld'],
  ['2024-04-30', 'upheld'],
  ['2024-06-03', 'not upheld'],
  ['2024-06-12', 'upheld'],
] as const;

const INDICATORS = `
  - { id: CP1, title: Complaints closed, type: count, value: closed, polarity: lower_is_better, owner: A, service: Customer, targets: [{ from: 2024-25, value: 10 }], tolerance: { absolute: 2, reason: chance } }
  - { id: CP2, title: Complaints upheld, unit: "%", type: percentage, numerator: upheld, denominator: closed, polarity: lower_is_better, owner: A, service: Customer, targets: [{ from: 2024-25, value: 50 }] }
`;

const SQL_PIPELINE = (arrival: string) => `
id: complaints
title: Complaints
source: complaints_db
schedule: "0 6 * * *"
frequency: monthly
query: |
  SELECT COUNT(*) AS closed, COALESCE(SUM(CASE WHEN outcome = 'upheld' THEN 1 ELSE 0 END), 0) AS upheld
  FROM complaints WHERE closed >= :period_start AND closed < :period_end
${arrival}
indicators:${INDICATORS}
checks:
  - { id: complaints-fresh, type: freshness, max_age: 10 days, severity: warn }
`;

const CSV_PIPELINE = (arrival: string) => `
id: complaints
title: Complaints
source: exports
schedule: "0 6 * * *"
frequency: monthly
csv:
  files: "*.csv"
  fields:
    closed: { header: Closed, type: date }
    outcome: { header: Outcome }
  date: closed
${arrival}
indicators:
  - { id: CP1, title: Complaints closed, type: count, value: { fn: count }, polarity: lower_is_better, owner: A, service: Customer, targets: [{ from: 2024-25, value: 10 }], tolerance: { absolute: 2, reason: chance } }
  - { id: CP2, title: Complaints upheld, unit: "%", type: percentage, numerator: { fn: count, where: [{ field: outcome, op: eq, value: upheld }] }, denominator: { fn: count }, polarity: lower_is_better, owner: A, service: Customer, targets: [{ from: 2024-25, value: 50 }] }
checks:
  - { id: complaints-fresh, type: freshness, max_age: 10 days, severity: warn }
`;

type Source = 'sqlite' | 'pg' | 'mysql' | 'csv';

/** A source holding ROWS (less those after `until`), and a pipeline over it with `arrival`; `name` names its database. */
async function complaints(source: Source, arrival: string, name: string): Promise<{ config: LoadedConfig; rewrite(until: string): Promise<void> }> {
  const rows = (last: string) => ROWS.filter(([closed]) => closed <= last);
  const connection = source === 'pg' ? await freshPostgres(name) : source === 'mysql' ? await freshMysql(name) : '{{dir}}/complaints.sqlite';
  const ws = workspace({
    'lineofsight.yaml': `pipelines_dir: {{dir}}/pipelines\nstore: { client: sqlite, filename: {{dir}}/store.sqlite }\nsources:\n${
      source === 'csv' ? '  exports: { client: csv, directory: {{dir}}/csv }' : `  complaints_db: { client: ${source}, connection: "${connection}", query_timeout: 5s, connect_timeout: 2s }`
    }\n`,
    'pipelines/complaints.yaml': source === 'csv' ? CSV_PIPELINE(arrival) : SQL_PIPELINE(arrival),
    'csv/.keep': '',
  });
  const rewrite = async (last: string) => {
    if (source === 'csv') {
      writeFileSync(ws.file('csv/complaints.csv'), ['Closed,Outcome', ...rows(last).map((r) => r.join(','))].join('\n'));
      return;
    }
    const db = knexFor(source, connection.replace('{{dir}}', ws.dir));
    try {
      await db.schema.dropTableIfExists('complaints');
      await db.schema.createTable('complaints', (t) => {
        t.date('closed').notNullable();
        t.string('outcome', 20).notNullable();
      });
      const list = rows(last);
      if (list.length) await db('complaints').insert(list.map(([closed, outcome]) => ({ closed, outcome })));
    } finally {
      await db.destroy();
    }
  };
  await rewrite('9999-12-31');
  return { config: await loadConfig(ws.config, {}), rewrite };
}

const ARRIVAL: Record<Source, string> = {
  sqlite: 'arrival: { newest: "SELECT MAX(closed) FROM complaints" }',
  pg: 'arrival: { newest: "SELECT MAX(closed) FROM complaints" }',
  mysql: 'arrival: { newest: "SELECT MAX(closed) FROM complaints" }',
  csv: '',
};

describe.each(['sqlite', 'pg', 'mysql', 'csv'] as const)('data arrival on a %s source', (source) => {
  let config: LoadedConfig;
  let store: Store;
  let close: () => Promise<void>;
  let rewrite: (until: string) => Promise<void>;
  // Run as on 20 June 2024: May is the latest complete month, so the freshness check runs with it.
  const now = () => new Date('2024-06-20T09:00:00Z');
  let open: Awaited<ReturnType<typeof openRun>>;
  const run = (...periods: string[]) => runPipeline({ ...open.ctx, now }, config.pipelines[0]!, periods.map((p) => config.calendar.parse(p)));

  beforeAll(async () => {
    ({ config, rewrite } = await complaints(source, ARRIVAL[source], 'lineofsight_test_arrival'));
    open = await openRun(config);
    ({ store, close } = open);
  });
  afterAll(() => close());

  it('computes an empty month whose data has arrived as a real 0, the same on every source', async () => {
    const [april, may] = await run('2024-04', '2024-05');
    expect(april!.outcome).toBe('succeeded');
    expect(april!.values.find((v) => v.indicatorId === 'CP1')?.value).toBe(3);
    expect(may!.outcome).toBe('succeeded');
    const closed = may!.values.find((v) => v.indicatorId === 'CP1')!;
    expect(closed.value).toBe(0);
    expect(closed.judgement?.rag).toBe('GREEN');
    // 0 of 0 upheld is no value: a share of nothing is MISSING, not 0%.
    expect(may!.values.find((v) => v.indicatorId === 'CP2')?.value).toBeNull();
    expect((await store.runs.storedValues(['CP1'])).map((v) => [v.periodId, v.value])).toEqual([
      ['2024-04', 3],
      ['2024-05', 0],
    ]);
  });

  it('runs a month whose newest record is before its last day as awaiting: MISSING with the reason, nothing stored, no failure', async () => {
    const [june] = await run('2024-06');
    expect(june).toMatchObject({ outcome: 'awaiting', error: null, reason: 'no data received for 2024-06: the newest record is 12 June 2024', change: null });
    expect(june!.values.map((v) => [v.indicatorId, v.value, v.judgement?.rag, v.judgement?.explanation])).toEqual([
      ['CP1', null, 'MISSING', 'MISSING: no data received for 2024-06: the newest record is 12 June 2024'],
      ['CP2', null, 'MISSING', 'MISSING: no data received for 2024-06: the newest record is 12 June 2024'],
    ]);
    expect(await store.runs.storedValues(['CP1'], { from: '2024-06-01' })).toEqual([]);
    const [recorded] = await store.runs.runsOf('complaints', '2024-06');
    expect(recorded).toMatchObject({ outcome: 'awaiting', error: null, reason: june!.reason, newestRecord: '2024-06-12' });
  });

  it('never replaces a stored value with an awaiting period: a withdrawn extract leaves April as it was', async () => {
    const before = await store.runs.storedValues(['CP1', 'CP2'], { from: '2024-04-01', to: '2024-05-01', includeRevised: true });
    await rewrite('2024-04-17');
    try {
      const [april] = await run('2024-04');
      expect(april!.outcome).toBe('awaiting');
      expect(april!.reason).toBe('no data received for 2024-04: the newest record is 17 April 2024');
      expect(await store.runs.storedValues(['CP1', 'CP2'], { from: '2024-04-01', to: '2024-05-01', includeRevised: true })).toEqual(before);
    } finally {
      await rewrite('9999-12-31');
    }
  });

  it('ages, in a freshness check without a column, the same newest record arrival reads', async () => {
    const [may] = await run('2024-05');
    const fresh = may!.checks.find((c) => c.checkId === 'complaints-fresh')!;
    expect(fresh.status).toBe('passed');
    expect(fresh.message).toBe('newest record 2024-06-12 is 8 days old (at most 10 days): passes');
    // An earlier period says nothing of the feed today: freshness is not run with it.
    const [april] = await run('2024-04');
    expect(april!.checks.map((c) => c.checkId)).not.toContain('complaints-fresh');
    // A period awaiting its data still has its feed checked, and the result logged.
    const [june] = await run('2024-06');
    expect(june!.checks.map((c) => [c.checkId, c.status])).toEqual([['complaints-fresh', 'passed']]);
  });

  it('counts a grace of days before the last day', async () => {
    const graced = await complaints(source, source === 'csv' ? 'arrival: { grace: 18d }' : 'arrival: { newest: "SELECT MAX(closed) FROM complaints", grace: 18d }', 'lineofsight_test_arrival_grace');
    const other = await openRun(graced.config);
    try {
      const [june] = await runPipeline({ ...other.ctx, now }, graced.config.pipelines[0]!, [graced.config.calendar.parse('2024-06')]);
      expect(june!.outcome).toBe('succeeded');
      expect(june!.values.find((v) => v.indicatorId === 'CP1')?.value).toBe(2);
    } finally {
      await other.close();
    }
  });
});
