import type { FinancialCalendar, Period } from '../calendar/periods.js';
import type { LoadedConfig, LoadedPipeline } from '../config/load.js';
import type { IndicatorConfig, TargetConfig } from '../config/schema.js';
import type { ComputedValue } from '../quality/indicatorChecks.js';
import { judgeRag, ragStatus, schemeNamed, type Direction, type RagInput, type RagScheme, type RagStatus, type RagTarget, type RagTolerance, travelOf } from '../rag/index.js';
import type { SeriesPoint, ValueJudgement } from '../store/store.js';
import { targetInForce } from '../targets/inForce.js';
import type { RunContext } from './execute.js';

/** What an indicator is judged by, worked out once per indicator rather than once per value. */
interface Rating {
  scheme: RagScheme;
  tolerance: RagTolerance;
  monitor: boolean;
}
const ratings = new WeakMap<IndicatorConfig, Rating>();
const ragTargets = new WeakMap<TargetConfig, RagTarget>();

function ratingOf(config: LoadedConfig, indicator: IndicatorConfig): Rating {
  let rating = ratings.get(indicator);
  if (!rating) {
    const { rag } = config.service;
    const monitor = indicator.rag === 'monitor';
    const tolerance = indicator.tolerance ?? rag.default_tolerance;
    rating = {
      scheme: schemeNamed(!indicator.rag || monitor ? rag.scheme : indicator.rag, rag.schemes),
      tolerance: { ...tolerance, reason: tolerance.reason ?? '' },
      monitor,
    };
    ratings.set(indicator, rating);
  }
  return rating;
}

function ragTargetIn(calendar: FinancialCalendar, indicator: IndicatorConfig, period: Period): RagTarget | null {
  const target = targetInForce(calendar, indicator, period)?.target;
  if (!target) return null;
  let t = ragTargets.get(target);
  if (!t) ragTargets.set(target, (t = { value: target.value, floor: target.floor, stretch: target.stretch, range: target.range }));
  return t;
}

/** The RAG engine's input for one value of an indicator. */
function ragInput(config: LoadedConfig, indicator: IndicatorConfig, period: Period, actual: number | null, previous: number | null, lastYear: number | null): RagInput {
  const { tolerance, monitor } = ratingOf(config, indicator);
  const target = ragTargetIn(config.calendar, indicator, period);
  return { polarity: indicator.polarity, monitor, unit: indicator.unit, decimals: indicator.decimals, actual, target, tolerance, previous, lastYear, period: period.id };
}

/**
 * Whether a value has no previous period to be compared with for direction of travel. A
 * year-to-date value restarts with each financial year: its first period's window is that period
 * alone, the previous period's was the whole of last year, so they are not compared (the same
 * period last year, a window of the same length, still is).
 */
function restartsYearToDate(calendar: FinancialCalendar, indicator: IndicatorConfig, period: Period): boolean {
  return indicator.accumulation === 'year_to_date' && period.kind !== 'year' && calendar.positionInYear(period) === 1;
}

/**
 * One value judged: RAG against the target in force with the indicator's tolerance (or the
 * service default and its reason), and direction of travel against the previous period and the
 * same period last year.
 */
export function judgeOne(config: LoadedConfig, indicator: IndicatorConfig, period: Period, actual: number | null, previous: number | null, lastYear: number | null): ValueJudgement {
  const input = ragInput(config, indicator, period, actual, previous, lastYear);
  const judgement = judgeRag(input, ratingOf(config, indicator).scheme);
  return {
    target: input.target?.value ?? null,
    toleranceAmount: judgement.toleranceAmount,
    rag: judgement.status,
    explanation: judgement.explanation,
    directionPrevious: judgement.direction.previous,
    directionLastYear: judgement.direction.lastYear,
  };
}

/** A run's values judged, with previous and last-year values read for the whole pipeline in one query. */
export async function judgeValues(ctx: RunContext, pipeline: LoadedPipeline, period: Period, values: readonly ComputedValue[]): Promise<Map<string, ValueJudgement>> {
  const calendar = ctx.config.calendar;
  const previous = calendar.previous(period);
  const lastYear = calendar.sameLastYear(period);
  const stored = await ctx.store.valuesInPeriods(
    pipeline.indicators.flatMap((i) => [i.id, ...i.replaces]),
    [previous.id, lastYear.id],
  );
  const history = (indicator: IndicatorConfig, at: Period | null) => {
    const ids = [indicator.id, ...indicator.replaces];
    return (at && stored.find((v) => v.periodId === at.id && ids.includes(v.indicatorId))?.value) ?? null;
  };
  const out = new Map<string, ValueJudgement>();
  for (const indicator of pipeline.indicators) {
    const actual = values.find((v) => v.indicatorId === indicator.id)?.value ?? null;
    out.set(indicator.id, judgeOne(ctx.config, indicator, period, actual, history(indicator, restartsYearToDate(calendar, indicator, period) ? null : previous), history(indicator, lastYear)));
  }
  return out;
}

/** A stored value rated afresh: its status and its direction against the previous period. */
export interface RatedValue {
  periodId: string;
  status: RagStatus;
  value: number | null;
  direction: Direction | null;
}

/**
 * Every stored value rated afresh against the targets in force now (a target signed off after a
 * run re-rates the periods it covers), per indicator, oldest period first. A replaced id's values
 * continue its successor's history; where both hold a value for one period, the successor's own
 * stands. Values of ids no pipeline defines are left out. No query is issued.
 *
 * A whole history is 360,000 values, so the work is laid out for that: period ids are numbered
 * once, values sit in one flat array per indicator x period, and each value is rated by status
 * alone, never worded.
 */
export function rateHistory(config: LoadedConfig, series: readonly SeriesPoint[]): Map<string, RatedValue[]> {
  const { calendar } = config;
  const slotOf = new Map<string, number>();
  const indicators: IndicatorConfig[] = [];
  for (const p of config.pipelines) for (const i of p.indicators) indicators.push(i);
  const byId = new Map<string, { slot: number; own: boolean }>();
  indicators.forEach((i, slot) => {
    byId.set(i.id, { slot, own: true });
    for (const old of i.replaces) byId.set(old, { slot, own: false });
  });

  // Period ids of one kind sort as their periods do ('2024-25-Q4' < '2025-26-Q1', '2025-03' < '2025-04').
  for (const v of series) slotOf.set(v.periodId, 0);
  const periodIds = [...slotOf.keys()].sort();
  periodIds.forEach((id, j) => slotOf.set(id, j));
  const periods = periodIds.map((id) => {
    const period = calendar.parse(id);
    return { period, previous: slotOf.get(calendar.previous(period).id) ?? -1, lastYear: slotOf.get(calendar.sameLastYear(period).id) ?? -1 };
  });

  const width = periodIds.length;
  const values = new Float64Array(indicators.length * width);
  // 0: no value stored; 1: null stored; 2: a number stored. Bit 4: stored under the indicator's own id.
  const held = new Uint8Array(indicators.length * width);
  for (const v of series) {
    const at = byId.get(v.indicatorId);
    if (!at) continue;
    const cell = at.slot * width + (slotOf.get(v.periodId) as number);
    if (held[cell]! & 4 && !at.own) continue;
    held[cell] = (v.value === null ? 1 : 2) | (at.own ? 4 : 0);
    values[cell] = v.value ?? 0;
  }
  const valueAt = (row: number, j: number) => (j >= 0 && (held[row + j]! & 3) === 2 ? values[row + j]! : null);

  const rated = new Map<string, RatedValue[]>();
  indicators.forEach((indicator, slot) => {
    const row = slot * width;
    const { scheme } = ratingOf(config, indicator);
    const list: RatedValue[] = [];
    for (let j = 0; j < width; j++) {
      if (!held[row + j]) continue;
      const { period, previous, lastYear } = periods[j]!;
      const compared = restartsYearToDate(calendar, indicator, period) ? -1 : previous;
      const input = ragInput(config, indicator, period, valueAt(row, j), valueAt(row, compared), valueAt(row, lastYear));
      const travel = travelOf(input);
      list.push({ periodId: period.id, status: ragStatus(input, scheme, travel), value: input.actual, direction: travel.previous });
    }
    if (list.length) rated.set(indicator.id, list);
  });
  return rated;
}
