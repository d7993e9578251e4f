import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FinancialCalendar } from '../src/calendar/periods.js';
import type { LoadedConfig } from '../src/config/load.js';
import { pipelineSchema, serviceConfigSchema } from '../src/config/schema.js';
import { loadRisks } from '../src/risk/config.js';
import { assessRisks } from '../src/risk/evaluate.js';
import { evidenceFrom } from '../src/risk/evidence.js';
import { Store } from '../src/store/store.js';
import { timed, type BenchResult } from './measure.js';

const PER_PIPELINE = 50;
const signed = { signed_off_by: 'Cabinet', signed_off_on: '2023-03-01', rationale: 'bench' };

/** A council of `count` indicators over 36 months, stored as the service would store them. */
async function council(count: number): Promise<{ config: LoadedConfig; store: Store; registerFile: string; storeFile: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'los-judge-'));
  const calendar = new FinancialCalendar(4);
  const pipelines = Array.from({ length: count / PER_PIPELINE }, (_, p) => ({
    ...pipelineSchema.parse({
      id: `p${p}`,
      title: 'bench',
      source: 'db',
      schedule: '0 6 * * *',
      frequency: 'monthly',
      query: 'SELECT 1 AS v',
      indicators: Array.from({ length: PER_PIPELINE }, (_, i) => ({
        id: `I${p}_${i}`,
        title: 'bench',
        unit: '%',
        type: 'value',
        value: 'v',
        polarity: i % 3 === 0 ? 'lower_is_better' : 'higher_is_better',
        owner: 'bench',
        service: 'bench',
        targets: [{ from: '2023-24', value: 90, ...signed }],
      })),
    }),
    file: 'bench',
  }));
  const storeFile = path.join(dir, 'store.sqlite');
  const service = serviceConfigSchema.parse({ store: { client: 'sqlite', filename: storeFile }, sources: { db: { client: 'sqlite', connection: 'x' } } });
  const config: LoadedConfig = { file: 'bench', service, calendar, pipelines, yaml: new Map(), targetOrigins: new Map() };
  const store = new Store(service.store);
  await store.migrate();
  const months = calendar.range(calendar.parse('2023-24'), calendar.parse('2025-26'), 'month');
  const rows = months.flatMap((m, k) =>
    pipelines.flatMap((p) =>
      p.indicators.map((ind, i) => ({
        indicator_id: ind.id, pipeline_id: p.id, period_id: m.id, period_start: m.start, period_end: m.end, revision: 1,
        value: 80 + ((i * 7 + k * 3) % 20), numerator: null, denominator: null, reason: null, data_quality: 'passed',
        run_id: 1, recorded_at: '2026-04-02T06:00:00.000Z', superseded_at: null,
      })),
    ),
  );
  // Seeded straight into the migrated file: 360,000 values through the service's own writes would take minutes.
  const db = new Database(storeFile);
  db.prepare("INSERT INTO runs (pipeline_id, period_id, period_start, period_end, started_at, finished_at, outcome) VALUES ('p0', '2023-04', '2023-04-01', '2023-05-01', '2026-04-02T06:00:00Z', '2026-04-02T06:00:00Z', 'succeeded')").run();
  const columns = Object.keys(rows[0]!);
  const insert = db.prepare(`INSERT INTO indicator_values (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
  db.transaction(() => {
    for (const row of rows) insert.run(row);
  })();
  db.close();
  // One risk per hundred indicators, each with a RAG trigger and a worsening trigger.
  const risks = Array.from({ length: count / 100 }, (_, r) => `  - id: R${r}
    title: Risk ${r}
    owner: bench
    clinic: bench
    inherent: { likelihood: C, impact: II }
    current: { likelihood: D, impact: III }
    indicators: [I${r}_0]
    triggers:
      - { id: red, type: indicator_rag, indicator: I${Math.floor(r / 2)}_${r % 50}, status: RED, periods: 2, set: { likelihood: B } }
      - { id: worse, type: indicator_worsening, indicator: I${Math.floor(r / 2)}_${(r + 1) % 50}, periods: 3, raise: { likelihood: 1 } }`).join('\n');
  const registerFile = path.join(dir, 'risks.yaml');
  writeFileSync(registerFile, `tolerance_line: { score: 12 }\nrisks:\n${risks}\n`);
  return { config, store, registerFile, storeFile };
}

/**
 * The floor under any evaluation from the store: the same current values read straight through
 * better-sqlite3, no knex, nothing judged. Timed beside the evaluation so the ratio survives a busy machine.
 */
function bareRead(storeFile: string): Promise<number> {
  const db = new Database(storeFile, { readonly: true });
  const ms = timed(async () => db.prepare('SELECT indicator_id, period_id, value FROM indicator_values WHERE superseded_at IS NULL').all());
  return ms.finally(() => db.close());
}

/** Judges every stored value and assesses every risk; returns the time, a bare read's time and the queries issued. */
async function evaluate(count: number): Promise<{ ms: number; readMs: number; queries: number; judged: number }> {
  const { config, store, registerFile, storeFile } = await council(count);
  const known = { indicators: new Set(config.pipelines.flatMap((p) => p.indicators.map((i) => i.id))), checks: new Set<string>(), sources: new Set(['db']) };
  const register = await loadRisks(registerFile, known);
  let queries = 0;
  store.onQuery(() => queries++);
  let judged = 0;
  const ms = await timed(async () => {
    const evidence = await evidenceFrom(config, store.runs, new Date('2026-04-02T07:00:00Z'));
    judged = [...evidence.rag.values()].reduce((n, list) => n + list.length, 0);
    assessRisks(register, evidence);
  });
  const readMs = await bareRead(storeFile);
  await store.close();
  return { ms, readMs, queries, judged };
}

export async function benchJudge(): Promise<BenchResult> {
  const small = await evaluate(1_000);
  const large = await evaluate(10_000);
  return {
    name: `judgement: RAG, direction and risk triggers for 10,000 indicators x 36 periods (${large.judged.toLocaleString('en-GB')} values) from the store`,
    target: 'under 2 s, and no more store queries for 10,000 indicators than for 1,000',
    measured: `${large.ms.toFixed(0)} ms (${(large.ms / large.readMs).toFixed(1)}x a bare better-sqlite3 read of the same values, ${large.readMs.toFixed(0)} ms); ${large.queries} store queries for 10,000 indicators, ${small.queries} for 1,000`,
    pass: large.ms < 2000 && large.queries === small.queries,
  };
}
