import type { CheckOf as Of } from '../config/schema.js';
import type { ComputedValue } from '../indicators/compute.js';
import type { CheckOutcome } from './result.js';

function inScope(check: { indicators?: string[] }, values: readonly ComputedValue[]): ComputedValue[] {
  return check.indicators ? values.filter((v) => check.indicators!.includes(v.indicatorId)) : [...values];
}

/** A share can never exceed its whole: a numerator above its denominator means broken inputs. */
export function numeratorNotAboveDenominator(check: Of<'numerator_not_above_denominator'>, values: readonly ComputedValue[]): CheckOutcome {
  const pairs = inScope(check, values).filter((v) => v.numerator !== null && v.denominator !== null);
  const bad = pairs.filter((v) => v.numerator! > v.denominator!);
  return {
    failing: bad.length,
    checked: pairs.length,
    sample: bad.map((v) => ({ indicator: v.indicatorId, numerator: v.numerator, denominator: v.denominator })),
  };
}

/** Counts, sums of money paid and the like cannot be negative; a negative input is a data error. */
export function noNegative(check: Of<'no_negative'>, values: readonly ComputedValue[]): CheckOutcome {
  const checked = inScope(check, values);
  const bad = checked.filter((v) => [v.value, v.numerator, v.denominator].some((x) => x !== null && x < 0));
  return {
    failing: bad.length,
    checked: checked.length,
    sample: bad.map((v) => ({ indicator: v.indicatorId, value: v.value, numerator: v.numerator, denominator: v.denominator })),
  };
}
