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
    return { value, numerator: null, denominator: null, reason: value === null ? missing('value') : null };
  }
  const numerator = inputs.numerator ?? null;
  const denominator = inputs.denominator ?? null;
  const none = (reason: string): IndicatorValue => ({ value: null, numerator, denominator, reason });
  // An empty period gives COUNT 0 but SUM NULL: the zero denominator is the reason worth telling.
  if (denominator === 0) return none(`denominator is zero: no ${indicator.type} can be computed for an empty base`);
  if (numerator === null) return none(missing('numerator'));
  if (denominator === null) return none(missing('denominator'));
  const scale = indicator.type === 'percentage' ? 100 : indicator.type === 'rate' ? (indicator.per ?? 1) : 1;
  return { value: (numerator / denominator) * scale, numerator, denominator, reason: null };
}

/** Source values arrive as numbers, numeric strings (PostgreSQL bigint/numeric) or NULL. */
export function toNumber(raw: unknown, what: string): number | null {
  if (raw === null || raw === undefined) return null;
  const n = typeof raw === 'number' ? raw : typeof raw === 'bigint' ? Number(raw) : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(n)) throw new Error(`${what} is not a number: ${JSON.stringify(String(raw)).slice(0, 60)}`);
  return n;
}
