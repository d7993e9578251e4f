import type { RiskAssessment } from './evaluate.js';
import type { Risk } from './config.js';
import type { RiskMatrix } from './matrix.js';

/** A risk's position as recorded in its history, with the evidence that put it there. */
export interface RecordedPosition {
  riskId: string;
  assessedAt: string;
  likelihood: string;
  impact: string;
  score: number;
  aboveTolerance: boolean;
  /** Moved from the owner's recorded position by triggers, rather than back to it. */
  movedByTriggers: boolean;
  evidence: string[];
}

/** What of the register the store keeps beside the positions: what a dashboard draws the matrix from. */
export interface AssessedRegister {
  matrix: RiskMatrix;
  risks: readonly Pick<Risk, 'id' | 'title' | 'owner' | 'clinic'>[];
}

/** Where risk positions are kept: only a move is history. */
export interface PositionRecorder {
  latestRiskPositions(): Promise<Map<string, RecordedPosition>>;
  /** Records the position unless it is the last one recorded, checked again under a lock; true if it did. */
  recordRiskPosition(position: RecordedPosition): Promise<boolean>;
  /** Keeps the register positions are assessed on (its matrix, every cell, and its risks) in place of the one kept before. */
  recordRegister(register: AssessedRegister, at: Date): Promise<void>;
}

/** A trigger's evidence line is "<trigger id>: <evidence>" (an id holds no colon or space). */
const EVIDENCE_LINE = /^([A-Za-z][\w.-]*): (.*)$/s;
const NO_LONGER_FIRES = 'no longer fires';

/**
 * The evidence kept with a position: the triggers that fire, those that fired at the last
 * recorded position and no longer do, and a word when no trigger moved it.
 */
function positionEvidence(a: RiskAssessment, before: readonly string[]): string[] {
  const firing = new Set(a.triggered.map((t) => t.triggerId));
  const cleared = [...new Set(before.map((line) => EVIDENCE_LINE.exec(line)?.[1]))].filter((id): id is string => id !== undefined && !firing.has(id));
  return [
    ...a.triggered.map((t) => `${t.triggerId}: ${t.evidence}`),
    ...cleared.map((id) => `${id}: ${NO_LONGER_FIRES}`),
    ...(a.changed ? [] : [`at its recorded position ${a.recorded.likelihood}/${a.recorded.impact}, moved by no trigger`]),
  ];
}

/** The triggers that fired at a recorded position, read back from its evidence. */
export function firedAt(position: RecordedPosition): RiskAssessment['triggered'] {
  return position.evidence.flatMap((line) => {
    const m = EVIDENCE_LINE.exec(line);
    return m && m[2] !== NO_LONGER_FIRES ? [{ triggerId: m[1]!, evidence: m[2]! }] : [];
  });
}

/**
 * Assesses nothing: records each assessment whose position moved from the last recorded one, so
 * the history of a risk shows every change with the evidence that caused it.
 */
export async function recordMoves(recorder: PositionRecorder, assessments: readonly RiskAssessment[], at: Date): Promise<void> {
  const last = await recorder.latestRiskPositions();
  for (const a of assessments) {
    const before = last.get(a.riskId);
    if (before && before.likelihood === a.assessed.likelihood && before.impact === a.assessed.impact) continue;
    await recorder.recordRiskPosition({
      riskId: a.riskId,
      assessedAt: at.toISOString(),
      likelihood: a.assessed.likelihood,
      impact: a.assessed.impact,
      score: a.assessed.score,
      aboveTolerance: a.assessed.aboveTolerance,
      movedByTriggers: a.changed,
      evidence: positionEvidence(a, before?.evidence ?? []),
    });
  }
}
