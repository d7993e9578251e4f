import { THRESHOLD, type CheckConfig } from '../config/schema.js';
import { failWhenOf } from './checkRegistry.js';
import type { CheckOutcome, CheckResult, CheckStatus, DataQuality } from './result.js';
import { sampleRows } from './sample.js';

interface Threshold {
  op: string;
  value: number;
  percent: boolean;
}

function parseThreshold(text: string): Threshold {
  const m = THRESHOLD.exec(text);
  if (!m) throw new Error(`not a threshold: ${text}`);
  return { op: m[1] as string, value: Number(m[2]), percent: m[3] === '%' };
}

function holds(t: Threshold, failing: number, share: number | null): boolean {
  // validate refuses a share threshold on a check that counts no rows; never guess one here.
  if (t.percent && share === null) throw new Error('a share threshold needs the rows checked, and this check counts none');
  const x = t.percent ? share! : failing;
  switch (t.op) {
    case '>':
      return x > t.value;
    case '>=':
      return x >= t.value;
    case '<':
      return x < t.value;
    case '<=':
      return x <= t.value;
    default:
      return x === t.value;
  }
}

/** Applies a check's thresholds to what it measured. */
export function applyThresholds(check: CheckConfig, outcome: CheckOutcome): CheckResult {
  const share = outcome.checked ? (outcome.failing / outcome.checked) * 100 : outcome.checked === 0 ? 0 : null;
  const failed = holds(parseThreshold(failWhenOf(check)), outcome.failing, share);
  const warned = !failed && check.warn_when !== undefined && holds(parseThreshold(check.warn_when), outcome.failing, share);
  const status: CheckStatus = failed ? 'failed' : warned ? 'warned' : 'passed';
  const counted = outcome.checked === null ? '' : ` of ${outcome.checked} row${outcome.checked === 1 ? '' : 's'}${share === null ? '' : ` (${share.toFixed(1)}%)`}`;
  const verdict = failed ? `fails (${failWhenOf(check)})` : warned ? `warns (${check.warn_when})` : 'passes';
  const base = `${outcome.failing}${counted} failing: ${verdict}`;
  return {
    checkId: check.id,
    type: check.type,
    severity: warned ? 'warn' : check.severity,
    status,
    failing: outcome.failing,
    checked: outcome.checked,
    share,
    sample: status === 'passed' ? [] : sampleRows(outcome.sample, check.sample),
    message: outcome.detail ? `${outcome.detail}: ${verdict}` : base,
  };
}

/** A check that could not run (a bad column, a query error): distinct from one that failed. */
export function errored(check: CheckConfig, err: unknown): CheckResult {
  return {
    checkId: check.id,
    type: check.type,
    severity: check.severity,
    status: 'error',
    failing: null,
    checked: null,
    share: null,
    sample: [],
    message: `could not run: ${(err as Error).message ?? String(err)}`,
  };
}

/**
 * The flag a period's values carry: failed when an error-severity check failed, warned when a
 * check failed at warn, warned, or could not run (its data cannot be vouched for), else passed.
 */
export function dataQualityOf(results: readonly CheckResult[]): DataQuality {
  if (results.some((r) => r.status === 'failed' && r.severity === 'error')) return 'failed';
  if (results.some((r) => r.status !== 'passed')) return 'warned';
  return 'passed';
}

/** A period's flag, no better than warned when its source left something out. */
export function atLeastWarned(quality: DataQuality, somethingLeftOut: boolean): DataQuality {
  return somethingLeftOut && quality === 'passed' ? 'warned' : quality;
}
