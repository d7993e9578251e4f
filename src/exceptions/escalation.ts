import { addDays, type LocalDate } from '../calendar/localDate.js';
import { dateInWords } from '../calendar/recordDate.js';
import type { EscalationStep } from '../config/schema.js';
import type { Fact } from './exception.js';

/** Where a period's missing data stands on the ladder of people chasing it. */
export interface Escalation {
  /** 1-based: the step reached, the highest whose day has come (a step missed while down is skipped). */
  number: number;
  of: number;
  step: EscalationStep;
  /** The step after it, and the day it comes; none once the last is reached. */
  next?: { step: EscalationStep; on: LocalDate };
}

/** The step data not received has reached this many days after its period ended; none before the first. */
export function escalationOf(steps: readonly EscalationStep[], ended: LocalDate, overdue: number): Escalation | undefined {
  let reached = -1;
  steps.forEach((s, i) => {
    if (overdue >= s.after) reached = i;
  });
  if (reached < 0) return undefined;
  const next = steps[reached + 1];
  return { number: reached + 1, of: steps.length, step: steps[reached]!, ...(next ? { next: { step: next, on: addDays(ended, next.after) } } : {}) };
}

/**
 * Each step is a state of its own, so reaching one tells its people once; between steps it stays
 * quiet. Its number alone: a step added at the end of the ladder changes no exception's state.
 */
export const escalationState = (e: Escalation) => `step ${e.number}`;

export function escalationFacts(e: Escalation): Fact[] {
  return [
    { label: 'Chased', value: `step ${e.number} of ${e.of}: ${e.step.to.join(', ')}` },
    { label: 'Next step', value: e.next ? `${dateInWords(e.next.on)}: ${e.next.step.to.join(', ')}` : 'none: this is the last step' },
  ];
}
