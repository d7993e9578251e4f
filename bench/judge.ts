import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadedConfig } from '../src/config/load.js';
import { assessRisks } from '../src/risk/evaluate.js';
import { evidenceFrom } from '../src/risk/evidence.js';
import { Store } from '../src/store/store.js';
import { councilConfig, councilRegister, councilRegisterFile, seedCouncil } from './council.js';
import { timed, type BenchResult } from './measure.js';

/** A council of `count` indicators over 36 months, stored as the service would store them. */
async function council(count: number): Promise<{ config: LoadedConfig; store: Store; registerFile: string; storeFile: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'los-judge-'));
  const config = councilConfig(count, dir);
  const storeFile = await seedCouncil(config, { checks: false });
  return { config, store: new Store(config.service.store), registerFile: councilRegisterFile(count, dir), storeFile };
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
  const register = await councilRegister(config, registerFile);
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
