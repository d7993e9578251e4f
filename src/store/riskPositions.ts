import type { Knex } from 'knex';
import { cellKey } from '../risk/matrix.js';
import type { AssessedRegister, PositionRecorder, RecordedPosition } from '../risk/position.js';
import { lockFor } from './locks.js';
import { iso } from './rows.js';

/** Each risk's history of positions (table risk_positions): only a move is recorded; and the matrix they stand on (risk_matrix_cells). */
export class RiskPositionStore implements PositionRecorder {
  constructor(private readonly db: Knex) {}

  /** Records a risk's assessed position when it differs from the last one recorded; true if it did. */
  async recordRiskPosition(p: RecordedPosition): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      // Processes assessing at once take turns, each comparing with what the last recorded.
      await lockFor(trx, `risk ${p.riskId}`, new Date(p.assessedAt));
      const last = await trx('risk_positions').where('risk_id', p.riskId).orderBy('id', 'desc').first();
      // A held trigger's evidence grows each period; only a move of the position is history.
      const same = last && last.likelihood === p.likelihood && last.impact === p.impact;
      if (same) return false;
      await trx('risk_positions').insert({
        risk_id: p.riskId,
        assessed_at: p.assessedAt,
        likelihood: p.likelihood,
        impact: p.impact,
        score: p.score,
        above_tolerance: p.aboveTolerance,
        triggered: p.movedByTriggers,
        evidence: JSON.stringify(p.evidence),
      });
      return true;
    });
  }

  /**
   * The register's matrix, cell by cell, and its risks. Upserts, so processes assessing at once
   * each leave the same rows; cells and risks the register no longer has are then taken out.
   */
  async recordRegister(register: AssessedRegister, at: Date): Promise<void> {
    const { matrix } = register;
    const recorded_at = at.toISOString();
    const cells = matrix.cells().map((cell) => ({
      likelihood: cell.likelihood,
      likelihood_label: matrix.band('likelihood', cell.likelihood).label,
      likelihood_rank: matrix.rank('likelihood', cell.likelihood),
      impact: cell.impact,
      impact_label: matrix.band('impact', cell.impact).label,
      impact_rank: matrix.rank('impact', cell.impact),
      score: matrix.score(cell),
      above_tolerance: matrix.aboveTolerance(cell),
      recorded_at,
    }));
    const risks = register.risks.map((r) => ({ risk_id: r.id, title: r.title, owner: r.owner, clinic: r.clinic, recorded_at }));
    await this.db.transaction(async (trx) => {
      await trx('risk_matrix_cells').insert(cells).onConflict(['likelihood', 'impact']).merge();
      const kept = new Set(cells.map((c) => cellKey(c)));
      for (const stale of (await trx('risk_matrix_cells').select('likelihood', 'impact')).filter((c) => !kept.has(cellKey(c)))) {
        await trx('risk_matrix_cells').where(stale).delete();
      }
      if (risks.length) await trx('risk_register').insert(risks).onConflict('risk_id').merge();
      await trx('risk_register').whereNotIn('risk_id', risks.map((r) => r.risk_id)).delete();
    });
  }

  /** A risk's history of positions, oldest first. */
  async riskHistory(riskId: string): Promise<RecordedPosition[]> {
    return (await this.db('risk_positions').where('risk_id', riskId).orderBy('id')).map(toPosition);
  }

  /** Every risk's last recorded position, in one query. */
  async latestRiskPositions(): Promise<Map<string, RecordedPosition>> {
    const latest = this.db('risk_positions').max('id').groupBy('risk_id');
    const rows = await this.db('risk_positions').whereIn('id', latest);
    return new Map(rows.map((r) => [r.risk_id as string, toPosition(r)]));
  }
}

function toPosition(r: Record<string, unknown>): RecordedPosition {
  return {
    riskId: r.risk_id as string,
    assessedAt: iso(r.assessed_at),
    likelihood: r.likelihood as string,
    impact: r.impact as string,
    score: Number(r.score),
    aboveTolerance: Boolean(r.above_tolerance),
    movedByTriggers: Boolean(r.triggered),
    evidence: JSON.parse(r.evidence as string) as string[],
  };
}
