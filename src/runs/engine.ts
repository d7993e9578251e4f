import type { Clock } from '../calendar/clock.js';
import type { Period } from '../calendar/periods.js';
import type { CheckConfig } from '../config/schema.js';
import type { ComputedValue } from '../indicators/compute.js';
import type { CheckOutcome } from '../quality/result.js';

export interface Computed {
  values: ComputedValue[];
  rowsRead: number;
  rowsRejected: number;
  /** The period lies before the source's first record: its values are shown but not stored. */
  noRows?: boolean;
  /** What the source could not give, in words: malformed rows left out, files that could not be read. The period's data quality is at most warned. */
  warnings?: string[];
}

/** How one kind of source computes a pipeline's values and measures its checks of rows for a period. */
export interface Engine {
  /**
   * The newest record's date as the source gives it, read once however many periods are run:
   * a CSV pipeline's newest date field, a database pipeline's arrival query; undefined for a
   * database pipeline that declares none.
   */
  newestRecord(): Promise<unknown>;
  compute(period: Period): Promise<Computed>;
  measure(check: CheckConfig, period: Period, clock: Clock): Promise<CheckOutcome>;
}
