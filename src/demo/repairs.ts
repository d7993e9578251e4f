import { COUNCIL_HOMES, fyOf, pounds, type DemoTimeline } from './council.js';
import { addWorkingDays, calendarMonthOf, dateOf, isWeekend, monthOf, timestampOf, type Day } from './dates.js';
import { randomStream } from './random.js';
import type { Row } from './tables.js';

/**
 * Housing repairs are generated once and read twice: the services database holds the jobs, and
 * the finance ledger posts their cost, so the two reconcile wherever a problem is not planted.
 */
export const RESPONSIVE_REPAIRS = 'H210';
export const VOID_REPAIRS = 'H220';

const TARGET_DAYS = { emergency: 1, urgent: 7, routine: 28 } as const;
type Priority = keyof typeof TARGET_DAYS;

export interface RepairJob {
  jobRef: string;
  propertyRef: string;
  reported: Day;
  priority: Priority | null;
  target: Day | null;
  completed: Day | null;
  costPence: number | null;
  costCentre: string;
  trade: string;
  createdAt: string;
}

/** Winter brings damp, frozen pipes and failed boilers. */
const DEMAND_BY_MONTH = [1.4, 1.25, 1.05, 0.92, 0.88, 0.85, 0.85, 0.85, 0.95, 1.05, 1.15, 1.3];
/** Share of jobs lost to the winter backlog, by calendar month reported. */
const WINTER_SLIPPAGE = [0.075, 0.045, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.04];
/** By the year as written (see WRITTEN_YEARS). */
const ON_TIME_BY_YEAR: Record<number, number> = { 2022: 0.945, 2023: 0.945, 2024: 0.952, 2025: 0.935 };
const INFLATION_BY_YEAR: Record<number, number> = { 2022: 1, 2023: 1, 2024: 1.065, 2025: 1.13 };
const MEDIAN_COST_POUNDS = { emergency: 120, urgent: 150, routine: 185, void: 520 };
const TRADES = [
  ['plumbing', 24],
  ['electrical', 16],
  ['carpentry', 16],
  ['heating', 14],
  ['general', 14],
  ['roofing', 8],
  ['damp and mould', 8],
] as const;

export interface RepairsModel {
  jobs: RepairJob[];
  planted: {
    /** Job refs inserted twice (a double import), both copies costed and paid. */
    duplicateJobRefs: string[];
    /** Jobs with no priority, hence no target date. */
    nullPriorityJobRefs: string[];
    /** Jobs reported during the June 2024 system outage and keyed in from paper in September. */
    lateJobRefs: string[];
  };
}

function reportedPerDay(day: Day): number {
  return (isWeekend(day) ? 5 : 15) * (DEMAND_BY_MONTH[calendarMonthOf(day) - 1] as number);
}

export function repairsModel(t: DemoTimeline): RepairsModel {
  const rnd = randomStream('repairs');
  const jobs: RepairJob[] = [];
  for (let day = t.historyStart; day < t.end; day++) {
    const fy = t.writtenYear(fyOf(day));
    const onTime = (ON_TIME_BY_YEAR[fy] as number) - (WINTER_SLIPPAGE[calendarMonthOf(day) - 1] as number);
    const reports = rnd.poisson(reportedPerDay(day));
    for (let n = 0; n < reports; n++) {
      const priority = rnd.weighted<Priority>([
        ['emergency', 15],
        ['urgent', 30],
        ['routine', 55],
      ]);
      const isVoid = priority === 'routine' && rnd.chance(0.09);
      const targetDays = TARGET_DAYS[priority];
      const late = !rnd.chance(onTime);
      const days = late ? rnd.int(targetDays + 1, Math.ceil(targetDays * 2.2) + 2) : rnd.int(priority === 'emergency' ? 0 : 1, targetDays);
      const completed = day + days <= t.extractDay ? day + days : null;
      const median = (isVoid ? MEDIAN_COST_POUNDS.void : MEDIAN_COST_POUNDS[priority]) * (INFLATION_BY_YEAR[fy] as number);
      const costPence = Math.max(2500, Math.round(median * 100 * Math.exp(0.55 * rnd.normal())));
      jobs.push({
        jobRef: `R${100001 + jobs.length}`,
        propertyRef: `HRA-${String(rnd.int(1, COUNCIL_HOMES)).padStart(5, '0')}`,
        reported: day,
        priority,
        target: day + targetDays,
        completed,
        costPence: completed === null ? null : costPence,
        costCentre: isVoid ? VOID_REPAIRS : RESPONSIVE_REPAIRS,
        trade: rnd.weighted(TRADES),
        createdAt: timestampOf(day, rnd.int(7 * 60, 20 * 60)),
      });
    }
  }
  return plantProblems(t, jobs);
}

function plantProblems(t: DemoTimeline, jobs: RepairJob[]): RepairsModel {
  const reportedIn = (month: string) => jobs.filter((j) => monthOf(j.reported) === month);

  const nullPriority = reportedIn(t.month('2024-10')).filter((_, i) => i % 30 === 29).slice(0, 10);
  for (const job of nullPriority) {
    job.priority = null;
    job.target = null;
  }

  const outage = new Set([t.day('2024-06-18'), t.day('2024-06-19')]);
  // Keyed in from paper over two working days (as written: 16-17 September 2024), once they have come.
  const keyedIn = addWorkingDays(t.day('2024-09-16') - 1, 1);
  const late = addWorkingDays(keyedIn, 1) <= t.extractDay ? jobs.filter((j) => outage.has(j.reported)) : [];
  late.forEach((job, i) => {
    job.createdAt = timestampOf(addWorkingDays(keyedIn, i < late.length / 2 ? 0 : 1), 9 * 60 + (i % 40) * 10);
  });

  const duplicated = new Set(
    reportedIn(t.month('2025-01'))
      .filter((j) => j.completed !== null && j.costCentre === RESPONSIVE_REPAIRS)
      .filter((_, i) => i % 50 === 49)
      .slice(0, 4),
  );
  const withDuplicates = jobs.flatMap((j) => (duplicated.has(j) ? [j, { ...j }] : [j]));

  return {
    jobs: withDuplicates,
    planted: {
      duplicateJobRefs: [...duplicated].map((j) => j.jobRef),
      nullPriorityJobRefs: nullPriority.map((j) => j.jobRef),
      lateJobRefs: late.map((j) => j.jobRef),
    },
  };
}

export function repairRow(job: RepairJob): Row {
  return {
    job_ref: job.jobRef,
    property_ref: job.propertyRef,
    reported_date: dateOf(job.reported),
    priority: job.priority,
    target_date: job.target === null ? null : dateOf(job.target),
    completed_date: job.completed === null ? null : dateOf(job.completed),
    cost: job.costPence === null ? null : pounds(job.costPence),
    cost_centre_code: job.costCentre,
    trade: job.trade,
    created_at: job.createdAt,
  };
}

/** Pence of completed repairs per cost centre and month completed ('H210 2024-11'). */
export function repairCostByMonth(jobs: readonly RepairJob[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const job of jobs) {
    if (job.completed === null || job.costPence === null) continue;
    const key = `${job.costCentre} ${monthOf(job.completed)}`;
    out.set(key, (out.get(key) ?? 0) + job.costPence);
  }
  return out;
}
