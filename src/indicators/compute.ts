import type { IndicatorConfig } from '../config/schema.js';

/** What a source yielded for one indicator over one window; null where the source had nothing. */
export interface IndicatorInputs {
  value?: number | null;
  numerator?: number | null;
  denominator?: number | null;
}

/** An indicator's value for a period, or no value and the reason why. Never NaN or Infinity. */
export interface IndicatorValue {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  reason: string | null;
}

/** An indicator's value as computed for a period, before it is checked, judged and stored. */
export type ComputedValue = IndicatorValue & { indicatorId: string };

function missing(name: string): string {
  return `no ${name}: the source returned no data for the period`;
}

export function computeIndicator(indicator: Pick<IndicatorConfig, 'type' | 'per'>, inputs: IndicatorInputs): IndicatorValue {
  if (indicator.type !== 'percentage' && indicator.type !== 'ratio' && indicator.type !== 'rate') {
    const value = inputs.value ?? null;
    return { value: value === null ? null : finite(value, `${indicator.type} value`), numerator: null, denominator: null, reason: value === null ? missing('value') : null };
  }
  const numerator = inputs.numerator === undefined || inputs.numerator === null ? null : finite(inputs.numerator, 'numerator');
  const denominator = inputs.denominator === undefined || inputs.denominator === null ? null : finite(inputs.denominator, 'denominator');
  const none = (reason: string): IndicatorValue => ({ value: null, numerator, denominator, reason });
  // An empty period gives COUNT 0 but SUM NULL: the zero denominator is the reason worth telling.
  if (denominator === 0) return none(`denominator is zero: no ${indicator.type} can be computed for an empty base`);
  if (numerator === null) return none(missing('numerator'));
  if (denominator === null) return none(missing('denominator'));
  const scale = indicator.type === 'percentage' ? 100 : indicator.type === 'rate' ? (indicator.per ?? 1) : 1;
  return { value: finite((numerator / denominator) * scale, `${indicator.type} of ${numerator} over ${denominator}`), numerator, denominator, reason: null };
}

/** No value is ever Infinity or NaN: a number past what a double holds fails the run, in words. */
function finite(value: number, what: string): number {
  if (!Number.isFinite(value)) throw new Error(`the ${what} is not a finite number`);
  return value;
}

/** Decimal notation only: `Number('0x10')` is 16, and no column of a council's data means that. */
const DECIMAL = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/**
 * Source values arrive as numbers, exact values (PostgreSQL and MySQL bigint and numeric as text,
 * SQLite integers as BigInt) or NULL. Refused, naming `what`: text that is not a decimal number,
 * anything not finite, and an exact value beyond 2^53, which a double would round without a word.
 */
export function toNumber(raw: unknown, what: string): number | null {
  if (raw === null || raw === undefined) return null;
  const shown = JSON.stringify(String(raw)).slice(0, 60);
  const exact = typeof raw === 'bigint' || typeof raw === 'string';
  const n = typeof raw === 'number' || typeof raw === 'bigint' ? Number(raw) : typeof raw === 'string' && DECIMAL.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n)) throw new Error(`${what} is not a number: ${shown}${typeof raw === 'number' ? ' (not finite)' : ''}`);
  if (exact && Math.abs(n) > Number.MAX_SAFE_INTEGER) throw new Error(`${what} is ${shown}, beyond 2^53, past which a number cannot hold it exactly`);
  return n;
}
