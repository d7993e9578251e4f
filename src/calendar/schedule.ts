import { createTask } from 'node-cron';

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
