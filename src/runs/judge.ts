import type { Period } from '../calendar/periods.js';
import type { LoadedConfig, LoadedPipeline } from '../config/load.js';
import type { IndicatorConfig, TargetConfig } from '../config/schema.js';
import type { ComputedValue } from '../quality/indicatorChecks.js';
import { judgeRag, schemeNamed, type RagScheme, type RagTarget, type RagTolerance } from '../rag/index.js';
import type { SeriesPoint, ValueJudgement } from '../store/store.js';
import { targetInForce } from '../targets/inForce.js';
import type { RunContext } from './execute.js';

/**
 * One value judged: RAG against the target in force with the indicator's tolerance (or the
 * service default and its reason), and direction of travel against the previous period and the
 * same period last year.
 */
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

function ragTargetOf(target: TargetConfig): RagTarget {
  let t = ragTargets.get(target);
  if (!t) ragTargets.set(target, (t = { value: target.value, floor: target.floor, stretch: target.stretch, range: target.range }));
  return t;
}

export function judgeOne(config: LoadedConfig, indicator: IndicatorConfig, period: Period, actual: number | null, previous: number | null, lastYear: number | null): ValueJudgement {
  const { scheme, tolerance, monitor } = ratingOf(config, indicator);
  const target = targetInForce(config.calendar, indicator, period)?.target;
  const judgement = judgeRag(
    {
      polarity: indicator.polarity,
      monitor,
      unit: indicator.unit,
      decimals: indicator.decimals,
      actual,
      target: target ? ragTargetOf(target) : null,
      tolerance,
      previous,
      lastYear,
      period: period.id,
    },
    scheme,
  );
  return {
    target: target?.value ?? null,
    toleranceAmount: judgement.toleranceAmount,
    rag: judgement.status,
    // Worded when read (stored, printed), not when judged in bulk for risk triggers.
    get explanation() {
      return judgement.explanation;
    },
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
  const history = (indicator: IndicatorConfig, periodId: string) => {
    const ids = [indicator.id, ...indicator.replaces];
    return stored.find((v) => v.periodId === periodId && ids.includes(v.indicatorId))?.value ?? null;
  };
  const out = new Map<string, ValueJudgement>();
  for (const indicator of pipeline.indicators) {
    const actual = values.find((v) => v.indicatorId === indicator.id)?.value ?? null;
    out.set(indicator.id, judgeOne(ctx.config, indicator, period, actual, history(indicator, previous.id), history(indicator, lastYear.id)));
  }
  return out;
}

/**
 * Every stored value judged afresh against the targets in force now (a target signed off after
 * a run re-rates the periods it covers), each handed to `visit` and kept by nobody here: a whole
 * history is 360,000 judgements, and callers keep a word or two of each. No query is issued.
 */
export function judgeEach(config: LoadedConfig, series: readonly SeriesPoint[], visit: (point: SeriesPoint, judgement: ValueJudgement) => void): void {
  const indicators = new Map<string, IndicatorConfig>();
  for (const p of config.pipelines) for (const i of p.indicators) for (const id of [i.id, ...i.replaces]) indicators.set(id, i);
  const valueAt = new Map<string, Map<string, number | null>>();
  for (const v of series) {
    const id = indicators.get(v.indicatorId)?.id ?? v.indicatorId;
    let byPeriod = valueAt.get(id);
    if (!byPeriod) valueAt.set(id, (byPeriod = new Map()));
    byPeriod.set(v.periodId, v.value);
  }
  const periods = new Map<string, { period: Period; previous: string; lastYear: string }>();
  const periodOf = (id: string) => {
    let p = periods.get(id);
    if (!p) {
      const period = config.calendar.parse(id);
      p = { period, previous: config.calendar.previous(period).id, lastYear: config.calendar.sameLastYear(period).id };
      periods.set(id, p);
    }
    return p;
  };
  for (const v of series) {
    const indicator = indicators.get(v.indicatorId);
    if (!indicator) continue;
    const { period, previous, lastYear } = periodOf(v.periodId);
    const history = valueAt.get(indicator.id);
    visit(v, judgeOne(config, indicator, period, v.value, history?.get(previous) ?? null, history?.get(lastYear) ?? null));
  }
}
