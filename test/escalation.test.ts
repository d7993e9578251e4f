import { describe, expect, it } from 'vitest';
import { escalationOf, escalationState } from '../src/exceptions/escalation.js';

const STEPS = [
  { after: 10, to: ['owner'] },
  { after: 15, to: ['owner', 'manager'] },
  { after: 20, to: ['owner', 'manager', 'performance_team'] },
];

describe('the step data not received has reached', () => {
  it.each([
    [0, undefined, undefined],
    [9, undefined, undefined],
    [10, 'step 1', '2024-08-16'],
    [14, 'step 1', '2024-08-16'],
    [15, 'step 2', '2024-08-21'],
    [19, 'step 2', '2024-08-21'],
    [20, 'step 3', undefined],
    [400, 'step 3', undefined],
  ])('%i days after its period ended: %s, next on %s', (overdue, state, next) => {
    const e = escalationOf(STEPS, '2024-08-01', overdue);
    expect(e && escalationState(e)).toBe(state);
    expect(e?.next?.on).toBe(next);
    if (e) expect(e.step).toBe(STEPS[e.number - 1]);
  });

  it('a single step is the first and the last', () => {
    expect(escalationOf([{ after: 0, to: ['owner'] }], '2024-08-01', 0)).toEqual({ number: 1, of: 1, step: { after: 0, to: ['owner'] } });
  });
});
