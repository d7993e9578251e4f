import type { DemoMonth, DemoTimeline } from './council.js';
import { HOUSEHOLDS } from './councilTax.js';
import { addWorkingDays, dateOf, isWeekend, isWorkingDay, type Day } from './dates.js';
import { randomStream } from './random.js';
import type { Row } from './tables.js';

interface Round {
  code: string;
  service: 'refuse' | 'recycling' | 'garden';
  households: number;
  /** 1 = Monday. */
  weekday: number;
  /** Fortnightly rounds work in even or odd ISO-ish weeks (weeks since 1970). */
  parity: number;
}

const GARDEN_SUBSCRIBERS = 12_400;
const ROUNDS: readonly Round[] = [
  ...Array.from({ length: 8 }, (_, i): Round => ({ code: `R0${i + 1}`, service: 'refuse', households: HOUSEHOLDS / 8, weekday: (i % 4) + 1, parity: i < 4 ? 0 : 1 })),
  ...Array.from({ length: 8 }, (_, i): Round => ({ code: `Y0${i + 1}`, service: 'recycling', households: HOUSEHOLDS / 8, weekday: (i % 4) + 1, parity: i < 4 ? 1 : 0 })),
  ...Array.from({ length: 4 }, (_, i): Round => ({ code: `G0${i + 1}`, service: 'garden', households: GARDEN_SUBSCRIBERS / 4, weekday: (i % 4) + 2, parity: i % 2 })),
];
/** Garden waste is collected March to November. */
const GARDEN_MONTHS = new Set([3, 4, 5, 6, 7, 8, 9, 10, 11]);

/** Missed collections per 100,000 scheduled, by the year and month as written (see WRITTEN_YEARS). */
const MISS_RATE: Record<number, number> = { 2023: 40, 2024: 38, 2025: 33 };
const MISS_RATE_EXCEPTIONS: Record<string, number> = {
  '2024-01': 115, // ice: two days of collections abandoned and caught up
  '2024-08': 88, // two refuse vehicles off the road for three weeks
};
/** Christmas catch-up rounds. */
const DECEMBER_FACTOR = 1.5;

function collectionDays(round: Round, month: DemoMonth): Day[] {
  if (round.service === 'garden' && !GARDEN_MONTHS.has(month.calendarMonth)) return [];
  const out: Day[] = [];
  for (let day = month.start; day < month.end; day++) {
    // Day 0 (1970-01-01) was a Thursday.
    const weekday = ((day + 3) % 7) + 1;
    const week = Math.floor((day + 3) / 7);
    if (weekday === round.weekday && week % 2 === round.parity) out.push(day);
  }
  return out;
}

/**
 * The waste contractor's monthly return comes a month behind the council's own systems, as late
 * returns do: the demo's latest month of waste data is always awaiting.
 */
export const WASTE_RETURN_LAG_MONTHS = 1;

export function wasteTables(t: DemoTimeline): { scheduled: Row[]; missed: Row[] } {
  const rnd = randomStream('waste');
  const scheduled: Row[] = [];
  const missed: Row[] = [];
  const months = t.months.slice(0, t.months.length - WASTE_RETURN_LAG_MONTHS);
  // What the contractor's system had recorded by the end of the last month it returned.
  const extractDay = months.length ? months[months.length - 1]!.end - 1 : t.extractDay;
  for (const month of months) {
    const days = ROUNDS.map((round) => collectionDays(round, month));
    ROUNDS.forEach((round, i) => {
      scheduled.push({
        month_start: dateOf(month.start),
        round_code: round.code,
        service: round.service,
        collections_scheduled: Math.round(round.households) * (days[i] as Day[]).length,
      });
    });
    const total = ROUNDS.reduce((sum, round, i) => sum + Math.round(round.households) * (days[i] as Day[]).length, 0);
    const rate = MISS_RATE_EXCEPTIONS[t.written(month.id)] ?? (MISS_RATE[t.writtenYear(month.fyYear)] as number) * (month.calendarMonth === 12 ? DECEMBER_FACTOR : 1);
    const onTime = rate > 60 ? 0.7 : 0.93;
    const weights = ROUNDS.map((round, i) => [i, round.households * (days[i] as Day[]).length] as const).filter(([, w]) => w > 0);
    for (let n = rnd.poisson((total * rate) / 100_000); n > 0; n--) {
      const r = rnd.weighted(weights);
      const round = ROUNDS[r] as Round;
      const collected = rnd.pick(days[r] as Day[]);
      // Residents report a missed bin on the day, or the next morning.
      let reported = collected + rnd.int(0, 1);
      while (isWeekend(reported)) reported++;
      if (reported > extractDay) reported = collected;
      const putRightBy = addWorkingDays(reported, 1);
      const putRight = rnd.chance(onTime) ? (rnd.chance(0.4) && isWorkingDay(reported) ? reported : putRightBy) : addWorkingDays(reported, rnd.int(2, 4));
      missed.push({
        reported_date: dateOf(reported),
        round_code: round.code,
        service: round.service,
        uprn: `1000${rnd.int(10_000_000, 99_999_999)}`,
        put_right_by: dateOf(putRightBy),
        put_right_date: putRight <= extractDay ? dateOf(putRight) : null,
      });
    }
  }
  // References are issued in the order reports arrive.
  missed.sort((a, b) => (a.reported_date as string).localeCompare(b.reported_date as string));
  return { scheduled, missed: missed.map((row, i) => ({ reference: `MC${100001 + i}`, ...row })) };
}
