import { travelOf, type Direction } from './direction.js';
import { formatMeasured } from './format.js';
import type { RagInput, TravelDirections } from './input.js';
import type { RagScheme, RuleStatus } from './scheme.js';
import { amberBoundary, situationOf, toleranceAmount } from './variables.js';

export type RagStatus = RuleStatus | 'NO_TARGET' | 'MISSING' | 'MONITOR';

export interface Judgement {
  status: RagStatus;
  /** In words and numbers, for the CLI, emails and dashboards: "AMBER: 91.2% is below the target of 95% but within ...". */
  explanation: string;
  /** The tolerance in the indicator's unit; null when the indicator is not rated or has no target. */
  toleranceAmount: number | null;
  /** Where AMBER ends (target -/+ tolerance); null too for on target is best, whose band is target ± toleranceAmount. */
  amberBoundary: number | null;
  direction: TravelDirections;
}

const TRAVEL_WORDS: Record<Direction, string> = {
  improving: 'improving',
  'no change': 'unchanged',
  worsening: 'worsening',
  increasing: 'increasing',
  decreasing: 'decreasing',
};

/** "1,234 is increasing on the previous period and unchanged on the same period last year". */
function travelSentence(input: RagInput, travel: TravelDirections): string {
  if (input.actual === null) return `no value${forPeriod(input)}`;
  const value = formatMeasured(input.actual, input.unit, input.decimals);
  const moves = [
    travel.previous && `${TRAVEL_WORDS[travel.previous]} on the previous period`,
    travel.lastYear && `${TRAVEL_WORDS[travel.lastYear]} on the same period last year`,
  ].filter(Boolean);
  return moves.length ? `${value} is ${moves.join(' and ')}` : `${value}, with no earlier value to compare`;
}

const forPeriod = (input: RagInput) => (input.period ? ` for ${input.period}` : '');

/**
 * Rates one indicator for one period. Before any rule of the scheme is tried: a contextual
 * (monitor) indicator, or one with no polarity to say which way is better, is MONITOR, even with
 * no value, since it was never to be rated; then no value is MISSING, whether or not a target is
 * in force (the gap in the data is the more urgent finding); then no target is NO_TARGET.
 */
/**
 * A judgement whose explanation is worded when first read: judging a whole history for risk
 * triggers needs the statuses of 360,000 values, and the sentences of none of them.
 */
function judged(status: RagStatus, explain: () => string, measures: Omit<Judgement, 'status' | 'explanation'>): Judgement {
  let text: string | undefined;
  return {
    status,
    get explanation() {
      return (text ??= explain());
    },
    ...measures,
  };
}

export function judgeRag(input: RagInput, scheme: RagScheme): Judgement {
  const travel = travelOf(input);
  const { polarity, actual, target } = input;
  if (input.monitor || polarity === 'none') {
    const why = input.monitor ? 'contextual indicator' : 'no polarity';
    return judged('MONITOR', () => `MONITOR: ${why}, not rated; ${travelSentence(input, travel)}`, { toleranceAmount: null, amberBoundary: null, direction: travel });
  }
  const band = target && { target, amount: toleranceAmount(polarity, target.value, input.tolerance) };
  const measures = { toleranceAmount: band?.amount ?? null, amberBoundary: band && amberBoundary(polarity, band.target.value, band.amount), direction: travel };
  if (actual === null) return judged('MISSING', () => `MISSING: no value${forPeriod(input)}`, measures);
  if (!band) return judged('NO_TARGET', () => `NO_TARGET: no signed-off target in force${forPeriod(input)}`, measures);
  const situation = situationOf(input, polarity, actual, band.target, band.amount, travel);
  // parseScheme guarantees the last rule always matches.
  const rule = scheme.rules.find((r) => r.matches(situation.facts)) ?? (scheme.rules.at(-1) as RagScheme['rules'][number]);
  return judged(rule.status, () => `${rule.status}: ${rule.explain(situation)}`, measures);
}
