import type { LoadedConfig } from '../config/load.js';
import type { IndicatorConfig } from '../config/schema.js';
import { ragStatus, travelOf, type Direction, type RagStatus } from '../rag/index.js';
import { ragInput, ratingOf, restartsYearToDate } from './rating.js';

/** One point of an indicator's stored history: what rating a whole history reads. */
export interface SeriesPoint {
  indicatorId: string;
  periodId: string;
  value: number | null;
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
