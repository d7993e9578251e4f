import { describe, expect, it } from 'vitest';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { indicatorSchema } from '../src/config/schema.js';
import { governanceFindings } from '../src/targets/governance.js';
import { overlappingTargets } from '../src/config/targetSpans.js';
import { targetInForce } from '../src/targets/inForce.js';

const calendar = new FinancialCalendar(4);
const indicator = (fields: Record<string, unknown> = {}) =>
  indicatorSchema.parse({ id: 'HR01', title: 'Repairs on time', type: 'value', value: 'x', polarity: 'higher_is_better', owner: 'Sam', service: 'Housing', ...fields });
const signed = { signed_off_by: 'Cllr Moss', signed_off_on: '2024-03-01', rationale: 'Top quartile' };

describe('the target in force', () => {
  const hr01 = indicator({
    targets: [
      { from: '2023-24', value: 90, ...signed },
      { from: '2024-25', value: 92, ...signed },
      { period: '2024-25', value: 93, ...signed },
      { period: '2024-25-Q3', value: 85, ...signed },
      { period: '2024-12', value: 80, ...signed },
    ],
  });
  it.each([
    ['2023-04', 90],
    ['2024-03', 90],
    ['2024-04', 93], // the year's target beats the from target
    ['2024-10', 85], // the quarter's beats the year's
    ['2024-12', 80], // the month's beats the quarter's
    ['2024-25-Q3', 85],
    ['2024-25', 93],
    ['2025-04', 92], // the year target ended; the from target runs on
    ['2023-24', 90],
  ])('for %s is %d', (period, value) => {
    expect(targetInForce(calendar, hr01, calendar.parse(period))?.target.value).toBe(value);
  });

  it('is none before the first target', () => {
    expect(targetInForce(calendar, hr01, calendar.parse('2022-05'))).toBeUndefined();
  });

  it('a year target does not cover a year-to-date window that spans years', () => {
    const yearOnly = indicator({ targets: [{ period: '2024-25', value: 93, ...signed }] });
    expect(targetInForce(calendar, yearOnly, calendar.parse('2025-04'))).toBeUndefined();
  });
});

describe('overlapping targets', () => {
  it.each([
    [[{ period: '2024-25', value: 1 }, { period: '2024-25', value: 2 }], [[0, 1]]],
    [[{ from: '2024-25', value: 1 }, { from: '2024-04', value: 2 }], [[0, 1]]],
    [[{ from: '2024-25', value: 1 }, { period: '2024-25', value: 2 }], []],
    [[{ period: '2024-25', value: 1 }, { period: '2024-25-Q1', value: 2 }], []],
    [[{ from: '2023-24', value: 1 }, { from: '2024-25', value: 2 }], []],
  ])('%j overlap at %j', (targets, pairs) => {
    expect(overlappingTargets(calendar, indicator({ targets }))).toEqual(pairs);
  });
});

describe('governance findings', () => {
  const months = calendar.within(calendar.parse('2024-25-Q1'), 'month');
  it.each([
    ['none for a well governed indicator', {}, []],
    ['no owner', { owner: undefined }, ['no_owner']],
    ['a target not signed off', { targets: [{ from: '2024-25', value: 90, rationale: 'x' }] }, ['target_not_signed_off']],
    ['a target without a rationale', { targets: [{ from: '2024-25', value: 90, signed_off_by: 'Cllr', signed_off_on: '2024-03-01' }] }, ['target_without_rationale']],
    ['a tolerance without a reason', { tolerance: { percent: 5 } }, ['tolerance_without_reason']],
    ['no target in force for periods being reported', { targets: [{ from: '2024-05', value: 90, ...signed }] }, ['no_target']],
    ['no findings about targets for a monitor indicator', { rag: 'monitor', targets: [] }, []],
  ])('%s', (_name, fields, kinds) => {
    const targets = 'targets' in fields ? {} : { targets: [{ from: '2024-25', value: 90, ...signed }] };
    const findings = governanceFindings(calendar, indicator({ ...targets, ...fields }), ['indicators', 0], months);
    expect(findings.map((f) => f.kind)).toEqual(kinds);
  });

  it('names the period without a target and the field to look at', () => {
    const findings = governanceFindings(calendar, indicator({ targets: [{ from: '2024-05', value: 90, ...signed }] }), ['indicators', 3], months);
    expect(findings).toEqual([{ indicatorId: 'HR01', kind: 'no_target', message: 'HR01 has no target in force for 2024-04', periodId: '2024-04', path: ['indicators', 3, 'targets'] }]);
  });
});
