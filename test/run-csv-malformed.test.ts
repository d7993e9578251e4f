import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { silentLogger, type Logger } from '../src/logger.js';
import { runPipeline } from '../src/runs/execute.js';
import { freshMysql, freshPostgres } from './helpers/databases.js';
import { openRun } from './helpers/run.js';
import { workspace } from './helpers/workspace.js';

const CSV_PIPELINE = (extra = '') => `
id: spend
title: Spend
source: exports
schedule: "0 6 * * *"
frequency: monthly
historical: true # exports that will not grow: these tests are of their rows, not of data arrival
csv:
  files: "*.csv"
  fields:
    paid: { header: Payment Date, type: date }
    amount: { header: Net Amount, type: amount }
    supplier: { header: Name }
  date: paid
${extra}
indicators:
  - { id: SP1, title: Spend, unit: "£", type: sum, value: { fn: sum, field: amount }, polarity: none, owner: Sam, service: Finance }
  - { id: SP2, title: Spend to date, unit: "£", type: sum, value: { fn: sum, field: amount }, accumulation: year_to_date, polarity: none, owner: Sam, service: Finance }
`;

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

/** A CSV pipeline over `files`, run for April 2024 (or `period`), with the log lines it wrote. */
async function runCsv(files: Record<string, string>, period = '2024-04', pipeline = CSV_PIPELINE()) {
  const ws = workspace({
    'lineofsight.yaml': 'pipelines_dir: {{dir}}/pipelines\nstore: { client: sqlite, filename: {{dir}}/store.sqlite }\nsources:\n  exports: { client: csv, directory: {{dir}}/csv }\n',
    'pipelines/spend.yaml': pipeline,
    ...Object.fromEntries(Object.entries(files).map(([name, text]) => [`csv/${name}`, text])),
  });
  const config = await loadConfig(ws.config, {});
  const { store, sources, close } = await openRun(config);
  closers.push(close);
  const lines: string[] = [];
  const logger: Logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const [run] = await runPipeline({ config, sources, logger, ...store.forRuns() }, config.pipelines[0]!, [config.calendar.parse(period)]);
  return { run: run!, store, lines, dir: ws.dir };
}

const header = 'Payment Date,Net Amount,Name\n';
const good = (n: number) => Array.from({ length: n }, (_, i) => `01/04/2024,${i + 1},S${i}\n`).join('');

describe('malformed CSV rows in a run', () => {
  it('fails a period whose every row is malformed, saying how many it rejected', async () => {
    const { run } = await runCsv({ 'a.csv': `${header}01/04/2024,1,000.50,A\n02/04/2024,2,000.00,B\n` });
    expect(run).toMatchObject({ outcome: 'failed', rowsRead: 0, rowsRejected: 2 });
    expect(run.error).toMatch(/^2 of 2 data rows for 2024-04 \(100\.0%\) are malformed, more than max_malformed 1% allows/);
  });

  it('fails a period past 1% malformed by default, and makes any malformed row at least a warning', async () => {
    const over = await runCsv({ 'a.csv': `${header}${good(98)}x,1,A\n02/04/2024,lots,B\n` });
    expect(over.run).toMatchObject({ outcome: 'failed', rowsRead: 98, rowsRejected: 2 });

    const { run, store } = await runCsv({ 'a.csv': `${header}${good(199)}02/04/2024,lots,B\n` });
    expect(run).toMatchObject({ outcome: 'succeeded', rowsRead: 199, rowsRejected: 1, dataQuality: 'warned' });
    expect(run.warnings).toEqual([expect.stringMatching(/^1 malformed row left out of 2024-04, the first .*a\.csv line 201: amount "lots" is not an amount$/)]);
    expect((await store.runs.runsOf('spend'))[0]?.warnings).toEqual(run.warnings);
    expect(run.values[0]).toMatchObject({ value: (199 * 200) / 2, dataQuality: 'warned' });
  });

  it("weighs rows left out of a year-to-date value's earlier months against that period", async () => {
    const { run } = await runCsv({ 'a.csv': `${header}${good(150)}02/04/2024,lots,B\n01/05/2024,10,C\n` }, '2024-05');
    expect(run).toMatchObject({ outcome: 'succeeded', rowsRead: 1, rowsRejected: 1, dataQuality: 'warned' });
    expect(run.values.find((v) => v.indicatorId === 'SP2')?.value).toBe((150 * 151) / 2 + 10);
  });

  it('names the pipeline once in each log line', async () => {
    const { lines } = await runCsv({ 'a.csv': `${header}${good(199)}02/04/2024,lots,B\n` });
    const malformed = lines.filter((l) => l.includes('malformed CSV row'));
    expect(malformed).toHaveLength(1);
    for (const line of lines) expect(line.match(/"pipeline":/g) ?? [], line).toHaveLength(1);
  });

  it('goes on without a file it cannot read, naming it, and warns of every period it computed', async () => {
    const { run, dir } = await runCsv({ 'a.csv': `${header}01/04/2024,5,A\n`, 'b.csv': `${header}02/04/2024,6,"B\n` });
    expect(run).toMatchObject({ outcome: 'succeeded', dataQuality: 'warned' });
    expect(run.values[0]?.value).toBe(5);
    expect(run.warnings).toEqual([`left out ${dir}/csv/b.csv, which could not be read: ${dir}/csv/b.csv: line 2: a quoted cell is never closed`]);
  });

  describe('in a live export, which can await its data', () => {
    const live = CSV_PIPELINE().replace(/^historical: true.*$/m, '');

    it('counts a malformed row with a readable date as arrived: a broken month fails, it does not wait', async () => {
      const { run } = await runCsv({ 'a.csv': `${header}${good(3).replaceAll('01/04/2024', '30/04/2024')}30/04/2024,lots,B\n30/04/2024,1,000.50,C\n` }, '2024-04', live);
      expect(run).toMatchObject({ outcome: 'failed', rowsRead: 3, rowsRejected: 2 });
      expect(run.error).toMatch(/^2 of 5 data rows for 2024-04 \(40\.0%\) are malformed/);
    });

    it('fails, rather than waits, when no row has a date to read', async () => {
      const { run } = await runCsv({ 'a.csv': `${header}someday,1,A\nlater,2,B\n` }, '2024-04', live);
      expect(run).toMatchObject({ outcome: 'failed', rowsRejected: 2 });
      expect(run.error).toMatch(/^the files hold 2 malformed rows and no readable paid, so it cannot be told whether any period's data has arrived; the first, .*a\.csv line 2: paid "someday" is not a date/);
    });
  });
});

const SQL_PIPELINE = (query: string, indicator: string) => `
id: numbers
title: Numbers
source: db
schedule: "0 6 * * *"
frequency: monthly
query: ${JSON.stringify(query)}
indicators:
  - ${indicator}
`;

/** A database pipeline with one query, run for April 2024. */
async function runSql(client: 'sqlite' | 'pg' | 'mysql', query: string, indicator: string) {
  const ws = workspace({ 'pipelines/numbers.yaml': SQL_PIPELINE(query, indicator) });
  const connection = client === 'sqlite' ? ws.file('db.sqlite') : client === 'pg' ? await freshPostgres('lineofsight_test_numbers') : await freshMysql('lineofsight_test_numbers');
  if (client === 'sqlite') new Database(connection).close();
  writeFileSync(ws.config, `pipelines_dir: ${ws.dir}/pipelines\nstore: { client: sqlite, filename: ${ws.dir}/store.sqlite }\nsources:\n  db: { client: ${client}, connection: "${connection}" }\n`);
  const config = await loadConfig(ws.config, {});
  const { store, sources, close } = await openRun(config);
  try {
    const [run] = await runPipeline({ config, sources, logger: silentLogger, ...store.forRuns() }, config.pipelines[0]!, [config.calendar.parse('2024-04')]);
    return run!;
  } finally {
    // Closed at once: the next case drops and recreates the same database.
    await close();
  }
}

const RATIO = '{ id: N1, title: Ratio, type: ratio, numerator: n, denominator: d, polarity: higher_is_better, owner: Sam, service: Finance }';
const VALUE = '{ id: N2, title: Value, type: value, value: v, polarity: higher_is_better, owner: Sam, service: Finance }';

describe('numbers from a database that a double cannot hold', () => {
  it.each(['sqlite', 'pg'] as const)('fails the run, naming the columns, rather than store Infinity (%s)', async (client) => {
    // Doubles on both: PostgreSQL's 1e308 alone is a numeric, an integer past 2^53, refused as that.
    const run = await runSql(client, client === 'pg' ? 'SELECT 1e308::float8 AS n, 1e-308::float8 AS d' : 'SELECT 1e308 AS n, 1e-308 AS d', RATIO);
    expect(run.outcome).toBe('failed');
    expect(run.error).toMatch(/^indicator N1 \(numerator "n", denominator "d"\): the ratio of 1e\+308 over 1e-308 is not a finite number$/);
  });

  it.each([
    ['pg', 'SELECT 9007199254740993::bigint AS v'],
    ['mysql', 'SELECT CAST(9007199254740993 AS UNSIGNED) AS v'],
    ['sqlite', 'SELECT 9007199254740993 AS v'],
  ] as const)('refuses an integer beyond 2^53 rather than round it (%s)', async (client, query) => {
    const run = await runSql(client, query, VALUE);
    expect(run).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/column "v" is "9007199254740993", beyond 2\^53/) });
  });

  it.each(['sqlite', 'pg', 'mysql'] as const)('refuses a result with two columns of one name (%s)', async (client) => {
    const run = await runSql(client, 'SELECT 1 AS v, 2 AS v', VALUE);
    expect(run).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/more than one column named "v"/) });
  });
});
