import { describe, expect, it } from 'vitest';
import { computeIndicator, toNumber } from '../src/indicators/compute.js';

describe('indicator values by type', () => {
  it.each([
    ['count', {}, { value: 42 }, 42],
    ['sum', {}, { value: 1234.5 }, 1234.5],
    ['mean', {}, { value: 12.25 }, 12.25],
    ['median', {}, { value: 9 }, 9],
    ['value', {}, { value: -3 }, -3],
    ['percentage', {}, { numerator: 91, denominator: 100 }, 91],
    ['percentage', {}, { numerator: 1, denominator: 3 }, 100 / 3],
    ['ratio', {}, { numerator: 3, denominator: 4 }, 0.75],
    ['rate', { per: 1000 }, { numerator: 57, denominator: 38_000 }, 1.5],
    ['rate', { per: 100_000 }, { numerator: 12, denominator: 240_000 }, 5],
  ] as const)('%s %j of %j is %d', (type, extra, inputs, expected) => {
    const r = computeIndicator({ type, ...extra }, inputs);
    expect(r.value).toBeCloseTo(expected, 12);
    expect(r.reason).toBeNull();
  });

  it.each([
    ['percentage', { numerator: 5, denominator: 0 }, /denominator is zero/],
    ['percentage', { numerator: null, denominator: 0 }, /denominator is zero/],
    ['ratio', { numerator: 0, denominator: 0 }, /denominator is zero/],
    ['rate', { numerator: 1, denominator: 0 }, /denominator is zero/],
    ['percentage', { numerator: null, denominator: 10 }, /no numerator/],
    ['percentage', { numerator: 3, denominator: null }, /no denominator/],
    ['mean', { value: null }, /no value/],
  ] as const)('%s of %j has no value, and says why', (type, inputs, reason) => {
    const r = computeIndicator({ type, per: 1000 }, inputs);
    expect(r.value).toBeNull();
    expect(r.reason).toMatch(reason);
  });

  it.each([
    ['ratio', { numerator: 1e308, denominator: 1e-308 }, /the ratio of 1e\+308 over 1e-308 is not a finite number/],
    ['percentage', { numerator: 1e307, denominator: 1 }, /the percentage of 1e\+307 over 1 is not a finite number/],
    ['sum', { value: Infinity }, /the sum value is not a finite number/],
    ['ratio', { numerator: NaN, denominator: 2 }, /the numerator is not a finite number/],
  ] as const)('never makes a value of a %s that is not finite: %j', (type, inputs, message) => {
    expect(() => computeIndicator({ type }, inputs)).toThrow(message);
  });

  it('keeps the inputs of a ratio-type value so the year to date can be checked', () => {
    expect(computeIndicator({ type: 'percentage' }, { numerator: 9, denominator: 12 })).toEqual({ value: 75, numerator: 9, denominator: 12, reason: null });
  });
});

describe('source values', () => {
  it.each([
    [12, 12],
    ['12', 12],
    ['1234.5600', 1234.56],
    [10n, 10],
    [null, null],
    [undefined, null],
  ])('%s reads as %s', (raw, expected) => {
    expect(toNumber(raw, 'x')).toBe(expected);
  });

  it.each(['abc', '', {}, true, '0x10', '1e400', Infinity, NaN, '12abc'])('%j is refused with the column named', (raw) => {
    expect(() => toNumber(raw, 'column "paid"')).toThrow(/column "paid" is not a number/);
  });

  it.each(['9007199254740993', 2n ** 60n, '-9007199254740993'])('%s, an integer beyond 2^53, is refused rather than rounded', (raw) => {
    expect(() => toNumber(raw, 'column "n"')).toThrow(/column "n" is .*beyond 2\^53/);
  });

  it.each([
    ['9007199254740991', 9007199254740991],
    ['1e3', 1000],
    [' -12.5 ', -12.5],
  ])('%s, in decimal notation and within range, reads as %s', (raw, expected) => {
    expect(toNumber(raw, 'x')).toBe(expected);
  });
});
