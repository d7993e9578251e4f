/**
 * The one RAG scale: every status a scheme's rules may give, in the order they are listed to a
 * person, each with its rank from best (0) to worst. Schemes, risk triggers ("AMBER or worse")
 * and the CLI's colours all derive from it. Lincoln's BLUE (within the target range) ranks
 * above GREEN; see docs/rag.md.
 */
const RANKS = { GREEN: 1, GREEN_AMBER: 2, AMBER: 3, RED_AMBER: 4, RED: 5, BLUE: 0 } as const;

export type RuleStatus = keyof typeof RANKS;

/** Decided before any rule is tried: never rated, never on the scale. */
export type UnratedStatus = 'NO_TARGET' | 'MISSING' | 'MONITOR';

export type RagStatus = RuleStatus | UnratedStatus;

/** The statuses a rule may give, in the order they are listed. */
export const RULE_STATUSES = Object.keys(RANKS) as readonly RuleStatus[];

export function isRuleStatus(status: string): status is RuleStatus {
  return Object.hasOwn(RANKS, status);
}

/** A status's rank on the scale: 0 the best, higher worse. */
export function rankOf(status: RuleStatus): number {
  return RANKS[status];
}

/** The status and every status worse than it: what "AMBER or worse" means in any scheme. */
export function thisOrWorse(status: RuleStatus): RuleStatus[] {
  return RULE_STATUSES.filter((s) => RANKS[s] >= RANKS[status]).sort((a, b) => RANKS[a] - RANKS[b]);
}
