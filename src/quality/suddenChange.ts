import type { CheckConfig } from '../config/schema.js';
import type { CheckOutcome } from './result.js';

type SuddenChange = Extract<CheckConfig, { type: 'sudden_change' }>;

/** An earlier value of the indicator, and whether it may stand in the baseline. */
export interface HistoryPoint {
  periodId: string;
  /** Position in the financial year (month 1-12 or quarter 1-4), for seasonal baselines. */
  season: number;
  value: number | null;
  /** Computed from data that failed a check, or a change a data-quality lead acknowledged. */
  excluded: boolean;
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));

/**
 * Whether `value` moves against the indicator's own history more than the check allows. The
 * baseline leaves out points from failed data and acknowledged changes, so one bad month does
 * not hide the next; a seasonal baseline compares a month only with the same month of other years.
 */
export function suddenChange(check: SuddenChange, value: number | null, season: number, history: readonly HistoryPoint[]): CheckOutcome {
  const none = (detail: string): CheckOutcome => ({ failing: 0, checked: null, sample: [], detail });
  if (value === null) return none('no value to compare');
  const baseline = history.filter((p) => p.value !== null && !p.excluded && (!check.seasonal || p.season === season)).map((p) => p.value!);
  const kind = check.seasonal ? 'same-season points' : 'earlier points';
  if (baseline.length < check.min_history) return none(`${baseline.length} ${kind}, fewer than the ${check.min_history} needed to judge`);

  const mean = baseline.reduce((a, b) => a + b, 0) / baseline.length;
  const move = value - mean;
  const directionOk = check.direction === 'both' || (check.direction === 'rise' ? move > 0 : move < 0);
  let measure: number;
  let described: string;
  if (check.method === 'zscore') {
    const variance = baseline.reduce((a, b) => a + (b - mean) ** 2, 0) / (baseline.length - 1);
    const sd = Math.sqrt(variance);
    measure = sd === 0 ? (move === 0 ? 0 : Infinity) : Math.abs(move) / sd;
    described = `${sd === 0 ? 'a move from a constant history' : `${measure.toFixed(1)} standard deviations`} ${move >= 0 ? 'above' : 'below'} the mean ${fmt(mean)} of ${baseline.length} ${kind}`;
  } else {
    measure = mean === 0 ? (move === 0 ? 0 : Infinity) : (Math.abs(move) / Math.abs(mean)) * 100;
    described = `${Number.isFinite(measure) ? `${measure.toFixed(1)}%` : 'a move from zero'} ${move >= 0 ? 'above' : 'below'} the mean ${fmt(mean)} of ${baseline.length} ${kind}`;
  }
  const material = Math.abs(move) >= check.materiality;
  const flagged = directionOk && material && measure > check.threshold;
  const why = !directionOk ? ' (not the direction watched)' : !material ? ` (under the materiality floor of ${check.materiality})` : '';
  return {
    failing: flagged ? 1 : 0,
    checked: null,
    sample: flagged ? [{ value, baseline_mean: mean, baseline_points: baseline.length }] : [],
    detail: `${fmt(value)} is ${described}, threshold ${check.threshold}${check.method === 'percent' ? '%' : ''}${why}`,
  };
}
