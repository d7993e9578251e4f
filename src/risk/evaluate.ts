import type { Risk, RiskRegister, RiskTrigger } from './config.js';
import type { Axis, Cell, RiskMatrix, RiskPosition } from './matrix.js';
import { triggerEvidence, type RiskEvidence } from './triggers.js';

export type { RiskPosition } from './matrix.js';
export type { RiskEvidence } from './triggers.js';

export interface RiskAssessment {
  riskId: string;
  recorded: RiskPosition;
  assessed: RiskPosition;
  triggered: { triggerId: string; evidence: string }[];
  /** The assessed position differs from the recorded one. */
  changed: boolean;
  /** Assessed above the tolerance line: an exception for the risk's owner and clinic. */
  exception: boolean;
}

/**
 * Assesses every risk of the register on this run's evidence. Stateless: each risk starts from its
 * recorded current position, so when the evidence clears it is back there.
 *
 * Every trigger that fires applies, in this order, independent of their order in the file:
 * 1. sets: on each axis the most severe band any fired trigger sets, if more severe than the
 *    recorded band (a trigger escalates a risk, never eases it below what its owner recorded);
 * 2. raises: on each axis all fired raises added up, counted from the result of the sets, and
 *    capped at the matrix edge (likelihood A, impact I on the default matrix).
 */
export function assessRisks(register: RiskRegister, evidence: RiskEvidence): RiskAssessment[] {
  return register.risks.map((risk) => assessRisk(register.matrix, risk, evidence));
}

function assessRisk(matrix: RiskMatrix, risk: Risk, evidence: RiskEvidence): RiskAssessment {
  const fired = risk.triggers.flatMap((trigger) => {
    const text = triggerEvidence(trigger, evidence);
    return text === undefined ? [] : [{ trigger, evidence: text }];
  });
  const triggers = fired.map((f) => f.trigger);
  const assessedCell: Cell = {
    likelihood: moved(matrix, 'likelihood', risk.current.likelihood, triggers),
    impact: moved(matrix, 'impact', risk.current.impact, triggers),
  };
  const recorded = matrix.position(risk.current);
  const assessed = matrix.position(assessedCell);
  return {
    riskId: risk.id,
    recorded,
    assessed,
    triggered: fired.map((f) => ({ triggerId: f.trigger.id, evidence: f.evidence })),
    changed: assessed.likelihood !== recorded.likelihood || assessed.impact !== recorded.impact,
    exception: assessed.aboveTolerance,
  };
}

function moved(matrix: RiskMatrix, axis: Axis, recorded: string, fired: readonly RiskTrigger[]): string {
  // Ranks count from the most severe band (0), so more severe is smaller.
  const sets = fired.flatMap((t) => (t.set?.[axis] === undefined ? [] : [matrix.rank(axis, t.set[axis])]));
  const raise = fired.reduce((sum, t) => sum + (t.raise?.[axis] ?? 0), 0);
  const rank = Math.max(0, Math.min(matrix.rank(axis, recorded), ...sets) - raise);
  return matrix.bands(axis)[rank]!.band;
}
