import knexFactory from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoreSettings } from '../src/config/schema.js';
import type { CheckResult } from '../src/quality/result.js';
import { RiskMatrix } from '../src/risk/matrix.js';
import type { RunRecord } from '../src/runs/record.js';
import { migrationSource } from '../src/store/migrations.js';
import { Store } from '../src/store/store.js';
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
  warnings: [],
});
const value = (indicatorId: string, v: number | null) => ({ indicatorId, value: v, numerator: null, denominator: null, reason: v === null ? 'no data' : null, dataQuality: 'passed' as const });

/** Reads the store as a dashboard does: its own connection, plain SQL on the tables and views. */
async function asDashboards<T>(config: StoreSettings, read: (db: ReturnType<typeof knexFactory>) => Promise<T>): Promise<T> {
  const db =
    config.client === 'sqlite'
      ? knexFactory({ client: 'better-sqlite3', connection: { filename: config.filename! }, useNullAsDefault: true })
      : knexFactory({ client: 'pg', connection: config.connection as string });
  try {
    return await read(db);
  } finally {
    await db.destroy();
  }
}

const stores: Store[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

describe.each([
  ['sqlite', async (): Promise<StoreSettings> => ({ client: 'sqlite', filename: workspace({}).file('data/store.sqlite') })],
  ['pg', async (): Promise<StoreSettings> => ({ client: 'pg', connection: await freshPostgres('lineofsight_test_store') })],
] as const)('the store on %s', (_name, configure) => {
  let store: Store;

  it('migrates once, then is up to date', async () => {
    store = new Store(await configure());
    stores.push(store);
    expect(await store.migrate()).toEqual(['001_runs_and_indicator_values', '002_data_quality', '003_judgements_and_risks', '004_run_warnings', '005_run_arrival', '006_store_locks', '007_metrics_reads', '008_risk_matrix', '009_exceptions_and_outbox', '010_scheduler', '011_clinic_packs']);
    expect(await store.migrate()).toEqual([]);
  });

  it('keeps the old value, timestamped, when a re-run changes it', async () => {
    await store.runs.recordRun(run('2024-05', '2024-06-02T06:00:00Z'), [value('FIN01', 91.5), value('FIN02', 10)]);
    const second = await store.runs.recordRun(run('2024-05', '2024-06-09T06:00:00Z'), [value('FIN01', 92.25), value('FIN02', 10)]);
    expect(second).toMatchObject({ added: 0, revised: 1, unchanged: 1 });

    const all = await store.runs.storedValues(['FIN01'], { includeRevised: true });
    expect(all.map((v) => [v.revision, v.value, v.recordedAt, v.supersededAt])).toEqual([
      [1, 91.5, '2024-06-02T06:00:00.000Z', '2024-06-09T06:00:00.000Z'],
      [2, 92.25, '2024-06-09T06:00:00.000Z', null],
    ]);
    expect((await store.runs.storedValues(['FIN01'])).map((v) => v.value)).toEqual([92.25]);
    expect(all[0]).toMatchObject({ periodId: '2024-05', periodStart: '2024-05-01', periodEnd: '2024-06-01', pipelineId: 'payments' });
  });

  it('writes a run all or nothing', async () => {
    const before = await store.runs.runsOf('payments');
    const broken = { ...value('FIN03', 1), indicatorId: null as unknown as string };
    await expect(store.runs.recordRun(run('2024-05', '2024-06-10T06:00:00Z'), [value('FIN01', 50), broken])).rejects.toThrow();
    expect(await store.runs.runsOf('payments')).toEqual(before);
    expect((await store.runs.storedValues(['FIN01'])).map((v) => v.value)).toEqual([92.25]);
  });

  it('records a failed run with its error and leaves values alone', async () => {
    await store.runs.recordRunWithoutValues({ ...run('2024-05', '2024-06-11T06:00:00Z'), outcome: 'failed', error: 'source finance: ECONNREFUSED' });
    const runs = await store.runs.runsOf('payments', '2024-05');
    expect(runs.at(-1)).toMatchObject({ outcome: 'failed', error: 'source finance: ECONNREFUSED', startedAt: '2024-06-11T06:00:00.000Z' });
    expect((await store.runs.storedValues(['FIN01'])).map((v) => v.value)).toEqual([92.25]);
  });

  it('keeps a failed-check log entry per check and period through its life', async () => {
    const result = (status: CheckResult['status'], failing: number): CheckResult => ({
      checkId: 'invoices-unique', type: 'unique', severity: 'error', status, failing, checked: 400, share: (failing / 400) * 100,
      sample: failing ? [{ invoice_number: 'INV1', copies: 2, photo: '<binary, 9 bytes>' }] : [], message: `${failing} failing`,
    });
    const at = (day: number) => `2024-07-${String(day).padStart(2, '0')}T06:00:00Z`;
    const record = (day: number, r: CheckResult) =>
      store.runs.recordRun(run('2024-06', at(day)), [{ ...value('FIN20', 1), dataQuality: r.status === 'failed' ? 'failed' : 'passed' }], { source: 'finance', results: [r] });

    const first = await record(1, result('failed', 3));
    await record(2, result('failed', 3));
    let [entry] = await store.checkLog.checkLog({ pipelineId: 'payments' });
    expect(entry).toMatchObject({
      checkId: 'invoices-unique', checkType: 'unique', source: 'finance', periodId: '2024-06', severity: 'error', status: 'open',
      consecutiveFailures: 2, failingCount: 3, failingShare: 0.75, firstFailedAt: '2024-07-01T06:00:00.000Z', lastFailedAt: '2024-07-02T06:00:00.000Z',
      sample: [{ invoice_number: 'INV1', copies: 2, photo: '<binary, 9 bytes>' }],
    });
    const acked = await store.checkLog.acknowledgeCheck(entry!.id, 'Known duplicate from the August upgrade', new Date(at(3)));
    expect(acked).toMatchObject({ status: 'acknowledged', ackNote: 'Known duplicate from the August upgrade', acknowledgedFailingCount: 3 });

    await record(4, result('failed', 3));
    [entry] = await store.checkLog.checkLog({ status: 'acknowledged' });
    expect(entry).toMatchObject({ status: 'acknowledged', consecutiveFailures: 3 });
    await record(5, result('failed', 4));
    [entry] = await store.checkLog.checkLog({ status: 'open' });
    expect(entry).toMatchObject({ status: 'open', failingCount: 4, ackNote: 'Known duplicate from the August upgrade' });
    await record(6, result('passed', 0));
    expect(await store.checkLog.checkLog({ status: 'open' })).toEqual([]);
    [entry] = await store.checkLog.checkLog({ status: 'resolved', since: '2024-07-05T00:00:00Z' });
    expect(entry).toMatchObject({ status: 'resolved', resolvedAt: '2024-07-06T06:00:00.000Z', failingCount: 4 });

    const shown = await store.checkLog.checkLogEntry(entry!.id);
    expect(shown?.runs.map((r) => [r.status, r.failingCount])).toEqual([['failed', 3], ['failed', 3], ['failed', 3], ['failed', 4], ['passed', 0]]);
    expect(shown?.runs[0]?.runId).toBe(first.runId);
    expect((await store.runs.checkResults([first.runId])).map((r) => [r.checkId, r.status, r.failing])).toEqual([['invoices-unique', 'failed', 3]]);
    // The documented view dashboards read, on a connection of their own.
    const viewed = await asDashboards(store.config, (db) => db('failed_check_log').where('id', entry!.id).first());
    expect(Object.keys(viewed).sort()).toEqual(
      ['id', 'check_id', 'check_type', 'pipeline_id', 'source', 'period_id', 'period_start', 'severity', 'status', 'first_failed_at', 'last_failed_at', 'resolved_at', 'consecutive_failures', 'failing_count', 'failing_share', 'message', 'sample', 'ack_note', 'acknowledged_at'].sort(),
    );
    expect(viewed).toMatchObject({ check_id: 'invoices-unique', status: 'resolved', failing_count: 4 });
    await expect(store.checkLog.acknowledgeCheck(entry!.id, 'too late', new Date())).rejects.toThrow(/resolved/);
    expect(await store.checkLog.acknowledgeCheck(99_999, 'none', new Date())).toBeUndefined();

    // The data-quality flag is part of the value: a change of flag is a new revision.
    const revisions = await store.runs.storedValues(['FIN20'], { includeRevised: true });
    expect(revisions.map((v) => v.dataQuality)).toEqual(['failed', 'passed']);
  });

  it("keeps each check's result for its latest period, one row per check: a backfill leaves it, a run of an earlier id never overwrites it", async () => {
    const result = (checkId: string, status: 'passed' | 'failed', failing: number): CheckResult => ({ checkId, type: 'not_null', severity: 'error', status, failing, checked: 10, share: failing * 10, sample: [], message: status });
    const other = { ...run('2024-11', '2024-12-01T06:00:00Z'), pipelineId: 'ledger' };
    const states = async () => (await store.runs.latestCheckResults()).filter((c) => ['supplier-present', 'amount-present'].includes(c.checkId)).map((c) => [c.pipelineId, c.checkId, c.periodId, c.status, c.failing]).sort();
    await store.runs.recordRun(run('2024-11', '2024-12-01T06:00:00Z'), [], { source: 'finance', results: [result('supplier-present', 'failed', 2), result('amount-present', 'passed', 0)] });
    await store.runs.recordRun(other, [], { source: 'finance', results: [result('supplier-present', 'passed', 0)] });
    const december = await store.runs.recordRun(run('2024-12', '2025-01-01T06:00:00Z'), [], { source: 'finance', results: [result('supplier-present', 'passed', 0)] });
    const expected = [
      ['ledger', 'supplier-present', '2024-11', 'passed', 0],
      ['payments', 'amount-present', '2024-11', 'passed', 0],
      ['payments', 'supplier-present', '2024-12', 'passed', 0],
    ];
    expect(await states()).toEqual(expected);
    // A backfill of an earlier period, run later: the latest period's result stands.
    await store.runs.recordRun(run('2024-10', '2025-01-02T06:00:00Z'), [], { source: 'finance', results: [result('supplier-present', 'failed', 7)] });
    expect(await states()).toEqual(expected);
    // A run of the same period that took its id before another but commits after it: its result is the older one.
    await asDashboards(store.config, (db) => db('check_states').where({ check_id: 'supplier-present', pipeline_id: 'payments' }).update({ run_id: december.runId + 1000, status: 'warned' }));
    await store.runs.recordRun(run('2024-12', '2025-01-03T06:00:00Z'), [], { source: 'finance', results: [result('supplier-present', 'failed', 5)] });
    expect((await states()).find((c) => c[0] === 'payments' && c[1] === 'supplier-present')?.[3]).toBe('warned');
    // A later period replaces it.
    await store.runs.recordRun(run('2025-01', '2025-02-01T06:00:00Z'), [], { source: 'finance', results: [result('supplier-present', 'failed', 5)] });
    expect((await states()).find((c) => c[0] === 'payments' && c[1] === 'supplier-present')).toEqual(['payments', 'supplier-present', '2025-01', 'failed', 5]);
  });

  it('moves its change mark at every write a reader must see, and at nothing else', async () => {
    const mark = await store.changeMark();
    expect(await store.changeMark()).toBe(mark);
    await store.runs.storedValues(['FIN10']);
    expect(await store.changeMark()).toBe(mark);
    await store.runs.recordRun(run('2025-02', '2025-03-01T06:00:00Z'), [value('MARK1', 1)], { source: 'finance', results: [{ checkId: 'mark-check', type: 'not_null', severity: 'warn', status: 'failed', failing: 1, checked: 1, share: 100, sample: [], message: 'x' }] });
    const afterRun = await store.changeMark();
    expect(afterRun).not.toBe(mark);
    const [entry] = await store.checkLog.checkLog({ status: 'open', pipelineId: 'payments' });
    await store.checkLog.acknowledgeCheck(entry!.id, 'known', new Date('2025-03-02T06:00:00Z'));
    const afterAck = await store.changeMark();
    expect(afterAck).not.toBe(afterRun);
    await store.risks.recordRiskPosition({ riskId: 'MARK-R', assessedAt: '2025-03-03T06:00:00.000Z', likelihood: 'B', impact: 'II', score: 20, aboveTolerance: true, movedByTriggers: true, evidence: [] });
    expect(await store.changeMark()).not.toBe(afterAck);
  });

  it('keeps one log entry when runs of a period record at once, and loses no acknowledgement', async () => {
    const result = (failing: number): CheckResult => ({
      checkId: 'ledger-reconciles', type: 'reconciliation', severity: 'error', status: 'failed', failing, checked: null, share: null, sample: [], message: 'differs',
    });
    const record = (i: number) =>
      store.runs.recordRun(run('2024-09', `2024-10-0${i}T06:00:00Z`), [{ ...value('FIN30', i), dataQuality: 'failed' }], { source: 'finance', results: [result(1)] });
    await Promise.all([record(1), record(2), record(3)]);
    const entries = await store.checkLog.checkLog({ pipelineId: 'payments', status: 'all' });
    const mine = entries.filter((e) => e.checkId === 'ledger-reconciles');
    expect(mine).toHaveLength(1);
    expect((await store.checkLog.checkLogEntry(mine[0]!.id))?.runs).toHaveLength(3);

    await Promise.all([store.checkLog.acknowledgeCheck(mine[0]!.id, 'agreed with finance', new Date('2024-10-05T00:00:00Z')), record(4)]);
    await record(5);
    expect((await store.checkLog.checkLogEntry(mine[0]!.id))?.entry).toMatchObject({ status: 'acknowledged', ackNote: 'agreed with finance' });
  });

  it('keeps a null value with its reason', async () => {
    await store.runs.recordRun(run('2024-04', '2024-05-02T06:00:00Z'), [value('FIN09', null)]);
    expect(await store.runs.storedValues(['FIN09'])).toMatchObject([{ value: null, reason: 'no data' }]);
  });
  it('keeps every cell of the matrix and every risk of the register assessed on, the same rows however many assess at once, and only the newest', async () => {
    const bands = (names: string[]) => names.map((band, i) => ({ band, label: `${band} label`, score: names.length - i }));
    const risk = (id: string) => ({ id, title: `${id} title`, owner: 'An Owner', clinic: 'Place' });
    const three = { matrix: new RiskMatrix(bands(['A', 'B', 'C']), bands(['I', 'II']), {}, { score: 4 }), risks: [risk('R1'), risk('R2')] };
    const at = new Date('2025-04-01T06:00:00Z');
    await Promise.all([store.risks.recordRegister(three, at), store.risks.recordRegister(three, at), store.risks.recordRegister(three, at)]);
    const cells = () => asDashboards(store.config, (db) => db('risk_matrix_cells').orderBy(['likelihood_rank', 'impact_rank']).select('likelihood', 'likelihood_label', 'likelihood_rank', 'impact', 'impact_rank', 'score', 'above_tolerance'));
    const risks = () => asDashboards(store.config, (db) => db('risk_register').orderBy('risk_id').select('risk_id', 'title', 'owner', 'clinic'));
    expect((await cells()).map((c) => [c.likelihood, c.impact, c.likelihood_rank, c.impact_rank, Number(c.score), Boolean(c.above_tolerance)])).toEqual([
      ['A', 'I', 0, 0, 6, true],
      ['A', 'II', 0, 1, 3, false],
      ['B', 'I', 1, 0, 4, true],
      ['B', 'II', 1, 1, 2, false],
      ['C', 'I', 2, 0, 2, false],
      ['C', 'II', 2, 1, 1, false],
    ]);
    expect((await cells())[0]).toMatchObject({ likelihood_label: 'A label' });
    expect(await risks()).toEqual([{ risk_id: 'R1', title: 'R1 title', owner: 'An Owner', clinic: 'Place' }, { risk_id: 'R2', title: 'R2 title', owner: 'An Owner', clinic: 'Place' }]);
    // The register loses its least likely band, moves its line and retires a risk: the store's follows.
    await store.risks.recordRegister({ matrix: new RiskMatrix(bands(['A', 'B']), bands(['I', 'II']), {}, { cells: ['A/I'] }), risks: [{ ...risk('R2'), owner: 'A New Owner' }] }, at);
    expect((await cells()).map((c) => `${c.likelihood}/${c.impact} ${Boolean(c.above_tolerance)}`)).toEqual(['A/I true', 'A/II false', 'B/I false', 'B/II false']);
    expect(await risks()).toEqual([{ risk_id: 'R2', title: 'R2 title', owner: 'A New Owner', clinic: 'Place' }]);
    await store.risks.recordRegister({ ...three, risks: [] }, at);
    expect(await risks()).toEqual([]);
  });

  it('writes across its parts atomically when asked: all of a transaction or none of it', async () => {
    const attempt = store.transaction(async (tx) => {
      await tx.runs.recordRun(run('2024-11', '2024-12-02T06:00:00Z'), [value('FIN40', 1)]);
      await tx.risks.recordRiskPosition({ riskId: 'TX-R1', assessedAt: '2024-12-02T06:00:00.000Z', likelihood: 'B', impact: 'II', score: 15, aboveTolerance: true, movedByTriggers: true, evidence: [] });
      throw new Error('the outbox could not be written');
    });
    await expect(attempt).rejects.toThrow('the outbox could not be written');
    expect(await store.runs.storedValues(['FIN40'])).toEqual([]);
    expect(await store.risks.riskHistory('TX-R1')).toEqual([]);

    await store.transaction(async (tx) => {
      await tx.runs.recordRun(run('2024-11', '2024-12-02T06:00:00Z'), [value('FIN40', 1)]);
      await tx.risks.recordRiskPosition({ riskId: 'TX-R1', assessedAt: '2024-12-02T06:00:00.000Z', likelihood: 'B', impact: 'II', score: 15, aboveTolerance: true, movedByTriggers: true, evidence: [] });
    });
    expect(await store.runs.storedValues(['FIN40'])).toMatchObject([{ value: 1, periodStart: '2024-11-01' }]);
    expect(await store.risks.riskHistory('TX-R1')).toMatchObject([{ likelihood: 'B', movedByTriggers: true }]);
  });
});

describe.each([
  ['sqlite', async () => ({ client: 'sqlite' as const, filename: workspace({}).file('store.sqlite') })],
  ['pg', async () => ({ client: 'pg' as const, connection: await freshPostgres('lineofsight_test_store_backfill') })],
])('a %s store migrated before check_states', (_name, configure) => {
  it("is given each check's latest result from the results it already holds", async () => {
    const config = await configure();
    const db = config.client === 'sqlite' ? knexFactory({ client: 'better-sqlite3', connection: { filename: config.filename }, useNullAsDefault: true }) : knexFactory({ client: 'pg', connection: config.connection });
    try {
      const before = (await migrationSource.getMigrations([])).filter((m) => m.name < '007');
      await db.migrate.latest({ migrationSource: { ...migrationSource, getMigrations: async () => before } });
      const insertRun = async (pipeline: string, period: string, at: string) => {
        const [row] = await db('runs').insert({ pipeline_id: pipeline, period_id: period, period_start: `${period}-01`, period_end: `${period}-28`, started_at: at, finished_at: at, outcome: 'succeeded', rows_read: 1, rows_rejected: 0 }).returning('id');
        return Number(typeof row === 'object' ? row.id : row);
      };
      const result = (runId: number, check: string, status: string, failing: number) => ({ run_id: runId, check_id: check, check_type: 'not_null', status, severity: 'error', failing_count: failing, checked_count: 10, failing_share: null, message: status });
      const a = await insertRun('payments', '2024-05', '2024-06-01T06:00:00.000Z');
      const b = await insertRun('payments', '2024-06', '2024-07-01T06:00:00.000Z');
      const c = await insertRun('ledger', '2024-06', '2024-07-01T07:00:00.000Z');
      // A backfill of May after June: June's result is still the latest period's.
      const backfill = await insertRun('payments', '2024-05', '2024-07-02T06:00:00.000Z');
      await db('check_results').insert([result(a, 'present', 'failed', 3), result(b, 'present', 'passed', 0), result(a, 'unique', 'failed', 1), result(c, 'present', 'warned', 2), result(backfill, 'present', 'failed', 9)]);
    } finally {
      await db.destroy();
    }
    const store = new Store(config);
    stores.push(store);
    expect(await store.migrate()).toEqual(['007_metrics_reads', '008_risk_matrix', '009_exceptions_and_outbox', '010_scheduler', '011_clinic_packs']);
    expect((await store.runs.latestCheckResults()).map((r) => [r.pipelineId, r.checkId, r.periodId, r.status, r.failing]).sort()).toEqual([
      ['ledger', 'present', '2024-06', 'warned', 2],
      ['payments', 'present', '2024-06', 'passed', 0],
      ['payments', 'unique', '2024-05', 'failed', 1],
    ]);
  });
});
