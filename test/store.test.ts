import { afterAll, describe, expect, it } from 'vitest';
import type { StoreConfig } from '../src/config/schema.js';
import { Store, type RunRecord } from '../src/store/store.js';
import { freshPostgres } from './helpers/databases.js';
import { workspace } from './helpers/workspace.js';

const run = (periodId: string, at: string): RunRecord => ({
  pipelineId: 'payments',
  periodId,
  periodStart: `${periodId}-01`,
  periodEnd: '2024-06-01',
  startedAt: new Date(at),
  finishedAt: new Date(at),
  outcome: 'succeeded',
  error: null,
  rowsRead: 1,
  rowsRejected: 0,
});
const value = (indicatorId: string, v: number | null) => ({ indicatorId, value: v, numerator: null, denominator: null, reason: v === null ? 'no data' : null });

const stores: Store[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

describe.each([
  ['sqlite', async (): Promise<StoreConfig> => ({ client: 'sqlite', filename: workspace({}).file('data/store.sqlite') })],
  ['pg', async (): Promise<StoreConfig> => ({ client: 'pg', connection: await freshPostgres('lineofsight_test_store') })],
] as const)('the store on %s', (_name, configure) => {
  let store: Store;

  it('migrates once, then is up to date', async () => {
    store = new Store(await configure());
    stores.push(store);
    expect(await store.migrate()).toEqual(['001_runs_and_indicator_values']);
    expect(await store.migrate()).toEqual([]);
  });

  it('keeps the old value, timestamped, when a re-run changes it', async () => {
    await store.recordRun(run('2024-05', '2024-06-02T06:00:00Z'), [value('FIN01', 91.5), value('FIN02', 10)]);
    const second = await store.recordRun(run('2024-05', '2024-06-09T06:00:00Z'), [value('FIN01', 92.25), value('FIN02', 10)]);
    expect(second).toMatchObject({ added: 0, revised: 1, unchanged: 1 });

    const all = await store.storedValues(['FIN01'], { includeRevised: true });
    expect(all.map((v) => [v.revision, v.value, v.recordedAt, v.supersededAt])).toEqual([
      [1, 91.5, '2024-06-02T06:00:00.000Z', '2024-06-09T06:00:00.000Z'],
      [2, 92.25, '2024-06-09T06:00:00.000Z', null],
    ]);
    expect((await store.storedValues(['FIN01'])).map((v) => v.value)).toEqual([92.25]);
    expect(all[0]).toMatchObject({ periodId: '2024-05', periodStart: '2024-05-01', periodEnd: '2024-06-01', pipelineId: 'payments' });
  });

  it('writes a run all or nothing', async () => {
    const before = await store.runsOf('payments');
    const broken = { ...value('FIN03', 1), indicatorId: null as unknown as string };
    await expect(store.recordRun(run('2024-05', '2024-06-10T06:00:00Z'), [value('FIN01', 50), broken])).rejects.toThrow();
    expect(await store.runsOf('payments')).toEqual(before);
    expect((await store.storedValues(['FIN01'])).map((v) => v.value)).toEqual([92.25]);
  });

  it('records a failed run with its error and leaves values alone', async () => {
    await store.recordFailedRun({ ...run('2024-05', '2024-06-11T06:00:00Z'), outcome: 'failed', error: 'source finance: ECONNREFUSED' });
    const runs = await store.runsOf('payments', '2024-05');
    expect(runs.at(-1)).toMatchObject({ outcome: 'failed', error: 'source finance: ECONNREFUSED', startedAt: '2024-06-11T06:00:00.000Z' });
    expect((await store.storedValues(['FIN01'])).map((v) => v.value)).toEqual([92.25]);
  });

  it('keeps a null value with its reason', async () => {
    await store.recordRun(run('2024-04', '2024-05-02T06:00:00Z'), [value('FIN09', null)]);
    expect(await store.storedValues(['FIN09'])).toMatchObject([{ value: null, reason: 'no data' }]);
  });
});
