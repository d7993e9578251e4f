import { describe, expect, it } from 'vitest';
import { checkSchema, type CheckConfig } from '../src/config/schema.js';
import { noNegative, numeratorNotAboveDenominator } from '../src/quality/indicatorChecks.js';
import { nextLogState, type LogState } from '../src/quality/failedCheckLog.js';
import { applyThresholds as judge, dataQualityOf, errored } from '../src/quality/outcome.js';
import type { CheckResult } from '../src/quality/result.js';
import { sampleRows } from '../src/quality/sample.js';
import { suddenChange, type HistoryPoint } from '../src/quality/suddenChange.js';
import { parseMaxAge } from '../src/calendar/age.js';
import { freshnessOutcome, reconciliationOutcome, rowCountOutcome } from '../src/quality/wholes.js';

const check = <T extends CheckConfig['type']>(fields: Record<string, unknown> & { type: T }) =>
  checkSchema.parse({ id: 'c1', ...fields }) as Extract<CheckConfig, { type: T }>;

describe('thresholds', () => {
  it.each([
    // fail_when, warn_when, failing, checked, status
    [undefined, undefined, 0, 100, 'passed'],
    [undefined, undefined, 1, 100, 'failed'],
    ['> 2', undefined, 2, 100, 'passed'],
    ['> 2', undefined, 3, 100, 'failed'],
    ['>= 2', undefined, 2, 100, 'failed'],
    ['> 5%', undefined, 5, 100, 'passed'],
    ['> 5%', undefined, 6, 100, 'failed'],
    ['> 50%', '> 10%', 10, 100, 'passed'],
    ['> 50%', '> 10%', 11, 100, 'warned'],
    ['> 50%', '> 10%', 51, 100, 'failed'],
    ['> 0%', undefined, 0, 0, 'passed'],
    ['== 0', undefined, 0, 10, 'failed'],
    ['< 3', undefined, 2, 10, 'failed'],
    ['<= 3', undefined, 4, 10, 'passed'],
  ] as const)('fail_when %s, warn_when %s: %i of %i failing is %s', (failWhen, warnWhen, failing, checked, status) => {
    const c = check({ type: 'not_null', column: 'x', fail_when: failWhen, warn_when: warnWhen });
    expect(judge(c, { failing, checked, sample: [] }).status).toBe(status);
  });

  it.each([
    [95, 5, 100, 'passed'],
    [95, 6, 100, 'failed'],
    [100, 1, 1000, 'failed'],
    [0, 100, 100, 'passed'],
  ])('completeness of at least %i%% with %i of %i empty is %s', (min, failing, checked, status) => {
    expect(judge(check({ type: 'completeness', column: 'x', min_percent: min }), { failing, checked, sample: [] }).status).toBe(status);
  });

  it('says what it found, with the share and the threshold', () => {
    const r = judge(check({ type: 'not_null', column: 'x', warn_when: '> 1%' }), { failing: 3, checked: 200, sample: [{ id: 1 }] });
    expect(r).toMatchObject({ status: 'failed', severity: 'error', failing: 3, checked: 200, share: 1.5, sample: [{ id: 1 }] });
    expect(r.message).toBe('3 of 200 rows (1.5%) failing: fails (> 0)');
  });

  it('gives a warned failure warn severity, and keeps no sample for a pass', () => {
    const c = check({ type: 'not_null', column: 'x', fail_when: '> 10', warn_when: '> 0' });
    expect(judge(c, { failing: 2, checked: 10, sample: [{ a: 1 }] })).toMatchObject({ status: 'warned', severity: 'warn' });
    expect(judge(c, { failing: 0, checked: 10, sample: [{ a: 1 }] }).sample).toEqual([]);
  });

  it("reports a passing check at the check's own severity", () => {
    expect(judge(check({ type: 'not_null', column: 'x' }), { failing: 0, checked: 10, sample: [] })).toMatchObject({ status: 'passed', severity: 'error' });
    expect(judge(check({ type: 'not_null', column: 'x', severity: 'warn' }), { failing: 0, checked: 10, sample: [] })).toMatchObject({ status: 'passed', severity: 'warn' });
  });
});

describe('the data-quality flag of a period', () => {
  const r = (status: CheckResult['status'], severity: 'warn' | 'error'): CheckResult => ({ checkId: 'x', type: 'sql', status, severity, failing: 0, checked: 0, share: 0, sample: [], message: '' });
  it.each([
    [[], 'passed'],
    [[r('passed', 'error')], 'passed'],
    [[r('warned', 'warn')], 'warned'],
    [[r('failed', 'warn')], 'warned'],
    [[r('error', 'error')], 'warned'],
    [[r('failed', 'error'), r('warned', 'warn')], 'failed'],
  ] as const)('%j gives %s', (results, flag) => {
    expect(dataQualityOf(results)).toBe(flag);
  });

  it('an error is its own status, never a failure', () => {
    expect(errored(check({ type: 'sql', query: 'x' }), new Error('no such column: y'))).toMatchObject({ status: 'error', failing: null, message: 'could not run: no such column: y' });
  });
});

describe('the failed-check log life cycle', () => {
  const result = (status: CheckResult['status'], failing: number): CheckResult => ({
    checkId: 'c1', type: 'not_null', status, severity: status === 'warned' ? 'warn' : 'error', failing, checked: 100, share: failing, sample: [], message: '',
  });
  const T1 = '2024-06-01T06:00:00.000Z';
  const T2 = '2024-06-02T06:00:00.000Z';
  const open: LogState = { status: 'open', severity: 'error', consecutiveFailures: 2, failingCount: 5, failingShare: 5, acknowledgedFailingCount: null, firstFailedAt: T1, lastFailedAt: T1, resolvedAt: null };
  const acked: LogState = { ...open, status: 'acknowledged', acknowledgedFailingCount: 5 };
  const resolved: LogState = { ...open, status: 'resolved', consecutiveFailures: 0, resolvedAt: T1 };

  it.each([
    ['nothing, a pass', undefined, result('passed', 0), undefined],
    ['nothing, a failure', undefined, result('failed', 5), { status: 'open', consecutiveFailures: 1, firstFailedAt: T2, lastFailedAt: T2 }],
    ['open, a failure', open, result('failed', 7), { status: 'open', consecutiveFailures: 3, failingCount: 7, firstFailedAt: T1, lastFailedAt: T2 }],
    ['open, a warning', open, result('warned', 1), { status: 'open', severity: 'warn', consecutiveFailures: 3 }],
    ['open, a pass', open, result('passed', 0), { status: 'resolved', consecutiveFailures: 0, resolvedAt: T2, failingCount: 5 }],
    ['acknowledged, the same count', acked, result('failed', 5), { status: 'acknowledged', consecutiveFailures: 3, lastFailedAt: T2 }],
    ['acknowledged, a new count', acked, result('failed', 6), { status: 'open', failingCount: 6 }],
    ['acknowledged, a pass', acked, result('passed', 0), { status: 'resolved' }],
    ['resolved, a failure again', resolved, result('failed', 2), { status: 'open', consecutiveFailures: 1, firstFailedAt: T1, resolvedAt: null }],
    ['resolved, a pass', resolved, result('passed', 0), undefined],
    ['open, an error', open, result('error', 0), undefined],
  ] as const)('%s', (_name, current, r, expected) => {
    const next = nextLogState(current, r, T2);
    if (expected === undefined) expect(next).toBeUndefined();
    else expect(next).toMatchObject(expected);
  });
});

describe('sudden change', () => {
  // Three years of a seasonal monthly series: winter peaks, summer troughs.
  const seasonal = (year: number, month: number) => 100 + 40 * Math.cos(((month - 10) / 12) * 2 * Math.PI) + year * 2 + ((month * 7 + year) % 5);
  const history: HistoryPoint[] = [];
  for (const year of [0, 1, 2]) for (let m = 1; m <= 12; m++) history.push({ periodId: `y${year}m${m}`, season: m, value: seasonal(year, m), excluded: false });

  const seasonalCheck = check({ type: 'sudden_change', indicator: 'HR03', threshold: 3, seasonal: true, min_history: 2 });

  it('passes an ordinary winter peak when the baseline is seasonal, flags a planted spike', () => {
    const winter = seasonal(3, 10);
    expect(suddenChange(seasonalCheck, winter, 10, history).failing).toBe(0);
    const spike = suddenChange(seasonalCheck, winter * 1.6, 10, history);
    expect(spike.failing).toBe(1);
    expect(spike.detail).toMatch(/standard deviations above the mean .* of 3 same-season points, threshold 3/);
  });

  it('without a seasonal baseline an ordinary winter peak is a false alarm', () => {
    const flat = check({ type: 'sudden_change', indicator: 'HR03', threshold: 1.2, min_history: 6 });
    const winter = seasonal(3, 10);
    expect(suddenChange(flat, winter, 10, history).failing).toBe(1);
    expect(suddenChange({ ...flat, seasonal: true }, winter, 10, history).failing).toBe(0);
  });

  it('leaves a previously failed point out of the baseline', () => {
    const spiked = history.map((p) => (p.periodId === 'y2m10' ? { ...p, value: (p.value ?? 0) * 1.6 } : p));
    const value = seasonal(3, 10) * 1.6;
    // Counted in, the earlier spike makes a second one look ordinary; left out, it is flagged.
    expect(suddenChange(seasonalCheck, value, 10, spiked).failing).toBe(0);
    const excluded = spiked.map((p) => (p.periodId === 'y2m10' ? { ...p, excluded: true } : p));
    expect(suddenChange(seasonalCheck, value, 10, excluded).failing).toBe(1);
  });

  it.each([
    ['rise', 160, 1],
    ['rise', 40, 0],
    ['fall', 40, 1],
    ['fall', 160, 0],
    ['both', 40, 1],
  ] as const)('direction %s: %d against a steady 100 fails %i', (direction, value, failing) => {
    const steady = Array.from({ length: 12 }, (_, i) => ({ periodId: `m${i}`, season: i + 1, value: 100 + (i % 3) - 1, excluded: false }));
    expect(suddenChange(check({ type: 'sudden_change', indicator: 'X', threshold: 3, direction }), value, 1, steady).failing).toBe(failing);
  });

  it('ignores moves under the materiality floor, and judges nothing on too little history', () => {
    const steady = Array.from({ length: 12 }, (_, i) => ({ periodId: `m${i}`, season: i + 1, value: 10 + (i % 2) * 0.1, excluded: false }));
    expect(suddenChange(check({ type: 'sudden_change', indicator: 'X', threshold: 3, materiality: 5 }), 13, 1, steady).failing).toBe(0);
    expect(suddenChange(check({ type: 'sudden_change', indicator: 'X', threshold: 3 }), 13, 1, steady).failing).toBe(1);
    const short = suddenChange(check({ type: 'sudden_change', indicator: 'X', threshold: 3, min_history: 24 }), 13, 1, steady);
    expect(short).toMatchObject({ failing: 0, detail: '12 earlier points, fewer than the 24 needed to judge' });
  });

  it('measures a percent change against the baseline mean', () => {
    const steady = Array.from({ length: 6 }, (_, i) => ({ periodId: `m${i}`, season: i + 1, value: 200, excluded: false }));
    const c = check({ type: 'sudden_change', indicator: 'X', method: 'percent', threshold: 25 });
    expect(suddenChange(c, 250, 1, steady).failing).toBe(0);
    expect(suddenChange(c, 251, 1, steady)).toMatchObject({ failing: 1, detail: expect.stringMatching(/25\.5% above the mean 200/) });
  });
});

describe('checks on indicator inputs', () => {
  const values = [
    { indicatorId: 'A', value: 90, numerator: 9, denominator: 10, reason: null },
    { indicatorId: 'B', value: 120, numerator: 12, denominator: 10, reason: null },
    { indicatorId: 'C', value: -5, numerator: null, denominator: null, reason: null },
    { indicatorId: 'D', value: null, numerator: null, denominator: 0, reason: 'denominator is zero' },
  ];
  it('finds a numerator above its denominator', () => {
    expect(numeratorNotAboveDenominator(check({ type: 'numerator_not_above_denominator' }), values)).toEqual({
      failing: 1,
      checked: 2,
      sample: [{ indicator: 'B', numerator: 12, denominator: 10 }],
    });
    expect(numeratorNotAboveDenominator(check({ type: 'numerator_not_above_denominator', indicators: ['A'] }), values).failing).toBe(0);
  });
  it('finds negative values and inputs', () => {
    expect(noNegative(check({ type: 'no_negative' }), values)).toMatchObject({ failing: 1, checked: 4, sample: [{ indicator: 'C', value: -5 }] });
  });
});

describe('checks of a whole', () => {
  const now = new Date('2024-06-03T09:00:00Z'); // a Monday
  const ctx = { now, timeZone: 'Europe/London', holidays: ['2024-05-27'] };
  it.each([
    ['48h', '2024-06-01T10:00:00Z', 0],
    ['48h', '2024-06-01T08:00:00Z', 1],
    ['3d', '2024-05-31', 0],
    ['2d', '2024-05-31', 1],
    ['1 working day', '2024-05-31', 0], // Friday, seen on Monday
    ['1 working day', '2024-05-30', 1],
    ['5 working days', '2024-05-24', 0], // the bank holiday Monday does not count
    ['4 working days', '2024-05-24', 1],
  ])('freshness %s with newest %s fails %i', (maxAge, newest, failing) => {
    expect(freshnessOutcome(check({ type: 'freshness', column: 'd', max_age: maxAge }), newest, ctx).failing).toBe(failing);
  });

  it.each([
    // A record at 23:30 on 31 May in London (BST) is 22:30 UTC: a day old on 1 June, two on 2 June.
    ['2024-05-31 23:30:00', '1d', '2024-06-02T08:00:00Z', 1],
    ['2024-05-31 23:30:00', '2d', '2024-06-02T08:00:00Z', 0],
    ['2024-05-31 23:30:00', '24h', '2024-06-01T22:00:00Z', 0],
    ['2024-05-31 23:30:00', '24h', '2024-06-01T23:00:00Z', 1],
    ['2024-05-31T22:30:00Z', '24h', '2024-06-01T23:00:00Z', 1],
  ])('freshness reads %s as London time: %s at %s fails %i', (newest, maxAge, now, failing) => {
    const outcome = freshnessOutcome(check({ type: 'freshness', column: 'd', max_age: maxAge }), newest, { now: new Date(now), timeZone: 'Europe/London', holidays: [] });
    expect(outcome.failing).toBe(failing);
  });

  it('freshness of an empty table fails, and a bad age is refused', () => {
    expect(freshnessOutcome(check({ type: 'freshness', column: 'd', max_age: '3d' }), null, ctx)).toMatchObject({ failing: 1, detail: 'no records in d' });
    expect(() => parseMaxAge('soon')).toThrow(/not an age/);
  });

  it.each([
    [{ min: 10 }, 9, null, 1],
    [{ min: 10 }, 10, null, 0],
    [{ max: 10 }, 11, null, 1],
    [{ within_percent_of_last_year: 20 }, 120, 100, 0],
    [{ within_percent_of_last_year: 20 }, 121, 100, 1],
    [{ within_percent_of_last_year: 20 }, 79, 100, 1],
    [{ within_percent_of_last_year: 20 }, 5, 0, 0],
    [{ within_percent_of_last_year: 20, min: 6 }, 5, 0, 1],
  ])('row count %j with %i rows (last year %s) fails %i', (bounds, rows, lastYear, failing) => {
    expect(rowCountOutcome(check({ type: 'row_count', ...bounds }), rows, lastYear).failing).toBe(failing);
  });

  it.each([
    [{ absolute: 1 }, 100, 101, 0],
    [{ absolute: 1 }, 100, 101.01, 1],
    [{ percent: 1 }, 99, 100, 0],
    [{ percent: 1 }, 98.9, 100, 1],
  ])('reconciliation within %j of %d and %d fails %i', (tolerance, left, right, failing) => {
    const c = check({ type: 'reconciliation', left: { query: 'x', label: 'repairs' }, right: { query: 'y', label: 'ledger' }, tolerance });
    const r = reconciliationOutcome(c, left, right);
    expect(r.failing).toBe(failing);
    expect(r.detail).toMatch(/^repairs .* vs ledger/);
  });
});

describe('sample rows', () => {
  it('describes binary values, cuts long text, keeps a limited number of rows', () => {
    const rows = [{ id: 1, photo: Buffer.alloc(5000), note: 'x'.repeat(1000), when: new Date('2024-01-02T03:04:05Z'), big: 10n }, { id: 2 }, { id: 3 }];
    const s = sampleRows(rows, 2);
    expect(s).toHaveLength(2);
    expect(s[0]).toEqual({ id: 1, photo: '<binary, 5000 bytes>', note: `${'x'.repeat(200)}… (1000 characters)`, when: '2024-01-02T03:04:05.000Z', big: '10' });
  });
});
