import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../src/config/load.js';
import { formatValue } from '../src/indicators/format.js';
import { suspicion, type EarlierValue } from '../src/quality/suspect.js';
import { failedCheckLog } from '../src/report/logEntries.js';
import { runPipeline } from '../src/runs/execute.js';
import { knexFor } from './helpers/databases.js';
import { openRun } from './helpers/run.js';
import { workspace } from './helpers/workspace.js';

const months = (values: number[]): EarlierValue[] => values.map((value, i) => ({ periodId: `2026-0${i + 4}`, value }));
const percent = (x: number) => formatValue(x, '%', 1);

describe('suspect values', () => {
  it.each([
    ['0 after six months far from it', 0, [97.9, 98.4, 99.6, 98.8, 99.1, 98.2], '0 after six months between 97.9% and 99.6%: is the data missing?'],
    ['0 where the median of the six is 0', 0, [0, 0, 0, 2, 0, 1], undefined],
    ['0 within three median absolute deviations', 0, [1, 9, 2, 8, 1, 10], undefined],
    ['0 after six equal months', 0, [5, 5, 5, 5, 5, 5], '0 after six months between 5.0% and 5.0%: is the data missing?'],
    ['a low value that is not exactly 0', 0.1, [97.9, 98.4, 99.6, 98.8, 99.1, 98.2], undefined],
    ['the previous value again after six that all differed', 98.2, [97.9, 98.4, 99.6, 98.8, 99.1, 98.2], '98.2% again, exactly the value of 2026-09, after six months that all differed: is the data a copy of the last month\'s?'],
    ['the previous value again where two of the six were equal', 98.2, [97.9, 98.4, 97.9, 98.8, 99.1, 98.2], undefined],
    ['a value equal to an earlier one, not the previous', 98.4, [97.9, 98.4, 99.6, 98.8, 99.1, 98.2], undefined],
    ['fewer than six earlier values', 0, [97.9, 98.4, 99.6, 98.8, 99.1], undefined],
  ])('%s', (_name, value, earlier, expected) => {
    expect(suspicion(value, months(earlier), 'month', percent)).toBe(expected);
  });

  it('weighs only the six values just before, and names quarters as quarters', () => {
    const quarters = [40, 0, 0, 0, 55, 61, 58, 49, 52, 60].map((value, i) => ({ periodId: `Q${i}`, value }));
    expect(suspicion(0, quarters, 'quarter', String)).toBe('0 after six quarters between 49 and 61: is the data missing?');
  });
});

const PIPELINE = `
id: calls
title: Calls
source: calls_db
schedule: "0 6 * * *"
frequency: monthly
query: |
  SELECT COALESCE(SUM(answered), 0) AS answered, COALESCE(SUM(offered), 0) AS offered, COALESCE(SUM(complaints), 0) AS complaints
  FROM calls WHERE month >= :period_start AND month < :period_end
indicators:
  - { id: CC1, title: Calls answered, unit: "%", type: percentage, numerator: answered, denominator: offered, decimals: 1, polarity: higher_is_better, owner: A, service: Contact, targets: [{ from: 2024-25, value: 90 }] }
  - { id: CC2, title: Complaints about calls, type: count, value: complaints, polarity: lower_is_better, owner: A, service: Contact, suspect_values: false, targets: [{ from: 2024-25, value: 3 }] }
  - { id: CC3, title: Calls offered, type: count, value: offered, polarity: none, owner: A, service: Contact }
`;

describe('the built-in suspect-values check in a run', () => {
  let config: LoadedConfig;
  let open: Awaited<ReturnType<typeof openRun>>;

  beforeAll(async () => {
    const ws = workspace({
      'lineofsight.yaml': 'pipelines_dir: {{dir}}/pipelines\nstore: { client: sqlite, filename: {{dir}}/store.sqlite }\nsources:\n  calls_db: { client: sqlite, connection: "{{dir}}/calls.sqlite" }\n',
      'pipelines/calls.yaml': PIPELINE,
    });
    // Six months of answered calls between 91% and 96%, then October's extract holds offered calls but none answered.
    const answered = [920, 951, 938, 960, 912, 944, 0];
    const db = knexFor('sqlite', ws.file('calls.sqlite'));
    await db.schema.createTable('calls', (t) => {
      t.date('month');
      t.integer('answered');
      t.integer('offered');
      t.integer('complaints');
    });
    await db('calls').insert(answered.map((a, i) => ({ month: `2024-${String(i + 4).padStart(2, '0')}-01`, answered: a, offered: 1000, complaints: i === 0 ? 1 : 0 })));
    await db.destroy();
    config = await loadConfig(ws.config, {});
    open = await openRun(config);
  });
  afterAll(() => open.close());

  it('flags 0 after six months far from it, warns its value alone, and opens a log entry that can be acknowledged', async () => {
    const runs = await runPipeline(open.ctx, config.pipelines[0]!, config.calendar.range(config.calendar.parse('2024-04'), config.calendar.parse('2024-10'), 'month'));
    expect(runs.map((r) => r.outcome)).toEqual(Array(7).fill('succeeded'));
    const october = runs[6]!;
    const check = october.checks.find((c) => c.checkId === 'suspect-values')!;
    expect(check).toMatchObject({ type: 'suspect_values', status: 'failed', severity: 'warn', failing: 1, checked: 1 });
    expect(check.message).toBe('CC1: 0 after six months between 91.2% and 96.0%: is the data missing?: fails (> 0)');
    // CC2 went 1, 0, 0 ...: it turned the check off. CC3 is not rated.
    expect(october.values[0]!.judgement?.explanation).toBe('RED: 0.0% is 90.0 points below the target of 90%, beyond the 5% tolerance (floor 85.5%); suspect: 0 after six months between 91.2% and 96.0%: is the data missing?');
    expect(october.values.map((v) => [v.indicatorId, v.dataQuality])).toEqual([
      ['CC1', 'warned'],
      ['CC2', 'passed'],
      ['CC3', 'passed'],
    ]);
    expect(runs.slice(0, 6).every((r) => r.checks.find((c) => c.checkId === 'suspect-values')?.status === 'passed')).toBe(true);
    const stored = await open.store.runs.storedValues(['CC1'], { from: '2024-10-01' });
    expect(stored.map((v) => [v.value, v.dataQuality, v.judgement?.explanation])).toEqual([[0, 'warned', october.values[0]!.judgement?.explanation]]);

    const [entry] = await failedCheckLog(open.store.checkLog, { status: 'open' });
    expect(entry).toMatchObject({ checkId: 'suspect-values', pipelineId: 'calls', periodId: '2024-10', severity: 'warn' });
    expect(entry!.sample).toEqual([{ indicator: 'CC1', value: 0, explanation: '0 after six months between 91.2% and 96.0%: is the data missing?' }]);
    await open.store.checkLog.acknowledgeCheck(entry!.id, 'October extract came before the telephony feed ran; re-run due', new Date('2024-11-03T09:00:00Z'));
    expect(await failedCheckLog(open.store.checkLog, { status: 'acknowledged' })).toHaveLength(1);
  });
});

describe('validate on the suspect-values check', () => {
  it.each([
    ['declared as a check', '  - { id: mine, type: suspect_values }', /checks\[0\]\.type: suspect_values is built into every pipeline/],
    ['its id taken by another check', '  - { id: suspect-values, type: no_negative }', /checks\[0\]\.id: check id "suspect-values" is the built-in check of every pipeline/],
  ])('refuses it %s', async (_name, check, message) => {
    const ws = workspace({
      'lineofsight.yaml': 'pipelines_dir: {{dir}}/pipelines\nsources:\n  calls_db: { client: sqlite, connection: "{{dir}}/calls.sqlite" }\n',
      'pipelines/calls.yaml': `${PIPELINE}checks:\n${check}\n`,
    });
    await expect(loadConfig(ws.config, {})).rejects.toThrow(message);
  });
});
