import { fyOf, type DemoTimeline } from './council.js';
import { addWorkingDays, calendarMonthOf, dateOf, isWorkingDay, monthOf, timestampOf } from './dates.js';
import { randomStream } from './random.js';
import type { Row } from './tables.js';

/** The Freedom of Information Act 2000 allows 20 working days to respond. */
const FOI_WORKING_DAYS = 20;

const DEPARTMENTS = [
  ['Housing', 18],
  ['Planning', 16],
  ['Finance', 14],
  ['Environment', 14],
  ['Legal and Democratic', 10],
  ['Customer Services', 8],
  ['ICT', 8],
  ['Human Resources', 12],
] as const;
const OUTCOMES = [
  ['information provided', 62],
  ['partially provided', 18],
  ['information not held', 12],
  ['refused (exemption applied)', 8],
] as const;
const VOLUME = [1.0, 1.0, 1.1, 1.0, 1.0, 1.0, 0.9, 0.75, 1.0, 1.05, 1.05, 0.7];
/** By the year as written (see WRITTEN_YEARS). */
const ON_TIME_BY_YEAR: Record<number, number> = { 2022: 0.92, 2023: 0.92, 2024: 0.935, 2025: 0.955 };

/** Summer leave, and a backlog when the information governance officer left in autumn 2023. */
function onTimeChance(t: DemoTimeline, received: number): number {
  const month = t.written(monthOf(received));
  if (month >= '2023-10' && month <= '2023-12') return 0.8;
  const cm = calendarMonthOf(received);
  if (cm === 7 || cm === 8) return 0.84;
  return ON_TIME_BY_YEAR[t.writtenYear(fyOf(received))] as number;
}

/** Requests received in November 2023 (as written) with no department: logged by the contact centre. */
export const NULL_DEPARTMENT_MONTH = '2023-11';

export function foiRows(t: DemoTimeline): { rows: Row[]; nullDepartmentRefs: string[] } {
  const nullMonth = t.month(NULL_DEPARTMENT_MONTH);
  const rnd = randomStream('foi');
  const rows: Row[] = [];
  const seqByYear = new Map<string, number>();
  const nullDepartmentRefs: string[] = [];
  let inNullMonth = 0;
  for (let day = t.historyStart; day < t.end; day++) {
    if (!isWorkingDay(day)) continue;
    for (let n = rnd.poisson(2.6 * (VOLUME[calendarMonthOf(day) - 1] as number)); n > 0; n--) {
      const year = dateOf(day).slice(0, 4);
      const seq = (seqByYear.get(year) ?? 0) + 1;
      seqByYear.set(year, seq);
      const reference = `FOI-${year}-${String(seq).padStart(4, '0')}`;
      const onTime = rnd.chance(onTimeChance(t, day));
      const responded = rnd.chance(0.01) ? null : addWorkingDays(day, onTime ? rnd.int(3, FOI_WORKING_DAYS) : rnd.int(FOI_WORKING_DAYS + 1, 35));
      let department: string | null = rnd.weighted(DEPARTMENTS);
      if (monthOf(day) === nullMonth && ++inNullMonth % 8 === 0 && nullDepartmentRefs.length < 6) {
        department = null;
        nullDepartmentRefs.push(reference);
      }
      const answered = responded !== null && responded <= t.extractDay;
      rows.push({
        reference,
        received_date: dateOf(day),
        due_date: dateOf(addWorkingDays(day, FOI_WORKING_DAYS)),
        responded_date: answered ? dateOf(responded) : null,
        department,
        outcome: answered ? rnd.weighted(OUTCOMES) : null,
        created_at: timestampOf(day, rnd.int(8 * 60, 18 * 60)),
      });
    }
  }
  return { rows, nullDepartmentRefs };
}
