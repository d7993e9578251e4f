import { dateInWords } from '../calendar/recordDate.js';
import type { DemoTimeline } from './council.js';
import { calendarMonthOf, dateOf, isBankHoliday, isWorkingDay, monthOf, ukDateOf, weekdayOf, workingDayOnOrBefore, type Day } from './dates.js';
import { randomStream } from './random.js';

/*
 * The contact centre's telephony platform. Its reporting module exports a month at a time, a row
 * per queue for each day the centre is open, into a folder the performance team reads.
 */

/** A queue of the platform's call menu, answered by a team of its own. */
export interface Queue {
  name: string;
  /** Calls offered on an ordinary Wednesday. */
  calls: number;
  /** Demand by calendar month, January first. */
  season: readonly number[];
  /** How far its team's service level sits from the centre's. */
  edge: number;
}

const QUEUES: readonly Queue[] = [
  // Annual bills land in March; reminders and instalment changes follow in April.
  { name: 'Council Tax and Benefits', calls: 230, season: [1.1, 1.0, 1.3, 1.6, 1.1, 1.0, 1.0, 0.95, 0.95, 1.0, 1.0, 0.8], edge: -0.02 },
  // Heating, damp and frozen pipes.
  { name: 'Housing Repairs', calls: 170, season: [1.35, 1.2, 1.0, 0.95, 0.95, 0.9, 0.9, 0.9, 0.95, 1.05, 1.15, 1.25], edge: 0 },
  // Christmas collection changes, then garden waste renewals in March.
  { name: 'Waste and Recycling', calls: 120, season: [1.4, 1.0, 1.25, 1.1, 1.0, 1.0, 1.05, 1.1, 1.0, 1.0, 1.0, 1.15], edge: 0.03 },
  { name: 'General Enquiries', calls: 100, season: [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 0.9, 1.0, 1.0, 1.0, 0.85], edge: 0.02 },
];
const ORDINARY_DAY = QUEUES.reduce((sum, q) => sum + q.calls, 0);
/** Demand by day of the week, Sunday first: Monday takes the weekend's calls. */
const WEEKDAY = [0, 1.3, 1.05, 1.0, 0.95, 0.8, 0];
/** The first day back after a bank holiday takes the holiday's calls too. */
const AFTER_HOLIDAY = 1.25;
/** Share of calls answered within 60 seconds in an ordinary month, by the year as written (see WRITTEN_YEARS). */
const SERVICE_LEVEL: Record<number, number> = { 2023: 0.76, 2024: 0.8, 2025: 0.83 };
/** The rota does not flex with the season: the service level lost for each 1 of demand above the ordinary. */
const STRAIN = 0.5;

const HEADER = ['Date', 'Queue', 'Calls Offered', 'Calls Answered', 'Answered Within 60s', 'Calls Abandoned', 'Average Speed of Answer (s)'];

/** The platform's reporting server lost a day's service-level counters when it was patched. */
const LOST_COUNTERS_DAY = '2024-09-17';
/** A supplier patch that added a Callbacks cell to every row but not to the header, until rolled back at the month's end. */
const EXTRA_CELL_FROM = '2023-10-23';
/**
 * The month an upgrade reset the platform's service-level threshold to its blank default, so it
 * counted no call as answered within 60 seconds: a 0 the built-in suspect-values check questions.
 * It is the latest month, whatever the day, so that the demo's run cycle raises it as an exception.
 */
export function noThresholdMonth(t: DemoTimeline): string {
  return t.months[t.months.length - 1]!.id;
}

/**
 * A queue the same upgrade added to the call menu before the performance team agreed it: its
 * calls, from the latest month's second week, fail the check that every queue is known.
 */
export const UNAGREED_QUEUE: Queue = { name: 'Cost of Living Support', calls: 90, season: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], edge: -0.05 };

/** The name the platform gives a month's export. */
const exportName = (month: string) => `calls_${month}.csv`;
/** Any month's export, by its name. */
export const CALLS_EXPORT = /^calls_\d{4}-\d{2}\.csv$/;

export interface DemoExport {
  /** The file's name, `calls_YYYY-MM.csv`. */
  name: string;
  text: string;
}

/** A problem planted in one month's export: rows a CSV pipeline must count as malformed. */
export interface PlantedExportProblem {
  /** `malformed`: a few rows, which the month's run leaves out with a warning; `broken`: too many rows, so the month's run fails. */
  kind: 'malformed' | 'broken';
  file: string;
  /** The malformed rows' lines in the file (the header is line 1). */
  lines: number[];
  /** The month the file is the export of. */
  period: string;
  /** The story, dated in the timeline's years: the demo prints it beside the run. */
  what: string;
}

/** Every month's export of the timeline, and the problems planted in two of them (both in years every timeline has whole). */
export function contactCentreModel(t: DemoTimeline): { exports: DemoExport[]; planted: PlantedExportProblem[] } {
  const rnd = randomStream('contact-centre');
  const lostCounters = workingDayOnOrBefore(t.day(LOST_COUNTERS_DAY));
  const extraCellFrom = t.day(EXTRA_CELL_FROM);
  const plant = (kind: PlantedExportProblem['kind'], day: Day, what: string): PlantedExportProblem => ({ kind, file: exportName(monthOf(day)), lines: [], period: monthOf(day), what });
  const malformed = plant('malformed', lostCounters, `the telephony reporting server was patched on ${dateInWords(dateOf(lostCounters))} and lost that day's service-level counters: every queue's row reads n/a`);
  const broken = plant(
    'broken',
    extraCellFrom,
    `a supplier patch to the telephony platform on ${dateInWords(dateOf(extraCellFrom))} added a Callbacks cell to every row of the export but not to its header, until it was rolled back at the month's end`,
  );
  const noThreshold = noThresholdMonth(t);
  const unagreedFrom = t.months[t.months.length - 1]!.start + 7;
  const exports = t.months.map((month): DemoExport => {
    const lines = [HEADER.join(',')];
    for (let day: Day = month.start; day < month.end; day++) {
      if (!isWorkingDay(day)) continue;
      const season = calendarMonthOf(day) - 1;
      const load = QUEUES.reduce((sum, q) => sum + q.calls * (q.season[season] as number), 0) / ORDINARY_DAY;
      const centreLevel = (SERVICE_LEVEL[t.writtenYear(month.fyYear)] as number) - STRAIN * (load - 1) + 0.03 * rnd.normal();
      const demand = (WEEKDAY[weekdayOf(day)] as number) * (isBankHoliday(day - 1) ? AFTER_HOLIDAY : 1);
      for (const queue of day >= unagreedFrom ? [...QUEUES, UNAGREED_QUEUE] : QUEUES) {
        const offered = rnd.poisson(queue.calls * (queue.season[season] as number) * demand);
        const level = Math.min(0.95, Math.max(0.3, centreLevel + queue.edge + 0.03 * rnd.normal()));
        // The longer callers wait, the more of them hang up, and the slower the average answer.
        const abandoned = Math.min(offered, Math.round(offered * (0.015 + 0.35 * (1 - level))));
        const answered = offered - abandoned;
        const within60s = Math.min(answered, Math.round(offered * level));
        const speedOfAnswer = Math.max(3, Math.round(10 + 160 * (1 - level) + 4 * rnd.normal()));
        const cells: (string | number)[] = [ukDateOf(day), queue.name, offered, answered, month.id === noThreshold ? 0 : within60s, abandoned, speedOfAnswer];
        if (day === lostCounters) {
          cells[4] = 'n/a';
          cells[6] = 'n/a';
          malformed.lines.push(lines.length + 1);
        }
        if (day >= extraCellFrom && month.id === broken.period) {
          // The callbacks requested: a few callers in a hundred ask for one.
          cells.push(rnd.poisson(offered * 0.04));
          broken.lines.push(lines.length + 1);
        }
        // No cell holds a comma or a quote, so none is quoted.
        lines.push(cells.join(','));
      }
    }
    return { name: exportName(month.id), text: `${lines.join('\r\n')}\r\n` };
  });
  return { exports, planted: [broken, malformed] };
}
