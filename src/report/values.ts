import type { LoadedConfig } from '../config/load.js';
import type { IndicatorConfig } from '../config/schema.js';
import type { RunStore, StoredValue } from '../store/runs.js';
import { indicatorNamed } from './indicators.js';

export interface HistoryRequest {
  from?: string;
  to?: string;
  /** Also the values later runs revised. */
  revisions?: boolean;
}

/** An indicator's stored history, including the ids it replaces. */
export interface IndicatorHistory {
  indicator: IndicatorConfig;
  ids: string[];
  values: StoredValue[];
}

/** The stored history of the indicator an id names (a replaced id finds its successor), periods from..to. */
export async function indicatorHistory(config: LoadedConfig, runs: RunStore, id: string, request: HistoryRequest = {}): Promise<IndicatorHistory> {
  const indicator = indicatorNamed(config, id);
  const ids = [indicator.id, ...indicator.replaces];
  const range = {
    from: request.from ? config.calendar.parse(request.from).start : undefined,
    to: request.to ? config.calendar.parse(request.to).end : undefined,
  };
  return { indicator, ids, values: await runs.storedValues(ids, { ...range, includeRevised: !!request.revisions }) };
}

/** The documented `values --json` shape (README, "JSON output"). */
export function historyJson(h: IndicatorHistory) {
  return {
    indicator: h.indicator.id,
    title: h.indicator.title,
    unit: h.indicator.unit,
    ids: h.ids,
    values: h.values.map((v) => ({
      indicator: v.indicatorId,
      period: v.periodId,
      periodStart: v.periodStart,
      periodEnd: v.periodEnd,
      value: v.value,
      numerator: v.numerator,
      denominator: v.denominator,
      reason: v.reason,
      dataQuality: v.dataQuality,
      revision: v.revision,
      recordedAt: v.recordedAt,
      supersededAt: v.supersededAt,
    })),
  };
}
