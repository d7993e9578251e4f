import type { RiskRegister } from '../risk/config.js';
import type { RiskAssessment } from '../risk/evaluate.js';
import { firedAt, type RecordedPosition } from '../risk/position.js';
import type { RiskPositionStore } from '../store/riskPositions.js';

/** The documented JSON shape of a risk assessment (README, "JSON output"). */
export function assessmentJson(a: RiskAssessment) {
  return {
    risk: a.riskId,
    recorded: a.recorded,
    assessed: a.assessed,
    changed: a.changed,
    exception: a.exception,
    triggered: a.triggered.map((t) => ({ trigger: t.triggerId, evidence: t.evidence })),
  };
}

/**
 * Every risk at its last position recorded by a run, with the triggers that put it there; a risk
 * no run has moved stands at the position its owner recorded. Reads, never records: positions
 * are recorded by runs only.
 */
export async function recordedStandings(register: RiskRegister, positions: RiskPositionStore): Promise<RiskAssessment[]> {
  const latest = await positions.latestRiskPositions();
  return register.risks.map((risk) => {
    const recorded = register.matrix.position(risk.current);
    const last = latest.get(risk.id);
    const assessed = last ? register.matrix.position({ likelihood: last.likelihood, impact: last.impact }) : recorded;
    const changed = assessed.likelihood !== recorded.likelihood || assessed.impact !== recorded.impact;
    return { riskId: risk.id, recorded, assessed, triggered: last ? firedAt(last) : [], changed, exception: assessed.aboveTolerance };
  });
}

/** A risk's history, oldest first, as the documented JSON rows (README, "JSON output"). */
export function historyRows(history: readonly RecordedPosition[]) {
  return history.map((h) => ({ at: h.assessedAt, position: `${h.likelihood}/${h.impact}`, score: h.score, aboveTolerance: h.aboveTolerance, moved: h.movedByTriggers, evidence: h.evidence }));
}

/** The risk a command names, or why there is none. */
export function riskNamed(register: RiskRegister, riskId: string): void {
  if (!register.risks.some((r) => r.id === riskId)) throw new Error(`unknown risk "${riskId}" (risks in ${register.file}: ${register.risks.map((r) => r.id).join(', ')})`);
}
