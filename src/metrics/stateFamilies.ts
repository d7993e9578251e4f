import { zonedInstant } from '../calendar/localDate.js';
import type { LoadedConfig } from '../config/load.js';
import type { IndicatorConfig } from '../config/schema.js';
import { isPercentage } from '../indicators/format.js';
import { ratingOf } from '../judging/rating.js';
import { amberBoundary } from '../rag/variables.js';
import { checksOf } from '../runs/checks.js';
import type { Direction } from '../rag/input.js';
import { OUTBOX_STATES } from '../notify/outbox.js';
import type { RiskRegister } from '../risk/config.js';
import type { RunOutcome } from '../runs/record.js';
import { CHECK_CODES, codesInWords, DIRECTION_CODES, QUALITY_CODES, RAG_CODES } from './codes.js';
import { Family, labelsText } from './exposition.js';
import type { ServiceState } from './state.js';

const OUTCOMES: readonly RunOutcome[] = ['succeeded', 'failed', 'awaiting'];
const SEVERITIES = ['warn', 'error'] as const;

/** What the state families need besides the state: each pipeline's schedule, worked out once. */
export interface StateContext {
  config: LoadedConfig;
  register: RiskRegister | undefined;
  /** The longest gap between two runs of each pipeline's schedule, in seconds. */
  scheduleIntervals: ReadonlyMap<string, number>;
}

const seconds = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso) / 1000);

/** A percentage as the ratio Prometheus' base units want; any other unit as it is. */
const scaleOf = (indicator: IndicatorConfig): number => (isPercentage(indicator) ? 0.01 : 1);
const scaled = (v: number | null | undefined, scale: number): number | null => (v === null || v === undefined ? null : v * scale);
const directionCode = (d: string | null | undefined): number | null => (d ? (DIRECTION_CODES[d as Direction] ?? null) : null);

const UNITS = 'in the indicator\'s unit (lineofsight_indicator_info\'s unit label), a percentage as a ratio 0-1';

/**
 * Which side of its target an indicator's AMBER band lies, where its scheme bands by tolerance:
 * `floor` (target less tolerance, higher is better), `ceiling` (lower is better), `both` (on
 * target is best), `none`. Its floor and ceiling series follow it, and a dashboard drawing the
 * band over the stored history reads it from lineofsight_indicator_info.
 */
export function toleranceBandOf(config: LoadedConfig, indicator: IndicatorConfig): 'floor' | 'ceiling' | 'both' | 'none' {
  const rating = ratingOf(config, indicator);
  if (indicator.polarity === 'none' || rating.monitor || !rating.scheme.bandedByTolerance) return 'none';
  return indicator.polarity === 'higher_is_better' ? 'floor' : indicator.polarity === 'lower_is_better' ? 'ceiling' : 'both';
}

/**
 * The state families in Prometheus' text format: per indicator (labelled by `indicator` alone,
 * the descriptive labels on lineofsight_indicator_info only), per check, per risk, per pipeline.
 */
export function stateFamilies(state: ServiceState, ctx: StateContext): string {
  const { config, register } = ctx;
  const timeZone = config.service.timezone;
  const value = new Family('lineofsight_indicator_value', `Latest value of each indicator as at the latest complete month, ${UNITS}.`);
  const target = new Family('lineofsight_indicator_target', `Signed-off target the latest value was judged against, ${UNITS}.`);
  const floor = new Family('lineofsight_indicator_tolerance_floor', `Lowest value still AMBER (target less tolerance), where the indicator's RAG scheme bands by its tolerance and higher is better or on target is best, ${UNITS}.`);
  const ceiling = new Family('lineofsight_indicator_tolerance_ceiling', `Highest value still AMBER (target plus tolerance), where the indicator's RAG scheme bands by its tolerance and lower is better or on target is best, ${UNITS}.`);
  const rag = new Family('lineofsight_indicator_rag', `RAG status of the latest value: ${codesInWords(RAG_CODES)}.`);
  const direction = new Family('lineofsight_indicator_direction', `Direction of travel against the previous period: ${codesInWords(DIRECTION_CODES)}.`);
  const directionYear = new Family('lineofsight_indicator_direction_last_year', `Direction of travel against the same period last year: ${codesInWords(DIRECTION_CODES)}.`);
  const quality = new Family('lineofsight_indicator_data_quality', `Data quality of the latest value: ${codesInWords(QUALITY_CODES)}.`);
  const periodEnd = new Family('lineofsight_indicator_period_end_timestamp_seconds', 'When the period of the latest value ended (midnight, service timezone), Unix seconds.');
  const computed = new Family('lineofsight_indicator_computed_timestamp_seconds', 'When a run last computed the latest value (the latest successful run of its pipeline and period), Unix seconds.');
  const info = new Family('lineofsight_indicator_info', 'Each indicator\'s descriptive labels, always 1: join on indicator.');
  // A handful of periods for thousands of indicators: each end's instant is worked out once.
  const ends = new Map<string, number>();
  const endOf = (end: string) => ends.get(end) ?? ends.set(end, zonedInstant(end, timeZone)!.getTime() / 1000).get(end)!;
  for (const line of state.indicators) {
    const { indicator, value: stored } = line;
    const l = labelsText({ indicator: indicator.id });
    const scale = scaleOf(indicator);
    value.sample(l, scaled(stored?.value, scale));
    target.sample(l, scaled(stored?.target, scale));
    // Only a scheme that compares with the tolerance has its AMBER band there (not Belfast's percentages, nor Kent's floor).
    const band = toleranceBandOf(config, indicator);
    if (stored && stored.rag !== null && stored.target !== null && stored.toleranceAmount !== null && band !== 'none' && indicator.polarity !== 'none') {
      const boundary = amberBoundary(indicator.polarity, stored.target, stored.toleranceAmount);
      if (band !== 'ceiling') floor.sample(l, (boundary ?? stored.target - stored.toleranceAmount) * scale);
      if (band !== 'floor') ceiling.sample(l, (boundary ?? stored.target + stored.toleranceAmount) * scale);
    }
    rag.sample(l, RAG_CODES[stored ? (stored.rag ?? 'NOT_JUDGED') : 'MISSING']);
    direction.sample(l, directionCode(stored?.directionPrevious));
    directionYear.sample(l, directionCode(stored?.directionLastYear));
    quality.sample(l, stored ? QUALITY_CODES[stored.dataQuality] : null);
    periodEnd.sample(l, endOf(line.period.end));
    computed.sample(l, seconds(line.computedAt));
    info.sample(
      labelsText({
        indicator: indicator.id,
        title: indicator.title,
        unit: indicator.unit,
        service: indicator.service,
        clinic: indicator.clinic ?? '',
        priority: indicator.priority ?? '',
        perspective: indicator.perspective ?? '',
        pipeline: line.pipelineId,
        percentage: String(isPercentage(indicator)),
        tolerance_band: band,
      }),
      1,
    );
  }

  const checkStatus = new Family('lineofsight_check_status', `Result of each check for its latest period (the latest run of that period that ran it): ${codesInWords(CHECK_CODES)}.`);
  const checkFailing = new Family('lineofsight_check_failing', 'Rows (or values) failing each check for its latest period.');
  // A check since taken out of its pipeline keeps its last state in the store, not in the metrics.
  const configured = new Set(config.pipelines.flatMap((p) => checksOf(p).map((c) => `${p.id}/${c.id}`)));
  for (const c of state.checks) {
    if (!configured.has(`${c.pipelineId}/${c.checkId}`)) continue;
    const l = labelsText({ check: c.checkId, pipeline: c.pipelineId });
    checkStatus.sample(l, CHECK_CODES[c.status]);
    checkFailing.sample(l, c.failing);
  }
  const open = new Family('lineofsight_failed_check_entries', 'Unresolved entries of the failed-check log by pipeline, severity and status (open or acknowledged).');
  const counts = new Map(state.unresolved.map((u) => [`${u.pipelineId}/${u.severity}/${u.status}`, u.count]));
  const pipelineIds = new Set([...config.pipelines.map((p) => p.id), ...state.unresolved.map((u) => u.pipelineId)]);
  for (const pipeline of pipelineIds) {
    for (const severity of SEVERITIES) {
      for (const status of ['open', 'acknowledged'] as const) open.sample(labelsText({ pipeline, severity, status }), counts.get(`${pipeline}/${severity}/${status}`) ?? 0);
    }
  }

  const likelihood = new Family('lineofsight_risk_likelihood', 'Each risk\'s likelihood at its last recorded position, as the matrix scores the band.');
  const impact = new Family('lineofsight_risk_impact', 'Each risk\'s impact at its last recorded position, as the matrix scores the band.');
  const score = new Family('lineofsight_risk_score', 'Each risk\'s score (likelihood by impact) at its last recorded position.');
  const above = new Family('lineofsight_risk_above_tolerance', 'Whether each risk stands above the council\'s tolerance line: 1 above, 0 within.');
  const riskInfo = new Family('lineofsight_risk_info', 'Each risk\'s descriptive labels, always 1: join on risk.');
  const riskIndicator = new Family('lineofsight_risk_indicator_info', 'Each indicator a risk names (in its indicators or a trigger), always 1: join on risk or indicator.');
  for (const r of register?.risks ?? []) {
    riskInfo.sample(labelsText({ risk: r.id, title: r.title, owner: r.owner, clinic: r.clinic }), 1);
    const named = new Set([...r.indicators, ...r.triggers.flatMap((t) => ('indicator' in t ? [t.indicator] : []))]);
    for (const indicator of named) riskIndicator.sample(labelsText({ risk: r.id, indicator }), 1);
  }
  for (const r of state.risks) {
    const l = labelsText({ risk: r.riskId });
    likelihood.sample(l, register!.matrix.band('likelihood', r.assessed.likelihood).score);
    impact.sample(l, register!.matrix.band('impact', r.assessed.impact).score);
    score.sample(l, r.assessed.score);
    above.sample(l, r.assessed.aboveTolerance ? 1 : 0);
  }

  const outcome = new Family('lineofsight_pipeline_last_run_outcome', 'Outcome of each pipeline\'s latest run, of whichever period (a backfill too): 1 for the outcome it had, 0 for the others.');
  const lastRun = new Family('lineofsight_pipeline_last_run_timestamp_seconds', 'When each pipeline\'s latest run finished, Unix seconds.');
  const lastSuccess = new Family('lineofsight_pipeline_last_success_timestamp_seconds', 'When each pipeline\'s latest successful run finished, Unix seconds.');
  const awaiting = new Family('lineofsight_pipeline_periods_awaiting', 'Periods of each pipeline whose latest run found their data not yet in.');
  const interval = new Family('lineofsight_pipeline_schedule_interval_seconds', 'The longest gap between two runs of each pipeline\'s schedule, seconds.');
  const states = new Map(state.pipelines.map((p) => [p.pipelineId, p]));
  for (const pipeline of config.pipelines) {
    const l = labelsText({ pipeline: pipeline.id });
    const p = states.get(pipeline.id);
    if (p) for (const o of OUTCOMES) outcome.sample(labelsText({ pipeline: pipeline.id, outcome: o }), p.lastOutcome === o ? 1 : 0);
    lastRun.sample(l, seconds(p?.lastRunAt ?? null));
    lastSuccess.sample(l, seconds(p?.lastSuccessAt ?? null));
    awaiting.sample(l, p?.periodsAwaiting ?? 0);
    interval.sample(l, ctx.scheduleIntervals.get(pipeline.id) ?? null);
  }

  const outbox = new Family('lineofsight_outbox_messages', 'Messages in the outbox by state: pending (written, or waiting to be retried), sending (claimed by a process), sent, failed (given up, reported).');
  for (const s of OUTBOX_STATES) outbox.sample(labelsText({ state: s }), state.outbox.get(s) ?? 0);

  return [value, target, floor, ceiling, rag, direction, directionYear, quality, periodEnd, computed, info, checkStatus, checkFailing, open, likelihood, impact, score, above, riskInfo, riskIndicator, outcome, lastRun, lastSuccess, awaiting, interval, outbox].join('');
}
