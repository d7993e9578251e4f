/**
 * RAG and direction of travel (issue 4): pure judgement, no database, no I/O. The rules are
 * DOMAIN.md's "Tolerance and RAG", "RAG schemes differ between councils" and "Direction of travel".
 */
export { directionOf, travelOf, type Direction, type Polarity } from './direction.js';
export type { RagInput, RagTarget, RagTolerance, TravelDirections } from './input.js';
export { judgeRag, ragStatus, type Judgement, type RagStatus } from './judge.js';
export { PRESETS } from './presets.js';
export { parseScheme, RagSchemeError, RULE_STATUSES, schemeNamed, type RagRule, type RagScheme, type RuleStatus } from './scheme.js';
export { VARIABLES, type VariableName } from './variables.js';
