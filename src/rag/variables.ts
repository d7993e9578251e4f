import type { Polarity } from './input.js';
import type { RagInput, RagTarget, RagTolerance, TravelDirections } from './input.js';
import { compare } from '../indicators/numbers.js';

/** The polarities that have a better and a worse, so can be judged against a target. */
export type RatedPolarity = Exclude<Polarity, 'none'>;

/**
 * The variables a scheme's `when` conditions may name, and whether each is a number (compared:
 * `shortfall <= tolerance`) or true/false (named alone: `stretch_met`). A variable the indicator
 * cannot supply (no floor, no stretch, a percentage of a zero target) is unavailable, and any
 * comparison or test of it does not hold, so a rule that needs it does not match.
 */
export const VARIABLES = {
  /** The value judged. */
  actual: 'number',
  /** The target in force. */
  target: 'number',
  /** The tolerance as an amount in the indicator's unit (percent of |target|, absolute, or target to amber threshold). */
  tolerance: 'number',
  /** How far worse than the target, in the unit: > 0 worse, <= 0 met. On target is best: |actual - target|. */
  shortfall: 'number',
  /** shortfall as a percentage of |target|; unavailable for a zero target. */
  shortfall_percent: 'number',
  /** On target is best: how far from the target is still GREEN (default 0). 0 for the other polarities, whose GREEN is the target itself. */
  green_band: 'number',
  /** Kent's floor standard; unavailable without one. */
  floor: 'number',
  /** How far worse than the floor standard (> 0 below it); unavailable without a floor, or for on target is best, where a floor has no side. */
  floor_shortfall: 'number',
  /** The stretch target; unavailable without one. */
  stretch: 'number',
  /** At or better than the stretch target; unavailable without one, or for on target is best. */
  stretch_met: 'boolean',
  /** Within the target range [low, high], ends included; unavailable without a range. */
  in_range: 'boolean',
  /** The previous period's value. */
  previous: 'number',
  /** The same period last year. */
  last_year: 'number',
  /** Better than the previous period (polarity-aware); false when there is no previous value. */
  improved_on_previous: 'boolean',
  /** Better than, or the same as, the previous period; false when there is no previous value. */
  improved_or_maintained_on_previous: 'boolean',
  /** Better than the same period last year (polarity-aware); false when there is no last-year value. */
  improved_on_last_year: 'boolean',
  /** Better than, or the same as, the same period last year (Havering's "improved or been maintained"); false without a last-year value. */
  improved_or_maintained_on_last_year: 'boolean',
} as const satisfies Record<string, 'number' | 'boolean'>;

export type VariableName = keyof typeof VARIABLES;
export type Facts = { readonly [K in VariableName]: ((typeof VARIABLES)[K] extends 'number' ? number : boolean) | undefined };

/** The tolerance as an amount. An amber threshold on the wrong side of the target leaves no amber band rather than a negative one. */
export function toleranceAmount(polarity: RatedPolarity, target: number, tolerance: RagTolerance): number {
  const threshold = tolerance.amber_threshold;
  if (threshold !== undefined) return Math.max(0, polarity === 'on_target_is_best' ? Math.abs(threshold - target) : worseBy(polarity, threshold, target));
  if (tolerance.absolute !== undefined) return tolerance.absolute;
  // Of the target's magnitude: a negative target still has a positive tolerance, a zero target none.
  return ((tolerance.percent ?? 0) * Math.abs(target)) / 100;
}

/** How far `value` is worse than `reference`: > 0 worse, < 0 better; for on target is best, the distance. */
function worseBy(polarity: RatedPolarity, value: number, reference: number): number {
  if (polarity === 'higher_is_better') return reference - value;
  if (polarity === 'lower_is_better') return value - reference;
  return Math.abs(value - reference);
}

/** The edge of the AMBER band, for one-sided polarities (on target is best has two: target ± tolerance). */
export function amberBoundary(polarity: RatedPolarity, target: number, tolerance: number): number | null {
  if (polarity === 'higher_is_better') return target - tolerance;
  if (polarity === 'lower_is_better') return target + tolerance;
  return null;
}

/** An indicator with a value, a polarity and a target in force: what a scheme's rules judge. */
export interface Situation {
  input: RagInput;
  polarity: RatedPolarity;
  actual: number;
  target: RagTarget;
  toleranceAmount: number;
  travel: TravelDirections;
  facts: Facts;
}

export function situationOf(input: RagInput, polarity: RatedPolarity, actual: number, target: RagTarget, amount: number, travel: TravelDirections): Situation {
  const shortfall = worseBy(polarity, actual, target.value);
  const sided = polarity !== 'on_target_is_best';
  const { floor, stretch, range } = target;
  const facts: Facts = {
    actual,
    target: target.value,
    tolerance: amount,
    shortfall,
    shortfall_percent: target.value === 0 ? undefined : (shortfall / Math.abs(target.value)) * 100,
    green_band: sided ? 0 : (input.tolerance.green_band ?? 0),
    floor,
    floor_shortfall: sided && floor !== undefined ? worseBy(polarity, actual, floor) : undefined,
    stretch,
    stretch_met: sided && stretch !== undefined ? compare(worseBy(polarity, actual, stretch), 0) <= 0 : undefined,
    in_range: range ? compare(actual, range[0]) >= 0 && compare(actual, range[1]) <= 0 : undefined,
    previous: input.previous ?? undefined,
    last_year: input.lastYear ?? undefined,
    improved_on_previous: travel.previous === 'improving',
    improved_or_maintained_on_previous: travel.previous === 'improving' || travel.previous === 'no change',
    improved_on_last_year: travel.lastYear === 'improving',
    improved_or_maintained_on_last_year: travel.lastYear === 'improving' || travel.lastYear === 'no change',
  };
  return { input, polarity, actual, target, toleranceAmount: amount, travel, facts };
}
