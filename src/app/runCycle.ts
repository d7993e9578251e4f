import type { LocalDate } from '../calendar/localDate.js';
import { KIND_OF_FREQUENCY, type Period } from '../calendar/periods.js';
import { checkChoice, choosePeriods, type PeriodChoice } from '../calendar/selection.js';
import type { LoadedConfig, LoadedPipeline } from '../config/load.js';
import { evidenceFrom } from '../risk/evidence.js';
import { assessRisks, type RiskAssessment } from '../risk/evaluate.js';
import { recordMoves } from '../risk/position.js';
import { runPipeline, type PeriodRun } from '../runs/execute.js';
import type { Drained } from '../notify/drain.js';
import { deliverOutbox } from './deliver.js';
import { reckonExceptions, type Reckoning } from './exceptions.js';
import { runContextOf, type OpenService } from './open.js';

export interface CycleRequest {
  pipelines: readonly LoadedPipeline[];
  /** Which periods: within one, a range, or each pipeline's latest complete period. */
  choice: PeriodChoice;
  /** A pipeline with no period of its own in the one asked for is an error, and nothing runs. */
  strict?: boolean;
  /** Stops the cycle between periods; what was run is still recorded and assessed. */
  signal?: AbortSignal;
  now?: () => Date;
  /** The day exceptions are reckoned as at, when not today: the demo's day. */
  asOf?: LocalDate;
  /** Pauses before each new try of a period whose source failed (the daemon's scheduler.source_retries); none by default. */
  retries?: readonly number[];
}

export interface Cycle {
  runs: PeriodRun[];
  /** Pipelines with no period of their own frequency in the one asked for, each with why. */
  skipped: string[];
  /** Every risk assessed on the evidence the runs added; moves are recorded. */
  risks: RiskAssessment[];
  /** The exceptions the results raise, and what each recipient was told of them. */
  exceptions: Reckoning;
  /** What the outbox sent afterwards, this cycle's messages and any due from before. */
  delivered: Drained;
}

/** The pipelines a request names: one by id, or every one when it names none. */
export function pipelinesNamed(config: LoadedConfig, pipelineId: string | undefined): LoadedPipeline[] {
  const pipelines = pipelineId === undefined ? config.pipelines : config.pipelines.filter((p) => p.id === pipelineId);
  if (!config.pipelines.length) throw new Error(`no pipelines to run: ${config.service.pipelines_dir} holds no pipeline files`);
  if (!pipelines.length) throw new Error(`unknown pipeline "${pipelineId}" (known: ${config.pipelines.map((p) => p.id).join(', ')})`);
  return pipelines;
}

type Plan = { pipeline: LoadedPipeline; periods: Period[] } | { pipeline: LoadedPipeline; skipped: string };

/**
 * One run cycle, the same for every front end: periods are worked out for every pipeline before
 * any runs; pipelines run one after another, one that fails recorded while the next still runs;
 * then every risk is assessed on the evidence the runs added, and each move recorded; then the
 * exceptions are reckoned and their messages written to the outbox, which is then sent.
 */
export async function runCycle(open: OpenService, request: CycleRequest): Promise<Cycle> {
  const now = request.now ?? (() => new Date());
  const today = open.today();
  checkChoice(open.config.calendar, request.choice);
  const plans = request.pipelines.map((pipeline): Plan => {
    try {
      return { pipeline, periods: choosePeriods(open.config.calendar, KIND_OF_FREQUENCY[pipeline.frequency], request.choice, today) };
    } catch (err) {
      return { pipeline, skipped: `${pipeline.id} (${pipeline.frequency}) skipped: ${(err as Error).message}` };
    }
  });
  const skipped = plans.flatMap((p) => ('skipped' in p ? [p.skipped] : []));
  if (request.strict && skipped.length) throw new Error(skipped.join('; '));
  const ctx = runContextOf(open, { now, signal: request.signal, retries: request.retries });
  const runs: PeriodRun[] = [];
  for (const plan of plans) {
    if (request.signal?.aborted) break;
    if ('periods' in plan) runs.push(...(await runPipeline(ctx, plan.pipeline, plan.periods)));
  }
  return { runs, skipped, ...(await afterRuns(open, now, request.asOf)) };
}

/**
 * What follows the runs of a cycle, whichever runs they were: every risk assessed and each move
 * recorded, the exceptions reckoned and written to the outbox, and the outbox sent.
 */
export async function afterRuns(open: OpenService, now: () => Date, asOf?: LocalDate): Promise<Pick<Cycle, 'risks' | 'exceptions' | 'delivered'>> {
  const risks = await assessAndRecord(open, now());
  const exceptions = await reckonExceptions(open, now(), { today: asOf });
  return { risks, exceptions, delivered: await deliverOutbox(open, now) };
}

/** Assesses every risk on the stored evidence and records each whose position moved. */
export async function assessAndRecord(open: Pick<OpenService, 'config' | 'register' | 'store'>, at: Date): Promise<RiskAssessment[]> {
  if (!open.register) return [];
  const assessments = assessRisks(open.register, await evidenceFrom(open.config, open.store.runs, at));
  await open.store.risks.recordRegister(open.register, at);
  await recordMoves(open.store.risks, assessments, at);
  return assessments;
}
