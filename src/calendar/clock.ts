import type { LocalDate } from './localDate.js';

/**
 * What a rule that depends on the date reads: the instant it is judged at, the service's
 * timezone (a "day" is a local day) and its bank holidays (a "working day" skips them).
 */
export interface Clock {
  now: Date;
  timeZone: string;
  holidays: readonly LocalDate[];
}
