import type { Period } from '../calendar/periods.js';
import type { LoadedConfig, LoadedPipeline } from '../config/load.js';
import type { Logger } from '../log.js';
import { dataQualityOf, type CheckResult, type DataQuality } from '../quality/outcome.js';
import type { SourceRegistry } from '../sources/registry.js';
import type { RecordedRun, Store, ValueRecord } from '../store/store.js';
import { runChecks } from './checks.js';
import { csvEngine } from './csvEngine.js';
import type { Engine } from './engine.js';
import { judgeValues } from './judge.js';
import { sqlEngine } from './sqlEngine.js';
import { governanceFindings, type GovernanceFinding } from '../targets/governance.js';

export interface RunContext {
  config: LoadedConfig;
  store: Store;
  sources: SourceRegistry;
  logger: Logger;
  now?: () => Date;
}

/** The outcome of computing and checking one pipeline for one period. */
export interface PeriodRun {
  pipelineId: string;
  period: Period;
  outcome: 'succeeded' | 'failed';
  error: string | null;
  runId: number;
  values: ValueRecord[];
  checks: CheckResult[];
  dataQuality: DataQuality | null;
  /** Gaps in how the period's indicators are governed (no target in force, not signed off...). */
  governance: GovernanceFinding[];
  rowsRead: number;
  rowsRejected: number;
  change: RecordedRun | null;
}

/**
 * Computes and checks a pipeline for each period and records every period as a run. A period
 * whose source fails is recorded as a failed run and leaves stored values untouched; it does not
 * stop the other periods, and a failing pipeline never throws to its caller.
 */
export async function runPipeline(ctx: RunContext, pipeline: LoadedPipeline, periods: Period[]): Promise<PeriodRun[]> {
  const now = ctx.now ?? (() => new Date());
  const log = ctx.logger.child({ pipeline: pipeline.id });
  const source = ctx.config.service.sources[pipeline.source];
  // An engine that cannot be built (a source it cannot open) fails each period's run below.
  const engine: Promise<Engine> = source?.client === 'csv' ? csvEngine({ ...ctx, logger: log }, pipeline, source) : Promise.resolve().then(() => sqlEngine(ctx, pipeline));
  engine.catch(() => undefined);
  const out: PeriodRun[] = [];

  for (const period of periods) {
    const startedAt = now();
    const base = { pipelineId: pipeline.id, periodId: period.id, periodStart: period.start, periodEnd: period.end, startedAt };
    try {
      const computed = await (await engine).compute(period);
      const checkCtx = { now: startedAt, timeZone: ctx.config.service.timezone, holidays: ctx.config.service.bank_holidays };
      const checks = await runChecks({ ...ctx, logger: log }, pipeline, period, computed, await engine, checkCtx);
      const dataQuality = dataQualityOf(checks);
      const judgements = await judgeValues(ctx, pipeline, period, computed.values);
      const values = computed.values.map((v) => ({ ...v, dataQuality, judgement: judgements.get(v.indicatorId) }));
      const governance = pipeline.indicators.flatMap((indicator, i) => governanceFindings(ctx.config.calendar, indicator, ['indicators', i], [period]));
      const finishedAt = now();
      const change = await ctx.store.recordRun(
        { ...base, finishedAt, outcome: 'succeeded', error: null, rowsRead: computed.rowsRead, rowsRejected: computed.rowsRejected },
        computed.noRows ? [] : values,
        { source: pipeline.source, results: checks },
      );
      log.info({ period: period.id, run: change.runId, added: change.added, revised: change.revised, dataQuality }, 'run succeeded');
      out.push({ ...computed, values, checks, dataQuality, governance, pipelineId: pipeline.id, period, outcome: 'succeeded', error: null, runId: change.runId, change });
    } catch (err) {
      const error = (err as Error).message;
      const runId = await ctx.store.recordFailedRun({ ...base, finishedAt: now(), outcome: 'failed', error, rowsRead: 0, rowsRejected: 0 });
      log.error({ period: period.id, run: runId, err: error }, 'run failed');
      out.push({ pipelineId: pipeline.id, period, outcome: 'failed', error, runId, values: [], checks: [], dataQuality: null, governance: [], rowsRead: 0, rowsRejected: 0, change: null });
    }
  }
  return out;
}
