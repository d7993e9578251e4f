import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { rateHistory } from '../src/judging/rateHistory.js';
import { silentLogger } from '../src/logger.js';
import { runPipeline } from '../src/runs/execute.js';
import type { RunRecord } from '../src/runs/record.js';
import { repairsPipeline } from './helpers/risks.js';
import { openRun } from './helpers/run.js';
import { workspace } from './helpers/workspace.js';

const PIPELINE = repairsPipeline('db', 40, 'id: HR02\n    replaces: [HR01]');

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

describe('a replaced indicator id beside its successor', () => {
  it("judges against the successor's own value where both hold one for a period, on both judging paths", async () => {
    const ws = workspace({
      'lineofsight.yaml': 'pipelines_dir: {{dir}}/pipelines\nstore: { client: sqlite, filename: {{dir}}/store.sqlite }\nsources:\n  db: { client: sqlite, connection: {{dir}}/db.sqlite }\n',
      'pipelines/repairs.yaml': PIPELINE,
    });
    new Database(ws.file('db.sqlite')).close();
    const config = await loadConfig(ws.config, {});
    const { store, sources, close } = await openRun(config);
    closers.push(close);
    const april = config.calendar.parse('2024-04');
    const run = (at: string): RunRecord => ({ pipelineId: 'repairs', periodId: april.id, periodStart: april.start, periodEnd: april.end, startedAt: new Date(at), finishedAt: new Date(at), outcome: 'succeeded', error: null, rowsRead: 1, rowsRejected: 0, warnings: [] });
    // The old id's April is stored first, so a store that returns rows as they were written gives it first.
    await store.runs.recordRun(run('2024-05-02T06:00:00Z'), [{ indicatorId: 'HR01', value: 10, numerator: null, denominator: null, reason: null, dataQuality: 'passed' }]);
    await store.runs.recordRun(run('2024-05-03T06:00:00Z'), [{ indicatorId: 'HR02', value: 50, numerator: null, denominator: null, reason: null, dataQuality: 'passed' }]);

    const [may] = await runPipeline({ config, sources, logger: silentLogger, ...store.forRuns() }, config.pipelines[0]!, [config.calendar.parse('2024-05')]);
    // 40 after the successor's own 50 is worse; after the old id's 10 it would be better.
    expect(may?.values[0]?.judgement?.directionPrevious).toBe('worsening');

    const rated = rateHistory(config, await store.runs.valueSeries()).get('HR02');
    expect(rated?.map((v) => [v.periodId, v.value, v.direction])).toEqual([
      ['2024-04', 50, null],
      ['2024-05', 40, 'worsening'],
    ]);
  });
});
