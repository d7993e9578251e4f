import { travelOf } from './direction.js';
import { formatMeasured } from '../indicators/format.js';
import type { Direction, RagInput, RagTarget, TravelDirections } from './input.js';
import type { RagStatus, RuleStatus, UnratedStatus } from './scale.js';
import type { RagRule, RagScheme } from './scheme.js';
import { amberBoundary, situationOf, toleranceAmount, type RatedPolarity, type Situation } from './variables.js';

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
 * What decides an indicator's status for one period. Before any rule of the scheme is tried: a
 * contextual (monitor) indicator, or one with no polarity to say which way is better, is MONITOR,
 * even with no value, since it was never to be rated; then no value is MISSING, whether or not a
 * target is in force (the gap in the data is the more urgent finding); then no target is
 * NO_TARGET. Otherwise the first rule of the scheme that matches.
 */
type Decision = { status: UnratedStatus } | { status: RuleStatus; rule: RagRule; situation: Situation };

/** The target and its tolerance as an amount, for an indicator that is rated and has a target in force. */
type Band = { polarity: RatedPolarity; target: RagTarget; amount: number };

function bandOf(input: RagInput): Band | null {
  const { polarity, target } = input;
  if (input.monitor || polarity === 'none' || !target) return null;
  return { polarity, target, amount: toleranceAmount(polarity, target.value, input.tolerance) };
}

function decide(input: RagInput, scheme: RagScheme, travel: TravelDirections, band = bandOf(input)): Decision {
  const { actual } = input;
  if (input.monitor || input.polarity === 'none') return { status: 'MONITOR' };
  if (actual === null) return { status: 'MISSING' };
  if (!band) return { status: 'NO_TARGET' };
  const situation = situationOf(input, band.polarity, actual, band.target, band.amount, travel);
  // parseScheme guarantees the last rule always matches.
  const rule = scheme.rules.find((r) => r.matches(situation.facts)) ?? (scheme.rules.at(-1) as RagRule);
  return { status: rule.status, rule, situation };
}

/**
 * The status alone, without the words: rating a whole history for risk triggers needs the
 * statuses of 360,000 values and the sentences of none of them.
 */
export function ragStatus(input: RagInput, scheme: RagScheme, travel: TravelDirections): RagStatus {
  return decide(input, scheme, travel).status;
}

/** Rates one indicator for one period, with the explanation of its status in words and numbers. */
export function judgeRag(input: RagInput, scheme: RagScheme): Judgement {
  const travel = travelOf(input);
  const band = bandOf(input);
  const decision = decide(input, scheme, travel, band);
  return {
    status: decision.status,
    explanation: explanationOf(input, decision, travel),
    toleranceAmount: band?.amount ?? null,
    amberBoundary: band && amberBoundary(band.polarity, band.target.value, band.amount),
    direction: travel,
  };
}

function explanationOf(input: RagInput, decision: Decision, travel: TravelDirections): string {
  if ('rule' in decision) return `${decision.status}: ${decision.rule.explain(decision.situation)}`;
  switch (decision.status) {
    case 'MONITOR':
      return `MONITOR: ${input.monitor ? 'contextual indicator' : 'no polarity'}, not rated; ${travelSentence(input, travel)}`;
    case 'MISSING':
      return `MISSING: no value${forPeriod(input)}`;
    case 'NO_TARGET':
      return `NO_TARGET: no signed-off target in force${forPeriod(input)}`;
  }
}
