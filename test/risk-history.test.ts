import { afterAll, describe, expect, it } from 'vitest';
import { assessAndRecord } from '../src/app/runCycle.js';
import { loadService } from '../src/app/service.js';
import type { RunRecord } from '../src/runs/record.js';
import { Store } from '../src/store/store.js';
import { freshPostgres } from './helpers/databases.js';
import { oneRisk, repairsPipeline } from './helpers/risks.js';
import { workspace } from './helpers/workspace.js';

const SERVICE = (store: string) => `pipelines_dir: {{dir}}/pipelines
risks_file: {{dir}}/risks.yaml
store: ${store}
sources:
  services: { client: sqlite, connection: {{dir}}/services.sqlite }
`;
const PIPELINE = repairsPipeline('services', 1);
const RISKS = oneRisk('      - { id: hr01-red, type: indicator_rag, indicator: HR01, status: RED, periods: 2, set: { likelihood: B } }\n');

const stores: Store[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

describe.each([
  ['sqlite', async (): Promise<string> => '{ client: sqlite, filename: {{dir}}/store.sqlite }'],
  ['pg', async (): Promise<string> => `{ client: pg, connection: "${await freshPostgres('lineofsight_test_risk_history')}" }`],
] as const)("a risk's history on %s", (_name, storeYaml) => {
  it('records each move with the evidence for it: escalated, held, back at the recorded position', async () => {
    const ws = workspace({ 'lineofsight.yaml': SERVICE(await storeYaml()), 'pipelines/repairs.yaml': PIPELINE, 'risks.yaml': RISKS });
    const { config, register } = await loadService(ws.config, {});
    const store = new Store(config.service.store);
    stores.push(store);
    await store.migrate();
    const month = async (periodId: string, value: number) => {
      const period = config.calendar.parse(periodId);
      const run: RunRecord = { pipelineId: 'repairs', periodId, periodStart: period.start, periodEnd: period.end, startedAt: new Date(), finishedAt: new Date(), outcome: 'succeeded', error: null, rowsRead: 1, rowsRejected: 0, warnings: [] };
      await store.runs.recordRun(run, [{ indicatorId: 'HR01', value, numerator: null, denominator: null, reason: null, dataQuality: 'passed' }]);
      await assessAndRecord({ config, register, store }, new Date());
    };
    const history = async () => (await store.risks.riskHistory('HR-R1')).map((h) => [`${h.likelihood}/${h.impact}`, h.aboveTolerance, h.movedByTriggers, h.evidence]);

    await month('2025-01', 95);
    await month('2025-02', 80);
    expect(await history()).toEqual([['D/II', false, false, ['at its recorded position D/II, moved by no trigger']]]);
    await month('2025-03', 70);
    await month('2025-04', 60); // held: the evidence grows, the position does not move
    await month('2025-05', 91);
    expect(await history()).toEqual([
      ['D/II', false, false, ['at its recorded position D/II, moved by no trigger']],
      ['B/II', true, true, ['hr01-red: HR01 RED for 2 consecutive periods (2025-02, 2025-03)']],
      ['D/II', false, false, ['hr01-red: no longer fires', 'at its recorded position D/II, moved by no trigger']],
    ]);
    expect([...(await store.risks.latestRiskPositions()).values()].map((p) => `${p.riskId} ${p.likelihood}/${p.impact}`)).toEqual(['HR-R1 D/II']);
  });
});
