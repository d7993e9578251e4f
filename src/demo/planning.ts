import type { DemoTimeline } from './council.js';
import { dateOf, isWorkingDay, timestampOf, type Day } from './dates.js';
import { randomStream, type Random } from './random.js';
import type { Row } from './tables.js';

type Category = 'major' | 'minor' | 'other';

/** Statutory determination periods: 13 weeks for major applications, 8 weeks for the rest. */
const STATUTORY_DAYS: Record<Category, number> = { major: 91, minor: 56, other: 56 };

const PER_MONTH: Record<Category, number> = { major: 5, minor: 28, other: 52 };
/** Householders build in spring and summer. */
const SEASON = [0.8, 0.9, 1.1, 1.15, 1.15, 1.1, 1.05, 0.95, 1.0, 0.95, 0.9, 0.75];
const TYPE_CODES: Record<Category, readonly string[]> = { major: ['FUL', 'OUT', 'REM'], minor: ['FUL'], other: ['HOU', 'HOU', 'HOU', 'ADV', 'LBC'] };

/** Chances of deciding in time, with an agreed extension, or late (the rest). */
const PACE: Record<Category, { inTime: number; extension: number }> = {
  major: { inTime: 0.55, extension: 0.32 },
  minor: { inTime: 0.84, extension: 0.08 },
  other: { inTime: 0.9, extension: 0.04 },
};
/** Two case officer vacancies left applications received from June to October 2024 (as written) waiting. */
const VACANCY = { from: '2024-06-01', to: '2024-11-01', slowdown: 0.2 };

export interface Application {
  ref: string;
  category: Category;
  received: Day;
  extension: Day | null;
  decided: Day | null;
  decision: 'granted' | 'refused' | null;
  createdAt: string;
}

export interface PlanningModel {
  applications: Application[];
  planted: {
    /** References migrated twice from the legacy planning system. */
    duplicateRefs: string[];
    /** Decided in 2025-26 Q1 with no decision recorded. */
    nullDecisionRefs: string[];
  };
}

function decide(rnd: Random, t: DemoTimeline, category: Category, received: Day): { extension: Day | null; decidedAfter: number } {
  const deadline = STATUTORY_DAYS[category];
  const slow = received >= t.day(VACANCY.from) && received < t.day(VACANCY.to) ? VACANCY.slowdown : 0;
  const pace = PACE[category];
  const r = rnd.next();
  if (r < pace.inTime - slow) return { extension: null, decidedAfter: rnd.int(Math.round(deadline * 0.5), deadline) };
  if (r < pace.inTime - slow + pace.extension) {
    const extendedBy = rnd.int(21, 84);
    const decidedAfter = rnd.chance(0.9) ? deadline + rnd.int(7, extendedBy) : deadline + extendedBy + rnd.int(1, 30);
    return { extension: received + deadline + extendedBy, decidedAfter };
  }
  return { extension: null, decidedAfter: deadline + rnd.int(1, 60) };
}

export function planningModel(t: DemoTimeline): PlanningModel {
  const rnd = randomStream('planning');
  const applications: Application[] = [];
  const seqByYear = new Map<string, number>();
  for (const month of t.historyMonths) {
    const season = SEASON[month.calendarMonth - 1] as number;
    const arrivals: { category: Category; received: Day }[] = [];
    for (const category of ['major', 'minor', 'other'] as const) {
      const count = rnd.poisson(PER_MONTH[category] * (category === 'major' ? 1 : season));
      for (let n = 0; n < count; n++) {
        let received = rnd.int(month.start, month.end - 1);
        while (!isWorkingDay(received)) received = rnd.int(month.start, month.end - 1);
        arrivals.push({ category, received });
      }
    }
    // References are issued in the order applications arrive.
    arrivals.sort((a, b) => a.received - b.received);
    for (const { category, received } of arrivals) {
      const yy = dateOf(received).slice(2, 4);
      const seq = (seqByYear.get(yy) ?? 0) + 1;
      seqByYear.set(yy, seq);
      const { extension, decidedAfter } = decide(rnd, t, category, received);
      const decided = received + decidedAfter <= t.extractDay ? received + decidedAfter : null;
      applications.push({
        ref: `${yy}/${String(seq).padStart(5, '0')}/${rnd.pick(TYPE_CODES[category])}`,
        category,
        received,
        extension,
        decided,
        decision: decided === null ? null : rnd.chance(0.87) ? 'granted' : 'refused',
        createdAt: timestampOf(received + rnd.int(0, 4), rnd.int(8 * 60, 17 * 60)),
      });
    }
  }
  return plantProblems(t, applications);
}

function plantProblems(t: DemoTimeline, applications: Application[]): PlanningModel {
  const q1From = t.day('2025-04-01');
  const q1To = t.day('2025-07-01');
  const nullDecision = applications.filter((a) => a.decided !== null && a.decided >= q1From && a.decided < q1To).filter((_, i) => i % 20 === 19).slice(0, 5);
  for (const a of nullDecision) a.decision = null;

  const migrated = applications.filter((a) => dateOf(a.received).startsWith(t.month('2023-08')));
  const duplicated = new Set([migrated[10], migrated[40]].filter((a): a is Application => a !== undefined));
  return {
    applications: applications.flatMap((a) => (duplicated.has(a) ? [a, { ...a }] : [a])),
    planted: { duplicateRefs: [...duplicated].map((a) => a.ref), nullDecisionRefs: nullDecision.map((a) => a.ref) },
  };
}

export function applicationRow(a: Application): Row {
  return {
    application_ref: a.ref,
    category: a.category,
    received_date: dateOf(a.received),
    statutory_deadline: dateOf(a.received + STATUTORY_DAYS[a.category]),
    extension_date: a.extension === null ? null : dateOf(a.extension),
    decided_date: a.decided === null ? null : dateOf(a.decided),
    decision: a.decision,
    created_at: a.createdAt,
  };
}
