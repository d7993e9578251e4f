import type { Direction, Polarity, RagInput, TravelDirections } from './input.js';
import { compare } from '../indicators/numbers.js';

function judged(betterBy: -1 | 0 | 1): Direction {
  return betterBy > 0 ? 'improving' : betterBy < 0 ? 'worsening' : 'no change';
}

/**
 * How `actual` moved from `comparison` (the previous period, or the same period last year); null
 * when either is missing. For on-target-is-best, improving means nearer the target in force now:
 * both values are measured against today's target, as the reader of today's report would.
 */
export function directionOf(polarity: Polarity, actual: number | null, comparison: number | null, target: number | null = null): Direction | null {
  if (actual === null || comparison === null) return null;
  if (polarity === 'on_target_is_best' && target !== null) return judged(compare(Math.abs(comparison - target), Math.abs(actual - target)));
  const change = compare(actual, comparison);
  if (polarity === 'higher_is_better') return judged(change);
  if (polarity === 'lower_is_better') return judged(compare(comparison, actual));
  return change > 0 ? 'increasing' : change < 0 ? 'decreasing' : 'no change';
}

/** Against the previous period and the same period last year. */
export function travelOf(input: RagInput): TravelDirections {
  const target = input.target?.value ?? null;
  return {
    previous: directionOf(input.polarity, input.actual, input.previous, target),
    lastYear: directionOf(input.polarity, input.actual, input.lastYear, target),
  };
}
