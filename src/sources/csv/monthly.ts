import type { Aggregation } from '../../config/schema.js';
import { emptyState, mergeStates, type Accumulator, type AggregateState } from './aggregates.js';
import type { Row } from './rows.js';

/**
 * Aggregate states per calendar month. Months are keyed by the number yyyymm while reading and
 * the last month's states are kept at hand, since exports are mostly in date order.
 */
export class MonthlyAggregates {
  private readonly byMonth = new Map<number, AggregateState[]>();
  private lastMonth = NaN;
  private lastStates: AggregateState[] = [];
  /** The newest date added, as yyyymmdd (-Infinity before any): what data arrival reads. */
  newestKey = -Infinity;

  constructor(
    private readonly aggregations: readonly Aggregation[],
    private readonly accumulators: readonly Accumulator[],
  ) {}

  /** A record dated `dateKey` (yyyymmdd) arrived, well-formed or not: it counts towards the newest. */
  dated(dateKey: number): void {
    if (dateKey > this.newestKey) this.newestKey = dateKey;
  }

  /** Adds a row whose date is `dateKey` (yyyymmdd). */
  add(row: Row, dateKey: number): void {
    if (dateKey > this.newestKey) this.newestKey = dateKey;
    const month = Math.floor(dateKey / 100);
    let states = this.lastStates;
    if (month !== this.lastMonth) {
      states = this.byMonth.get(month) ?? this.open(month);
      this.lastMonth = month;
      this.lastStates = states;
    }
    const accumulators = this.accumulators;
    for (let a = 0; a < accumulators.length; a++) (accumulators[a] as Accumulator)(states[a] as AggregateState, row);
  }

  private open(month: number): AggregateState[] {
    const states = this.aggregations.map((a) => emptyState(a.fn));
    this.byMonth.set(month, states);
    return states;
  }

  /** A fresh set of states for the same aggregates, to read one file into before it is known to read whole. */
  fork(): MonthlyAggregates {
    return new MonthlyAggregates(this.aggregations, this.accumulators);
  }

  /** Adds what `other` read. */
  absorb(other: MonthlyAggregates): void {
    if (other.newestKey > this.newestKey) this.newestKey = other.newestKey;
    for (const [month, states] of other.byMonth) {
      const mine = this.byMonth.get(month);
      this.byMonth.set(month, mine ? mine.map((state, a) => mergeStates(state, states[a] as AggregateState)) : states);
    }
  }

  /** The states by month id `YYYY-MM`, in month order. */
  toMap(): Map<string, AggregateState[]> {
    const months = [...this.byMonth.keys()].sort((a, b) => a - b);
    return new Map(months.map((m) => [`${Math.floor(m / 100)}-${String(m % 100).padStart(2, '0')}`, this.byMonth.get(m) as AggregateState[]]));
  }
}
