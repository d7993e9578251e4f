import type { Period } from '../calendar/periods.js';
import { dateIn, type LocalDate } from '../calendar/localDate.js';
import type { LoadedPipeline } from '../config/load.js';
import { judgeValues } from '../judging/values.js';
import { pauseFor } from '../deadline.js';
import { bounded } from '../text.js';
import { isFeedCheck } from '../quality/checkRegistry.js';
import { atLeastWarned, dataQualityOf } from '../quality/outcome.js';
import { MalformedRowsError } from '../sources/csv/index.js';
import type { CheckResult, DataQuality } from '../quality/result.js';
import { suspicionsOf } from '../quality/suspect.js';
import { governanceFindings, type GovernanceFinding } from '../targets/governance.js';
import { runChecks } from './checks.js';
import type { ComputedValue } from '../indicators/compute.js';
import type { RunContext } from './context.js';
import { csvEngine } from './csvEngine.js';
import type { Engine } from './engine.js';
import { PipelineHistory } from './history.js';
import { arrivalOf, awaitsArrival, newestDayOf } from './arrival.js';
import { StoreFault, type JudgedValue, type RecordedRun, type RunOutcome } from './record.js';
import { sqlEngine } from './sqlEngine.js';

/** A value as a run shows it: judged, and flagged by its data quality (none for a period still awaiting data). */
export interface PeriodValue extends Omit<JudgedValue, 'dataQuality'> {
  dataQuality: DataQuality | null;
}

/** The outcome of computing and checking one pipeline for one period. */
export interface PeriodRun {
  pipelineId: string;
  period: Period;
  outcome: RunOutcome;
  error: string | null;
  /** Why an awaiting run computed nothing, in words. */
  reason: string | null;
  runId: number;
  values: PeriodValue[];
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
 * whose data has not arrived (runs/arrival.ts) is recorded as awaiting, its indicators MISSING
 * with the reason, and computes nothing. A period whose source fails is recorded as a failed
 * run. Neither touches stored values nor stops the other periods, and a failing pipeline never
 * throws to its caller; a fault of the store itself (StoreFault) does, recording nothing. The
 * history judged and checked against is read once, before the first period, and the newest
 * record's date once, when the first period needs it (a pipeline that cannot await data does not).
 */
export async function runPipeline(ctx: RunContext, pipeline: LoadedPipeline, periods: Period[]): Promise<PeriodRun[]> {
  const now = ctx.now ?? (() => new Date());
  const { calendar, service } = ctx.config;
  const log = ctx.logger.child({ pipeline: pipeline.id });
  const source = service.sources[pipeline.source];
  // An engine that cannot be built (a source it cannot open) fails each period's run below.
  const build = (): Promise<Engine> => {
    const built = source?.client === 'csv' ? csvEngine({ ...ctx, logger: log }, pipeline, source) : Promise.resolve().then(() => sqlEngine(ctx, pipeline));
    built.catch(() => undefined);
    return built;
  };
  let engine = build();
  const history = PipelineHistory.read(ctx.history, calendar, pipeline, periods);
  history.catch(() => undefined);
  const awaits = awaitsArrival(pipeline, source?.client === 'csv');
  let newest: Promise<LocalDate | undefined> | undefined;
  const newestRecord = () => (newest ??= engine.then(async (e) => newestDayOf(await e.newestRecord(), service.timezone)));
  const out: PeriodRun[] = [];
  const retries = ctx.retries ?? [];
  let tried = 0;
  let retrying = -1;

  for (let p = 0; p < periods.length; p++) {
    const period = periods[p]!;
    if (ctx.signal?.aborted) break;
    // Each period has every retry: a failure of the one before spent none of them.
    if (p !== retrying) tried = 0;
    const startedAt = now();
    const base = { pipelineId: pipeline.id, periodId: period.id, periodStart: period.start, periodEnd: period.end, startedAt };
    try {
      const newestDay = awaits ? ((await newestRecord()) ?? null) : null;
      const arrival = awaits ? arrivalOf(period, newestDay ?? undefined, pipeline.arrival?.grace ?? 0) : ({ arrived: true } as const);
      const clock = { now: startedAt, timeZone: service.timezone, holidays: service.bank_holidays };
      // Checks of the feed (freshness) speak for the data as it stands: only with the latest period.
      const current = period.end >= calendar.latestComplete(dateIn(startedAt, service.timezone), period.kind).end;
      const checking = { pipeline, period, engine: await engine, clock, season: calendar.positionInYear(period), logger: log };
      if (!arrival.arrived) {
        const { reason } = arrival;
        const checks = current ? await runChecks({ ...checking, values: [], history: await history }, isFeedCheck) : [];
        const runId = await ctx.recorder.recordRunWithoutValues(
          { ...base, finishedAt: now(), outcome: 'awaiting', error: null, rowsRead: 0, rowsRejected: 0, warnings: [], reason, newestRecord: newestDay },
          { source: pipeline.source, results: checks },
        );
        log.info({ period: period.id, run: runId, newestRecord: newestDay }, reason);
        const values = awaitingValues(ctx, pipeline, period, reason, await history);
        out.push({ pipelineId: pipeline.id, period, outcome: 'awaiting', error: null, reason, runId, values, checks, dataQuality: null, governance: [], rowsRead: 0, rowsRejected: 0, warnings: [], change: null });
        continue;
      }
      const [computed, known] = [await checking.engine.compute(period), await history];
      const checks = await runChecks({ ...checking, values: computed.values, history: known }, (check) => current || !isFeedCheck(check));
      const warnings = computed.warnings ?? [];
      // Rows left out or files not read: the values cannot be vouched for as whole. A suspect
      // value puts in doubt that value alone, and says why beside its RAG wherever it is shown.
      const suspect = checks.find((c) => c.type === 'suspect_values');
      const suspicions = suspicionsOf(suspect?.sample ?? []);
      const dataQuality = atLeastWarned(dataQualityOf(checks), warnings.length > 0);
      const periodQuality = atLeastWarned(dataQualityOf(checks.filter((c) => c !== suspect)), warnings.length > 0);
      const judgements = judgeValues(ctx.config, pipeline, period, computed.values, (indicator, periodId) => known.valueAt(indicator, periodId));
      const values = computed.values.map((v) => {
        const why = suspicions.get(v.indicatorId);
        const judgement = judgements.get(v.indicatorId);
        return { ...v, dataQuality: atLeastWarned(periodQuality, why !== undefined), judgement: judgement && why ? { ...judgement, explanation: `${judgement.explanation}; suspect: ${why}` } : judgement };
      });
      const governance = pipeline.indicators.flatMap((indicator, i) => governanceFindings(calendar, indicator, ['indicators', i], [period]));
      const stored = computed.noRows ? [] : values;
      const change = await ctx.recorder.recordRun(
        { ...base, finishedAt: now(), outcome: 'succeeded', error: null, rowsRead: computed.rowsRead, rowsRejected: computed.rowsRejected, warnings, newestRecord: newestDay },
        stored,
        { source: pipeline.source, results: checks },
      );
      known.recorded(period, stored);
      known.checked(period, checks);
      log.info({ period: period.id, run: change.runId, added: change.added, revised: change.revised, dataQuality }, 'run succeeded');
      for (const warning of warnings) log.warn({ period: period.id, run: change.runId }, warning);
      out.push({ ...computed, values, checks, dataQuality, governance, warnings, pipelineId: pipeline.id, period, outcome: 'succeeded', error: null, reason: null, runId: change.runId, change });
    } catch (err) {
      // The store's own fault is no source's failure: the cycle stops, naming the store.
      if (err instanceof StoreFault) throw err;
      // Whatever input the error quotes, the store, the log and the terminal get a bounded message.
      const error = bounded((err as Error).message);
      // The source may be back in a moment (a restart, a failover): tried again before anything is recorded.
      // Malformed rows are the data's fault, and the same next time.
      if (tried < retries.length && !(err instanceof MalformedRowsError) && !ctx.signal?.aborted) {
        const pause = retries[tried++]!;
        log.warn({ period: period.id, err: error, retryInSeconds: pause / 1000, attempt: tried }, 'source failed: will try again');
        await pauseFor(pause, ctx.signal);
        engine = build();
        newest = undefined;
        retrying = p--;
        continue;
      }
      // A run refused for its malformed rows says how many it read and rejected.
      const rows = err instanceof MalformedRowsError ? { rowsRead: err.rowsRead, rowsRejected: err.rowsRejected } : { rowsRead: 0, rowsRejected: 0 };
      const runId = await ctx.recorder.recordRunWithoutValues({ ...base, finishedAt: now(), outcome: 'failed', error, ...rows, warnings: [] });
      log.error({ period: period.id, run: runId, err: error }, 'run failed');
      out.push({ pipelineId: pipeline.id, period, outcome: 'failed', error, reason: null, runId, values: [], checks: [], dataQuality: null, governance: [], ...rows, warnings: [], change: null });
    }
  }
  return out;
}

/** Every indicator of a period still awaiting data: MISSING with the reason, never 0, never rated; the target in force still shown. */
function awaitingValues(ctx: RunContext, pipeline: LoadedPipeline, period: Period, reason: string, known: PipelineHistory): PeriodValue[] {
  const missing: ComputedValue[] = pipeline.indicators.map((i) => ({ indicatorId: i.id, value: null, numerator: null, denominator: null, reason }));
  const judgements = judgeValues(ctx.config, pipeline, period, missing, (indicator, periodId) => known.valueAt(indicator, periodId));
  return missing.map((v) => {
    const judged = judgements.get(v.indicatorId)!;
    return { ...v, dataQuality: null, judgement: { ...judged, rag: 'MISSING', explanation: `MISSING: ${reason}`, directionPrevious: null, directionLastYear: null } };
  });
}
