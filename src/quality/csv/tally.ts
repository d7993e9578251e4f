import type { Row, RowObserver, RowPredicate } from '../../sources/csv/index.js';
import type { KeyLog } from './keyLog.js';

/** What one check has seen of one month's rows. */
export interface Tally {
  /** The month id 'YYYY-MM'. */
  month: string;
  /** Rows in the check's scope (its `where`). */
  rows: number;
  failing: number;
  /** The month's first failing rows, up to the check's sample size. */
  sample: Record<string, unknown>[];
  /** referential: rows per value. */
  counts: Map<string | number, number>;
  /** freshness: the newest date as yyyymmdd (-Infinity before any). */
  newest: number;
}

/** The per-row work of a check on a row in its scope, beyond counting the row. */
export type RowRule = (tally: Tally, row: Row, file: string, line: number) => void;

export interface CompiledCheck {
  where: RowPredicate | undefined;
  /** Undefined when counting the rows in scope is all the check needs (row_count). */
  rule: RowRule | undefined;
  /** unique: the keys of every month, since a key's copies may fall in different months. */
  keys: KeyLog | undefined;
}

function emptyTally(month: string): Tally {
  return { month, rows: 0, failing: 0, sample: [], counts: new Map(), newest: -Infinity };
}

/**
 * Tallies of every compiled check per month, filled by the CSV read. The last month's tallies
 * are kept at hand, since exports are mostly in date order and the reader passes the same
 * month string while the month lasts.
 */
export class MonthlyTallies implements RowObserver {
  readonly byMonth = new Map<string, Tally[]>();
  private lastMonth = '';
  private lastTallies: Tally[] = [];

  constructor(private readonly checks: readonly CompiledCheck[]) {}

  observe(row: Row, month: string, file: string, line: number): void {
    let tallies = this.lastTallies;
    if (month !== this.lastMonth) {
      tallies = this.byMonth.get(month) ?? this.open(month);
      this.lastMonth = month;
      this.lastTallies = tallies;
    }
    const checks = this.checks;
    for (let c = 0; c < checks.length; c++) {
      const { where, rule } = checks[c] as CompiledCheck;
      if (where !== undefined && !where(row)) continue;
      const tally = tallies[c] as Tally;
      tally.rows++;
      if (rule !== undefined) rule(tally, row, file, line);
    }
  }

  /** Check `index`'s tallies of those of `months` that had rows, in the order given. */
  of(index: number, months: readonly string[]): Tally[] {
    return months.flatMap((m) => this.byMonth.get(m)?.[index] ?? []);
  }

  /** Check `index`'s tallies of every month read, in or out of any period. */
  all(index: number): Tally[] {
    return [...this.byMonth.values()].map((tallies) => tallies[index] as Tally);
  }

  private open(month: string): Tally[] {
    const tallies = this.checks.map(() => emptyTally(month));
    this.byMonth.set(month, tallies);
    return tallies;
  }
}

export function total(tallies: readonly Tally[], what: 'rows' | 'failing'): number {
  let n = 0;
  for (const t of tallies) n += t[what];
  return n;
}

/** The first `limit` failing rows, month by month in the order of `tallies`. */
export function firstSamples(tallies: readonly Tally[], limit: number): Record<string, unknown>[] {
  return tallies.flatMap((t) => t.sample).slice(0, limit);
}

/** Rows per value over several months; a single month's map is returned as it is, not copied. */
export function mergedCounts(tallies: readonly Tally[]): ReadonlyMap<string | number, number> {
  if (tallies.length === 1) return (tallies[0] as Tally).counts;
  const merged = new Map<string | number, number>();
  for (const t of tallies) {
    for (const [key, n] of t.counts) merged.set(key, (merged.get(key) ?? 0) + n);
  }
  return merged;
}
