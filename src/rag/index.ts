/**
 * RAG and direction of travel: pure judgement, no database, no I/O. The rules are docs/rag.md.
 */
export { directionOf, travelOf } from './direction.js';
export type { Direction, Polarity, RagInput, RagTarget, RagTolerance, TravelDirections } from './input.js';
export { judgeRag, ragStatus, type Judgement } from './decide.js';
export { PRESETS } from './presets.js';
export type { RagStatus } from './scale.js';
export { parseScheme, RagSchemeError, schemeNamed, type RagRule, type RagScheme } from './scheme.js';
export { VARIABLES, type VariableName } from './variables.js';
