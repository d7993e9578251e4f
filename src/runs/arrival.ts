import { addDays, type LocalDate } from '../calendar/localDate.js';
import type { Period } from '../calendar/periods.js';
import { dateInWords, recordDateOf } from '../calendar/recordDate.js';
import type { LoadedPipeline } from '../config/load.js';
import { quoted } from '../text.js';

/** Whether a period's data is in, by the newest record's date; and if not, why, in words. */
export type Arrival = { arrived: true } | { arrived: false; reason: string };

/**
 * Whether a pipeline's periods can be awaiting data: a CSV pipeline reads its newest record off
 * its date field, a database pipeline through its arrival query; a historical one never waits.
 */
export function awaitsArrival(pipeline: LoadedPipeline, csv: boolean): boolean {
  return !pipeline.historical && (csv || pipeline.arrival?.newest !== undefined);
}

/**
 * A period has arrived when the newest record is dated on or after its last day, less the grace
 * (in days). Before then, a count of 0 or a sum of £0 would only say that nothing was sent yet.
 */
export function arrivalOf(period: Period, newest: LocalDate | undefined, graceDays: number): Arrival {
  const lastDay = addDays(period.end, -1);
  if (newest !== undefined && newest >= addDays(lastDay, -graceDays)) return { arrived: true };
  const held = newest === undefined ? 'the source holds no records' : `the newest record is ${dateInWords(newest)}`;
  return { arrived: false, reason: `no data received for ${period.id}: ${held}` };
}

/**
 * The newest record's day from what the source gave: none when it holds no records (NULL), and
 * an error for a value that is no date or time, which must never read as "no data yet".
 */
export function newestDayOf(raw: unknown, timeZone: string): LocalDate | undefined {
  if (raw === null || raw === undefined) return undefined;
  const date = recordDateOf(raw, timeZone);
  if (!date) throw new Error(`the newest record's date is ${quoted(String(raw))}, which is not a date or time: arrival.newest must give one`);
  return date.day;
}
