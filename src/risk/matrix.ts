/** One band of a risk matrix axis: `A` "Very High", or `II` "Critical". */
export interface Band {
  band: string;
  label: string;
  score: number;
}

export type Axis = 'likelihood' | 'impact';

/** A cell of the risk matrix, as a likelihood band and an impact band. */
export interface Cell {
  likelihood: string;
  impact: string;
}

export interface RiskPosition {
  likelihood: string;
  impact: string;
  score: number;
  aboveTolerance: boolean;
}

/** Either the cells above the tolerance line, or the score at and above which a cell is. */
export type ToleranceLine = { cells: readonly string[] } | { score: number };

/** How cells are written in config and evidence: likelihood/impact, e.g. `B/II`. */
export function cellKey(cell: Cell): string {
  return `${cell.likelihood}/${cell.impact}`;
}

export function parseCellKey(text: string): Cell | undefined {
  const parts = text.split('/').map((s) => s.trim());
  return parts.length === 2 && parts[0] && parts[1] ? { likelihood: parts[0], impact: parts[1] } : undefined;
}

/**
 * The risk matrix with its tolerance line. Each axis is held most severe first (likelihood A
 * "Very High" before B, impact I "Catastrophic" before II), so a band's rank is its distance
 * from the matrix edge that raises are capped at.
 */
export class RiskMatrix {
  private readonly scores = new Map<string, number>();
  private readonly intolerable = new Set<string>();

  constructor(
    readonly likelihood: readonly Band[],
    readonly impact: readonly Band[],
    cellScores: Readonly<Record<string, number>>,
    line: ToleranceLine | undefined,
  ) {
    for (const cell of this.cells()) {
      const key = cellKey(cell);
      const score = cellScores[key] ?? this.band('likelihood', cell.likelihood).score * this.band('impact', cell.impact).score;
      this.scores.set(key, score);
      const above = line !== undefined && ('score' in line ? score >= line.score : line.cells.includes(key));
      if (above) this.intolerable.add(key);
    }
  }

  bands(axis: Axis): readonly Band[] {
    return axis === 'likelihood' ? this.likelihood : this.impact;
  }

  has(axis: Axis, band: string): boolean {
    return this.bands(axis).some((b) => b.band === band);
  }

  /** 0 for the most severe band of the axis. */
  rank(axis: Axis, band: string): number {
    const rank = this.bands(axis).findIndex((b) => b.band === band);
    if (rank < 0) throw new Error(`the risk matrix has no ${axis} band "${band}"`);
    return rank;
  }

  band(axis: Axis, band: string): Band {
    return this.bands(axis)[this.rank(axis, band)]!;
  }

  /** Every cell, most likely row first, each row most severe first. */
  cells(): Cell[] {
    return this.likelihood.flatMap((l) => this.impact.map((i) => ({ likelihood: l.band, impact: i.band })));
  }

  hasCell(cell: Cell): boolean {
    return this.has('likelihood', cell.likelihood) && this.has('impact', cell.impact);
  }

  score(cell: Cell): number {
    const score = this.scores.get(cellKey(cell));
    if (score === undefined) throw new Error(`the risk matrix has no cell ${cellKey(cell)}`);
    return score;
  }

  aboveTolerance(cell: Cell): boolean {
    return this.intolerable.has(cellKey(cell));
  }

  position(cell: Cell): RiskPosition {
    return { likelihood: cell.likelihood, impact: cell.impact, score: this.score(cell), aboveTolerance: this.aboveTolerance(cell) };
  }

  /** Words for a cell: `B/II (High, Critical)`. */
  describe(cell: Cell): string {
    return `${cellKey(cell)} (${this.band('likelihood', cell.likelihood).label}, ${this.band('impact', cell.impact).label})`;
  }
}
