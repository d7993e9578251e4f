import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../src/config/load.js';
import { silentLogger } from '../src/logger.js';
import { runPipeline, type PeriodRun } from '../src/runs/execute.js';
import type { SourceRegistry } from '../src/sources/registry.js';
import type { Store } from '../src/store/store.js';
import { openRun } from './helpers/run.js';
import { workspace } from './helpers/workspace.js';

const valueOf = (run: PeriodRun | undefined, id: string) => run?.values.find((v) => v.indicatorId === id);

describe('shipped pipelines over the real open data', () => {
  let config: LoadedConfig;
  let store: Store;
  let sources: SourceRegistry;
  let close: () => Promise<void>;
  beforeAll(async () => {
    config = await loadConfig('config/lineofsight.yaml', { LINEOFSIGHT_STORE_FILE: workspace({}).file('store.sqlite') });
    ({ store, sources, close } = await openRun(config));
  });
  afterAll(() => close());
  const run = (id: string, period: string, kind: 'month' | 'quarter') =>
    runPipeline({ config, sources, logger: silentLogger, ...store.forRuns() }, config.pipelines.find((p) => p.id === id)!, config.calendar.within(config.calendar.parse(period), kind));

  it('Oxford: one quarter of expenditure, the junk trailer skipped, other quarters without rows', async () => {
    // Independent route: parse the whole file at once and total the amount column by hand.
    const records: Record<string, string>[] = parse(readFileSync('open-data/oxford_spend_over_500_2014-01_to_03.csv'), { columns: true, relax_column_count: true });
    const payments = records.filter((r) => r.body_name !== '');
    const total = payments.reduce((s, r) => s + Number(r.amount), 0);
    const credits = payments.filter((r) => Number(r.amount) < 0).length;
    const capital = payments.filter((r) => r.caporrev === 'Capital').reduce((s, r) => s + Number(r.amount), 0);

    const runs = await run('oxford-spend', '2013-14', 'quarter');
    expect(runs.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const q4 = runs.find((r) => r.period.id === '2013-14-Q4');
    expect(q4?.rowsRead).toBe(payments.length);
    expect(q4?.rowsRejected).toBe(0);
    expect(valueOf(q4, 'OXF01')?.value).toBeCloseTo(total, 2);
    expect(valueOf(q4, 'OXF02')?.value).toBeCloseTo(total / payments.length, 6);
    expect(valueOf(q4, 'OXF03')?.value).toBe(credits);
    expect(valueOf(q4, 'OXF04')?.value).toBeCloseTo((capital / total) * 100, 9);
    expect(valueOf(runs[0], 'OXF01')).toMatchObject({ value: null, reason: 'no rows in the CSV files for 2013-14-Q1' });
  });

  it('Hyndburn: one pipeline reads the 2018 Windows-1252 bare-CR layout and the 2025 UTF-8 BOM layout', async () => {
    const oct2018 = new TextDecoder('windows-1252').decode(readFileSync('open-data/hyndburn_spend_2018-10.csv')).split(/\r\n|\r/).slice(1).filter((l) => l.trim());
    const total2018 = oct2018.reduce((s, line) => s + Number(line.slice(line.lastIndexOf(',') + 1)), 0);
    const [october2018] = await run('hyndburn-spend', '2018-10', 'month');
    expect(october2018?.outcome).toBe('succeeded');
    expect(valueOf(october2018, 'SPD01')?.value).toBeCloseTo(total2018, 2);

    const rows2025: string[][] = parse(readFileSync('open-data/hyndburn_spend_2025-10.csv'), { bom: true, relax_column_count: true, from_line: 2 });
    const amount = (text: string) => (text.endsWith('-') ? -1 : 1) * Number(text.replace(/[-,]/g, ''));
    const paid2025 = rows2025.filter((r) => (r[14] ?? '').endsWith('/10/2025'));
    const [october2025] = await run('hyndburn-spend', '2025-10', 'month');
    expect(valueOf(october2025, 'SPD01')?.value).toBeCloseTo(paid2025.reduce((s, r) => s + amount(r[16] ?? ''), 0), 2);
    expect(valueOf(october2025, 'SPD04')?.value).toBe(new Set(paid2025.map((r) => r[11])).size);
  });
});

describe('a CSV pipeline', () => {
  const CSV = ['Closed,Outcome,Days', '03/04/2024,on time,3', '20/04/2024,late,40', '02/05/2024,on time,5', '09/05/2024,on time,9', '30/05/2024,late,31', '01/06/2024,on time,2', 'not a date,on time,1'].join('\r\n');
  const PIPELINE = `
id: cases
title: Cases
source: exports
schedule: "0 6 * * *"
frequency: monthly
historical: true # exports that will not grow: these tests are of their rows, not of data arrival
csv:
  files: cases*.csv
  fields:
    closed: { header: Closed, type: date }
    outcome: { header: Outcome }
    days: { header: Days, type: number }
  date: closed
  max_malformed: 1
indicators:
  - id: C1
    title: On time this month
    unit: "%"
    type: percentage
    numerator: { fn: count, where: [{ field: outcome, op: eq, value: on time }] }
    denominator: { fn: count }
    polarity: higher_is_better
    owner: A
    service: B
  - id: C2
    title: On time, year to date
    unit: "%"
    type: percentage
    numerator: { fn: count, where: [{ field: outcome, op: eq, value: on time }] }
    denominator: { fn: count }
    accumulation: year_to_date
    polarity: higher_is_better
    owner: A
    service: B
  - { id: C3, title: Median days, type: median, value: { fn: median, field: days }, polarity: lower_is_better, owner: A, service: B }
`;
  const open = async (files: Record<string, string>) => {
    const ws = workspace({
      'lineofsight.yaml': `pipelines_dir: {{dir}}/pipelines\nstore: { client: sqlite, filename: {{dir}}/store.sqlite }\nsources:\n  exports: { client: csv, directory: {{dir}}/csv }\n`,
      'pipelines/cases.yaml': PIPELINE,
      ...files,
    });
    const config = await loadConfig(ws.config, {});
    const { store, ctx } = await openRun(config);
    return { ws, config, store, ctx, run: (period: string) => runPipeline(ctx, config.pipelines[0]!, config.calendar.within(config.calendar.parse(period), 'month')) };
  };

  it('computes year to date from monthly counts, and counts the malformed row', async () => {
    const { run, store } = await open({ 'csv/cases.csv': CSV });
    const runs = await run('2024-25-Q1');
    expect(runs.map((r) => [r.period.id, valueOf(r, 'C1')?.value, valueOf(r, 'C2')?.value, valueOf(r, 'C3')?.value])).toEqual([
      ['2024-04', 50, 50, 21.5],
      ['2024-05', (2 / 3) * 100, 60, 9],
      ['2024-06', 100, (4 / 6) * 100, 2],
    ]);
    expect(runs.map((r) => r.rowsRejected)).toEqual([1, 1, 1]);
    await store.close();
  });

  it('fails every period of a run when a column is missing, keeping the values stored before', async () => {
    const { ws, run, store } = await open({ 'csv/cases.csv': CSV });
    await run('2024-05');
    writeFileSync(ws.file('csv/cases.csv'), CSV.replace('Outcome', 'Result'));
    const [failed] = await run('2024-05');
    expect(failed?.outcome).toBe('failed');
    expect(failed?.error).toMatch(/cases\.csv.*outcome.*Outcome/s);
    expect((await store.runs.storedValues(['C1'])).map((v) => v.value)).toEqual([(2 / 3) * 100]);
    expect((await store.runs.runsOf('cases')).map((r) => r.outcome)).toEqual(['succeeded', 'failed']);
    await store.close();
  });

  it('stores nothing for a period the files no longer cover, so an archived export loses nothing', async () => {
    const { ws, run, store } = await open({ 'csv/cases.csv': CSV, 'csv/cases-2025.csv': 'Closed,Outcome,Days\r\n02/05/2025,late,4' });
    await run('2024-05');
    writeFileSync(ws.file('csv/cases.csv'), 'Closed,Outcome,Days\r\n');
    const [again] = await run('2024-05');
    expect(again).toMatchObject({ outcome: 'succeeded', rowsRead: 0 });
    expect(valueOf(again, 'C1')).toMatchObject({ value: null, reason: 'no rows in the CSV files for 2024-05' });
    expect((await store.runs.storedValues(['C1'], { includeRevised: true })).map((v) => v.value)).toEqual([(2 / 3) * 100]);
    await store.close();
  });

  it('fails when malformed rows pass the threshold, naming the file', async () => {
    const { run, store } = await open({ 'csv/cases.csv': `${CSV}\r\n31/02/2024,late,1` });
    const [r] = await run('2024-05');
    expect(r?.outcome).toBe('failed');
    expect(r?.error).toMatch(/cases\.csv/);
    // Per period: both rows without a readable date bear on April and May, the months C2's year to date reads.
    expect(r?.error).toMatch(/2 of 7 data rows for 2024-05 \(28\.6%\) are malformed/);
    expect(r).toMatchObject({ rowsRead: 3, rowsRejected: 2 });
    await store.close();
  });
});
