import type { CheckConfig } from '../config/schema.js';

/** What a check measured, before its thresholds are applied. */
export interface CheckOutcome {
  /** Failing rows (or, for a check of a whole, 1 when it fails and 0 when it holds). */
  failing: number;
  /** Rows checked, the base of a percentage threshold; null for a check of a whole. */
  checked: number | null;
  sample: Record<string, unknown>[];
  /** What was found, in words and numbers, e.g. "newest record 2026-03-29 is 3 days old". */
  detail?: string;
}

export type CheckStatus = 'passed' | 'warned' | 'failed' | 'error';
export type DataQuality = 'passed' | 'warned' | 'failed';

export interface CheckResult {
  checkId: string;
  type: CheckConfig['type'];
  /** The check's own severity, but warn when only `warn_when` holds. */
  severity: 'warn' | 'error';
  status: CheckStatus;
  failing: number | null;
  checked: number | null;
  /** Failing rows as a share of rows checked, 0-100; null where nothing was counted. */
  share: number | null;
  sample: Record<string, unknown>[];
  message: string;
}
