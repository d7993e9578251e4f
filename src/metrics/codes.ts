import type { CheckStatus, DataQuality } from '../quality/result.js';
import type { Direction } from '../rag/input.js';
import { rankOf, RULE_STATUSES, type RagStatus, type RuleStatus } from '../rag/scale.js';

/**
 * The numbers the metrics give words, documented in the README ("Metrics"). RAG codes follow
 * the scale's ranks, so that "AMBER or worse" is `>= 3` in any scheme; a status that was never
 * rated is negative, so no comparison takes it for a rating.
 */
export const RAG_CODES: Readonly<Record<RagStatus | 'NOT_JUDGED', number>> = {
  ...(Object.fromEntries(RULE_STATUSES.map((s) => [s, rankOf(s)])) as Record<RuleStatus, number>),
  NO_TARGET: -1,
  MONITOR: -2,
  MISSING: -3,
  NOT_JUDGED: -4,
};

/** Better is positive; an indicator with no better direction moves by 2 either way. */
export const DIRECTION_CODES: Readonly<Record<Direction, number>> = {
  improving: 1,
  'no change': 0,
  worsening: -1,
  increasing: 2,
  decreasing: -2,
};

export const QUALITY_CODES: Readonly<Record<DataQuality, number>> = { passed: 0, warned: 1, failed: 2 };

export const CHECK_CODES: Readonly<Record<CheckStatus, number>> = { passed: 0, warned: 1, failed: 2, error: 3 };

/** A code's words, for HELP text: "GREEN=1, AMBER=3, ...". */
export function codesInWords(codes: Readonly<Record<string, number>>): string {
  return Object.entries(codes)
    .map(([word, code]) => `${word}=${code}`)
    .join(', ');
}
