import type { LocalDate } from '../calendar/localDate.js';
import type { FinancialCalendar, Period } from '../calendar/periods.js';
import type { LoadedPipeline } from '../config/load.js';
import type { IndicatorConfig } from '../config/schema.js';
import { isFailing } from '../quality/failedCheckLog.js';
import type { HistoryPoint } from '../quality/suddenChange.js';
import type { CheckResult, DataQuality } from '../quality/result.js';
import { SUSPECT_HISTORY, weighsSuspicion, type EarlierValue } from '../quality/suspect.js';
import type { JudgedValue } from './record.js';

/** A stored value, as a run reads the history it judges and checks against. */
export interface HistoryValue {
  indicatorId: string;
  periodId: string;
  periodStart: LocalDate;
  value: number | null;
  dataQuality: DataQuality;
}

/**
 * What a run reads of the store, and nothing more: current values in given periods (for
 * direction of travel), the series before a date (for sudden_change baselines), and the periods
 * in which checks have an open or acknowledged failed-check log entry; `from` bounds the series
 * to the periods the suspect-values check reads.
 */
export interface RunHistorySource {
  valuesInPeriods(indicatorIds: string[], periodIds: string[]): Promise<HistoryValue[]>;
  seriesBefore(indicatorIds: string[], before: LocalDate, from?: LocalDate): Promise<HistoryValue[]>;
  flaggedPeriods(checkIds: string[], pipelineId: string): Promise<{ checkId: string; periodId: string }[]>;
}

const key = (indicatorId: string, periodId: string) => `${indicatorId}\u0000${periodId}`;

/**
 * The history one pipeline run needs, read once before its first period and kept current as the
 * run records each period, so that a run over a year judges April's direction of travel against
 * March as it just recorded it, without reading the store again.
 */
export class PipelineHistory {
  private readonly values = new Map<string, HistoryValue>();
  private readonly flagged = new Set<string>();

  private constructor(private readonly calendar: FinancialCalendar) {}

  static async read(source: RunHistorySource, calendar: FinancialCalendar, pipeline: LoadedPipeline, periods: readonly Period[]): Promise<PipelineHistory> {
    const history = new PipelineHistory(calendar);
    if (!periods.length) return history;
    const ids = pipeline.indicators.flatMap((i) => [i.id, ...i.replaces]);
    const compared = [...new Set(periods.flatMap((p) => [calendar.previous(p).id, calendar.sameLastYear(p).id]))];
    const sudden = pipeline.checks.flatMap((c) => (c.type === 'sudden_change' ? [c] : []));
    const seriesIds = pipeline.indicators.filter((i) => sudden.some((c) => c.indicator === i.id)).flatMap((i) => [i.id, ...i.replaces]);
    const last = periods.reduce((a, b) => (b.start > a.start ? b : a));
    // The suspect-values check reads only the few periods before each one run.
    const whole = new Set(seriesIds);
    const recentIds = pipeline.indicators.filter(weighsSuspicion).flatMap((i) => [i.id, ...i.replaces]).filter((id) => !whole.has(id));
    let from = periods.reduce((a, b) => (b.start < a.start ? b : a));
    for (let n = 0; n < SUSPECT_HISTORY; n++) from = calendar.previous(from);
    const [inPeriods, series, recent, flagged] = await Promise.all([
      source.valuesInPeriods(ids, compared),
      seriesIds.length ? source.seriesBefore(seriesIds, last.start) : [],
      recentIds.length ? source.seriesBefore(recentIds, last.start, from.start) : [],
      sudden.length ? source.flaggedPeriods(sudden.map((c) => c.id), pipeline.id) : [],
    ]);
    for (const v of [...inPeriods, ...series, ...recent]) history.values.set(key(v.indicatorId, v.periodId), v);
    for (const f of flagged) history.flagged.add(key(f.checkId, f.periodId));
    return history;
  }

  /** The indicator's value for a period: its own id's, else the first replaced id's that has one. */
  valueAt(indicator: IndicatorConfig, periodId: string): number | null {
    for (const id of [indicator.id, ...indicator.replaces]) {
      const v = this.values.get(key(id, periodId));
      if (v) return v.value;
    }
    return null;
  }

  /** The values of up to `n` periods just before `period`, oldest first, back to the first period without one. */
  earlier(indicator: IndicatorConfig, period: Period, n: number): EarlierValue[] {
    const out: EarlierValue[] = [];
    for (let p = this.calendar.previous(period); out.length < n; p = this.calendar.previous(p)) {
      const value = this.valueAt(indicator, p.id);
      if (value === null) break;
      out.unshift({ periodId: p.id, value });
    }
    return out;
  }

  /**
   * The indicator's earlier values in periods of the same kind as `period`, for a sudden_change
   * baseline: each stored value of its ids, with points from failed data or flagged by the
   * check's failed-check log entry marked excluded.
   */
  baseline(indicator: IndicatorConfig, checkId: string, period: Period): HistoryPoint[] {
    const ids = new Set([indicator.id, ...indicator.replaces]);
    const points: HistoryPoint[] = [];
    // Oldest first, as the store returns a series, so that the baseline is summed in one order.
    const earlier = [...this.values.values()]
      .filter((v) => ids.has(v.indicatorId) && v.periodStart < period.start)
      .sort((a, b) => (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : a.indicatorId < b.indicatorId ? -1 : 1));
    for (const v of earlier) {
      const p = this.calendar.parse(v.periodId);
      if (p.kind !== period.kind) continue;
      points.push({
        periodId: v.periodId,
        season: this.calendar.positionInYear(p),
        value: v.value,
        excluded: v.dataQuality === 'failed' || this.flagged.has(key(checkId, v.periodId)),
      });
    }
    return points;
  }

  /** A period's values as the run just recorded them; they replace what was read. */
  recorded(period: Period, values: readonly JudgedValue[]): void {
    for (const v of values) {
      this.values.set(key(v.indicatorId, period.id), { indicatorId: v.indicatorId, periodId: period.id, periodStart: period.start, value: v.value, dataQuality: v.dataQuality });
    }
  }

  /** A period's check results, opening and resolving its failed-check log entries as the store does. */
  checked(period: Period, results: readonly CheckResult[]): void {
    for (const r of results) {
      const failing = isFailing(r);
      if (failing === true) this.flagged.add(key(r.checkId, period.id));
      if (failing === false) this.flagged.delete(key(r.checkId, period.id));
    }
  }
}
