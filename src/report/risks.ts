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

/** The documented `risks --format json` shape. */
export function risksJson(standings: readonly RiskAssessment[]) {
  return { risks: standings.map(assessmentJson) };
}

/** The `risks --format csv` rows. */
export function risksCsv(standings: readonly RiskAssessment[]): unknown[][] {
  return [
    ['risk', 'recorded', 'assessed', 'score', 'above_tolerance', 'changed', 'evidence'],
    ...standings.map((a) => [a.riskId, `${a.recorded.likelihood}/${a.recorded.impact}`, `${a.assessed.likelihood}/${a.assessed.impact}`, a.assessed.score, a.exception, a.changed, a.triggered.map((t) => t.evidence).join('; ')]),
  ];
}

/** A risk's recorded positions, oldest first, each with the evidence that moved it. */
export interface RiskHistory {
  riskId: string;
  positions: RecordedPosition[];
}

/** The history of a risk the register holds, or why there is none. */
export async function riskHistory(register: RiskRegister, positions: RiskPositionStore, riskId: string): Promise<RiskHistory> {
  if (!register.risks.some((r) => r.id === riskId)) throw new Error(`unknown risk "${riskId}" (risks in ${register.file}: ${register.risks.map((r) => r.id).join(', ')})`);
  return { riskId, positions: await positions.riskHistory(riskId) };
}

/** The documented `risks --history --format json` shape. */
export function historyJson(h: RiskHistory) {
  return {
    risk: h.riskId,
    history: h.positions.map((p) => ({ at: p.assessedAt, position: `${p.likelihood}/${p.impact}`, score: p.score, aboveTolerance: p.aboveTolerance, moved: p.movedByTriggers, evidence: p.evidence })),
  };
}

/** The `risks --history --format csv` rows. */
export function historyCsv(h: RiskHistory): unknown[][] {
  return [
    ['assessed_at', 'position', 'score', 'above_tolerance', 'moved_by_triggers', 'evidence'],
    ...historyJson(h).history.map((r) => [r.at, r.position, r.score, r.aboveTolerance, r.moved, r.evidence.join('; ')]),
  ];
}
