export type Polarity = 'higher_is_better' | 'lower_is_better' | 'on_target_is_best' | 'none';

/**
 * Direction of travel (docs/rag.md): improving / worsening when the indicator has a polarity;
 * increasing / decreasing when it has none, or when it is on-target-is-best but has no target
 * to be nearer to.
 */
export type Direction = 'improving' | 'no change' | 'worsening' | 'increasing' | 'decreasing';

/** A target in force for the period judged (`TargetConfig` without its governance fields). */
export interface RagTarget {
  value: number;
  /** Kent's floor standard: the least acceptable performance. */
  floor?: number;
  /** Lincoln's higher (stretch) target. */
  stretch?: number;
  /** Lincoln's target boundaries, [low, high]. */
  range?: [number, number];
}

/**
 * The indicator's tolerance, else the service default. Exactly one of percent, absolute and
 * amber_threshold is expected (config validation says so); if several arrive, the most explicit
 * wins: amber_threshold, then absolute, then percent. None at all is a tolerance of 0.
 */
export interface RagTolerance {
  /** Percent of the target's magnitude. */
  percent?: number;
  /** An amount in the indicator's unit. */
  absolute?: number;
  /** The value at which AMBER turns RED. */
  amber_threshold?: number;
  /** On-target-is-best: how far from the target still counts as GREEN (default 0). */
  green_band?: number;
  reason: string;
}

export interface RagInput {
  polarity: Polarity;
  /** A contextual / data-only indicator: never rated, still given a direction of travel. */
  monitor: boolean;
  /** For explanations: "91.2%", "£1,234". */
  unit: string;
  decimals: number;
  /** The value judged (the year-to-date value for a year-to-date indicator). */
  actual: number | null;
  target: RagTarget | null;
  tolerance: RagTolerance;
  /** The previous period's value. */
  previous: number | null;
  /** The same period last year. */
  lastYear: number | null;
  /** The period judged, e.g. "2024-05", named in the explanations of MISSING and NO_TARGET. */
  period?: string;
}

export type TravelDirections = { previous: Direction | null; lastYear: Direction | null };
