import { createTask, parse } from 'node-cron';
import { addDays, dateIn, localDateTime, zonedInstant } from './localDate.js';

/** Firings looked at: a schedule every five minutes is seen over 33 hours, a monthly one over 33 years. */
const FIRINGS = 400;

/**
 * The longest a schedule leaves between two runs, in seconds, in its timezone (a daily run is
 * 25 hours apart once a year, as the clocks go back): how long a pipeline may go without a run
 * before it is late.
 */
export function scheduleInterval(schedule: string, timeZone: string): number {
  const task = createTask(schedule, () => undefined, { timezone: timeZone });
  try {
    const runs = task.getNextRuns(FIRINGS);
    let longest = 0;
    for (let i = 1; i < runs.length; i++) longest = Math.max(longest, runs[i]!.getTime() - runs[i - 1]!.getTime());
    return longest / 1000;
  } finally {
    void task.destroy();
  }
}

/** One firing of a schedule: its local wall-clock time (what a slot is keyed by) and the instant it first fell due. */
export interface Slot {
  slot: string;
  at: Date;
}

/** The slot a firing at `instant` is: its wall-clock time, so that the autumn hour's two firings of 01:30 are one slot. */
export function slotAt(instant: Date, timeZone: string): Slot {
  return { slot: localDateTime(instant, timeZone), at: instant };
}

/** How far back missed slots are looked for, and how many firings at most are looked at on the way. */
const LOOK_BACK_DAYS = 400;
const CANDIDATES = 200_000;

/**
 * The slots of `schedule` after `after` and before `before`, newest first, at most `limit`;
 * `more` when there were others besides (older, or beyond what was looked at). Worked out day by
 * day in the schedule's timezone from its hours, minutes and seconds, each candidate asked of
 * node-cron itself, so days of the month and week (L, 2#1) mean what they mean to the scheduler.
 * A wall-clock time the clocks skip (spring) is no slot, as node-cron never fires it.
 */
export function slotsBetween(schedule: string, timeZone: string, after: Date, before: Date, limit: number): { slots: Slot[]; more: boolean } {
  const fields = parse(schedule);
  const task = createTask(schedule, () => undefined, { timezone: timeZone });
  const times = fields.hour.flatMap((h) => fields.minute.flatMap((m) => fields.second.map((s) => [h, m, s].map((n) => String(n).padStart(2, '0')).join(':')))).sort().reverse();
  const slots: Slot[] = [];
  const first = dateIn(after, timeZone);
  let looked = 0;
  let day = dateIn(before, timeZone);
  try {
    for (let back = 0; day >= first && back <= LOOK_BACK_DAYS; day = addDays(day, -1), back++) {
      for (const time of times) {
        if (++looked > CANDIDATES) return { slots, more: true };
        const slot = `${day}T${time}`;
        const at = zonedInstant(slot, timeZone)!;
        if (at >= before || localDateTime(at, timeZone) !== slot || !task.match(at)) continue;
        if (at <= after) return { slots, more: false };
        if (slots.length === limit) return { slots, more: true };
        slots.push({ slot, at });
      }
    }
    // Stopped by the look-back, not by reaching `after`: older slots may have gone unseen.
    return { slots, more: day >= first };
  } finally {
    void task.destroy();
  }
}

/** When `schedule` next fires from now, in its timezone. */
export function nextFiring(schedule: string, timeZone: string): Date | null {
  const task = createTask(schedule, () => undefined, { timezone: timeZone });
  try {
    return task.getNextRuns(1)[0] ?? null;
  } finally {
    void task.destroy();
  }
}
