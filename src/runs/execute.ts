import type { Period } from '../calendar/periods.js';
import type { LoadedPipeline } from '../config/load.js';
import { judgeValues } from '../judging/values.js';
import { atLeastWarned, dataQualityOf } from '../quality/outcome.js';
import { MalformedRowsError } from '../sources/csv/index.js';
import type { CheckResult, DataQuality } from '../quality/result.js';
import { governanceFindings, type GovernanceFinding } from '../targets/governance.js';
import { runChecks } from './checks.js';
import type { RunContext } from './context.js';
import { csvEngine } from './csvEngine.js';
import type { Engine } from './engine.js';
import { PipelineHistory } from './history.js';
import type { JudgedValue, RecordedRun } from './record.js';
import { sqlEngine } from './sqlEngine.js';

/** The outcome of computing and checking one pipeline for one period. */
export interface PeriodRun {
  pipelineId: string;
  period: Period;
  outcome: 'succeeded' | 'failed';
  error: string | null;
  runId: number;
  values: JudgedValue[];
  checks: CheckResult[];
  dataQuality: DataQuality | null;
  /** Gaps in how the period's indicators are governed (no target in force, not signed off...). */
  governance: GovernanceFinding[];
  rowsRead: number;
  rowsRejected: number;
  /** What the source could not give, in words (malformed rows left out, files not read). */
  warnings: string[];
  change: RecordedRun | null;
}

/**
 * Computes and checks a pipeline for each period and records every period as a run. A period
 * whose source fails is recorded as a failed run and leaves stored values untouched; it does not
 * stop the other periods, and a failing pipeline never throws to its caller. The history judged
 * and checked against is read once, before the first period.
 */
export async function runPipeline(ctx: RunContext, pipeline: LoadedPipeline, periods: Period[]): Promise<PeriodRun[]> {
  const now = ctx.now ?? (() => new Date());
  const { calendar, service } = ctx.config;
  const log = ctx.logger.child({ pipeline: pipeline.id });
  const source = service.sources[pipeline.source];
  // An engine that cannot be built (a source it cannot open) fails each period's run below.
  const engine: Promise<Engine> = source?.client === 'csv' ? csvEngine({ ...ctx, logger: log }, pipeline, source) : Promise.resolve().then(() => sqlEngine(ctx, pipeline));
  engine.catch(() => undefined);
  const history = PipelineHistory.read(ctx.history, calendar, pipeline, periods);
  history.catch(() => undefined);
  const out: PeriodRun[] = [];

  for (const period of periods) {
    if (ctx.signal?.aborted) break;
    const startedAt = now();
    const base = { pipelineId: pipeline.id, periodId: period.id, periodStart: period.start, periodEnd: period.end, startedAt };
    try {
      const [computed, known] = [await (await engine).compute(period), await history];
      const clock = { now: startedAt, timeZone: service.timezone, holidays: service.bank_holidays };
      const checks = await runChecks({ pipeline, period, values: computed.values, engine: await engine, history: known, clock, season: calendar.positionInYear(period), logger: log });
      const warnings = computed.warnings ?? [];
      // Rows left out or files not read: the values cannot be vouched for as whole.
      const dataQuality = atLeastWarned(dataQualityOf(checks), warnings.length > 0);
      const judgements = judgeValues(ctx.config, pipeline, period, computed.values, (indicator, periodId) => known.valueAt(indicator, periodId));
      const values = computed.values.map((v) => ({ ...v, dataQuality, judgement: judgements.get(v.indicatorId) }));
      const governance = pipeline.indicators.flatMap((indicator, i) => governanceFindings(calendar, indicator, ['indicators', i], [period]));
      const stored = computed.noRows ? [] : values;
      const change = await ctx.recorder.recordRun(
        { ...base, finishedAt: now(), outcome: 'succeeded', error: null, rowsRead: computed.rowsRead, rowsRejected: computed.rowsRejected, warnings },
        stored,
        { source: pipeline.source, results: checks },
      );
      known.recorded(period, stored);
      known.checked(period, checks);
      log.info({ period: period.id, run: change.runId, added: change.added, revised: change.revised, dataQuality }, 'run succeeded');
      for (const warning of warnings) log.warn({ period: period.id, run: change.runId }, warning);
      out.push({ ...computed, values, checks, dataQuality, governance, warnings, pipelineId: pipeline.id, period, outcome: 'succeeded', error: null, runId: change.runId, change });
    } catch (err) {
      const error = (err as Error).message;
      // A run refused for its malformed rows says how many it read and rejected.
      const rows = err instanceof MalformedRowsError ? { rowsRead: err.rowsRead, rowsRejected: err.rowsRejected } : { rowsRead: 0, rowsRejected: 0 };
      const runId = await ctx.recorder.recordFailedRun({ ...base, finishedAt: now(), outcome: 'failed', error, ...rows, warnings: [] });
      log.error({ period: period.id, run: runId, err: error }, 'run failed');
      out.push({ pipelineId: pipeline.id, period, outcome: 'failed', error, runId, values: [], checks: [], dataQuality: null, governance: [], ...rows, warnings: [], change: null });
    }
  }
  return out;
}
