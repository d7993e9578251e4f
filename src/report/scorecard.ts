import { KIND_OF_FREQUENCY, type Period } from '../calendar/periods.js';
import type { LoadedConfig } from '../config/load.js';
import type { IndicatorConfig } from '../config/schema.js';
import type { RunStore, StoredValue } from '../store/runs.js';

export interface ScorecardFilter {
  /** As at this period; default the latest complete month. */
  period?: string;
  service?: string;
  clinic?: string;
  priority?: string;
}

export interface ScorecardLine {
  indicator: IndicatorConfig;
  pipelineId: string;
  period: Period;
  stored: StoredValue | undefined;
  /** With no value stored: why, when the period's latest run found its data not yet in. */
  awaiting: string | null;
}

export interface Scorecard {
  asAt: Period;
  lines: ScorecardLine[];
}

/**
 * Which period each indicator stands at as at a period, nothing read yet: its own latest period
 * within it, the period of its frequency that contains the last day of the one asked for, or
 * the one before if that has not ended by then.
 */
export function scorecardPeriods(config: LoadedConfig, filter: ScorecardFilter, today: string): Scorecard {
  const { calendar } = config;
  const asAt = filter.period ? calendar.parse(filter.period) : calendar.latestComplete(today, 'month');
  const lines: ScorecardLine[] = [];
  for (const pipeline of config.pipelines) {
    const kind = KIND_OF_FREQUENCY[pipeline.frequency];
    let period = calendar.containing(calendar.previous(calendar.containing(asAt.end, 'month')).start, kind);
    if (period.end > asAt.end) period = calendar.previous(period);
    for (const indicator of pipeline.indicators) {
      if (filter.service && indicator.service !== filter.service) continue;
      if (filter.clinic && indicator.clinic !== filter.clinic) continue;
      if (filter.priority && indicator.priority !== filter.priority) continue;
      lines.push({ indicator, pipelineId: pipeline.id, period, stored: undefined, awaiting: null });
    }
  }
  return { asAt, lines };
}

/**
 * Every indicator as at a period (scorecardPeriods), with its value. Read in one query whatever
 * the number of indicators, and one more for the latest runs of periods with no value, which
 * say when a period is still awaiting its data.
 */
export async function scorecard(config: LoadedConfig, runs: RunStore, filter: ScorecardFilter, today: string): Promise<Scorecard> {
  const { asAt, lines } = scorecardPeriods(config, filter, today);
  const stored = await runs.valuesInPeriods(
    lines.map((l) => l.indicator.id),
    [...new Set(lines.map((l) => l.period.id))],
  );
  const byKey = new Map(stored.map((v) => [`${v.indicatorId}/${v.periodId}`, v]));
  for (const l of lines) l.stored = byKey.get(`${l.indicator.id}/${l.period.id}`);
  const unvalued = lines.filter((l) => !l.stored);
  if (unvalued.length) {
    const latest = await runs.latestRuns([...new Set(unvalued.map((l) => l.pipelineId))], [...new Set(unvalued.map((l) => l.period.id))]);
    const awaiting = new Map(latest.filter((r) => r.outcome === 'awaiting').map((r) => [`${r.pipelineId}/${r.periodId}`, r.reason]));
    for (const l of unvalued) l.awaiting = awaiting.get(`${l.pipelineId}/${l.period.id}`) ?? null;
  }
  return { asAt, lines };
}

/** The documented JSON shape of a scorecard line (README, "JSON output"). */
export function scorecardLineJson(l: ScorecardLine) {
  const v = l.stored;
  return {
    indicator: l.indicator.id,
    title: l.indicator.title,
    unit: l.indicator.unit,
    pipeline: l.pipelineId,
    service: l.indicator.service,
    clinic: l.indicator.clinic ?? null,
    priority: l.indicator.priority ?? null,
    owner: l.indicator.owner ?? null,
    period: l.period.id,
    value: v?.value ?? null,
    target: v?.judgement?.target ?? null,
    tolerance: v?.judgement?.toleranceAmount ?? null,
    rag: v?.judgement?.rag ?? (v ? 'NOT_JUDGED' : 'MISSING'),
    directionPrevious: v?.judgement?.directionPrevious ?? null,
    directionLastYear: v?.judgement?.directionLastYear ?? null,
    dataQuality: v?.dataQuality ?? null,
    explanation: v?.judgement?.explanation ?? (v ? '' : `MISSING: ${l.awaiting ?? `no value stored for ${l.period.id}`}`),
  };
}

const CSV_COLUMNS = ['indicator', 'title', 'unit', 'pipeline', 'service', 'clinic', 'priority', 'owner', 'period', 'value', 'target', 'tolerance', 'rag', 'directionPrevious', 'directionLastYear', 'dataQuality', 'explanation'] as const;

/** The documented `scorecard --format json` shape. */
export function scorecardJson(card: Scorecard) {
  return { asAt: card.asAt.id, indicators: card.lines.map(scorecardLineJson) };
}

/** The `--format csv` rows: the JSON line's columns. */
export function scorecardCsv(card: Scorecard): unknown[][] {
  return [[...CSV_COLUMNS], ...card.lines.map((l) => {
    const j = scorecardLineJson(l);
    return CSV_COLUMNS.map((c) => j[c]);
  })];
}
