import type { IndicatorConfig } from '../config/schema.js';
import { nearlyEqual } from './numbers.js';

/**
 * The one way an indicator's numbers are written for a person, in tables, explanations, emails
 * and dashboards alike: en-GB thousands separators, £ before, % after. Grouped by hand rather
 * than with Intl.NumberFormat, which costs several times more per call, and an explanation is
 * written for every indicator and period of a run.
 */
function grouped(value: number, decimals: number): string {
  const fixed = toDecimals(Math.abs(value), decimals);
  const point = fixed.indexOf('.');
  const whole = point < 0 ? fixed : fixed.slice(0, point);
  const fraction = point < 0 ? '' : fixed.slice(point);
  const thousands = whole.length > 3 ? whole.replace(/\B(?=(\d{3})+$)/g, ',') : whole;
  // A value that rounds to zero is shown unsigned: "0.0", not "-0.0".
  const negative = value < 0 && /[1-9]/.test(fixed);
  return `${negative ? '-' : ''}${thousands}${fraction}`;
}

/**
 * Rounded as the number is written, not as it is stored: 1.005 is "1.01" to a person, though the
 * double nearest 1.005 lies just below it and toFixed alone gives "1.00".
 */
function toDecimals(abs: number, decimals: number): string {
  const written = String(abs);
  if (written.includes('e')) return abs.toFixed(decimals);
  return (Math.round(Number(`${written}e${decimals}`)) / 10 ** decimals).toFixed(decimals);
}

function withUnit(text: string, unit: string): string {
  if (unit === '£') return text.startsWith('-') ? `-£${text.slice(1)}` : `£${text}`;
  if (unit === '%') return `${text}%`;
  return text;
}

const MAX_DECIMALS = 6;

/** The fewest decimals that show a value as it was set: a target of 95 is "95", its 5% floor "90.25". */
function naturalDecimals(value: number): number {
  for (let d = 0; d < MAX_DECIMALS; d++) {
    const scale = 10 ** d;
    if (nearlyEqual(Math.round(value * scale) / scale, value)) return d;
  }
  return MAX_DECIMALS;
}

/** A measured value, at the indicator's decimals: "91.2%", "£1,234". */
export function formatMeasured(value: number, unit: string, decimals: number): string {
  return withUnit(grouped(value, decimals), unit);
}

/** A value someone set (target, floor, boundary), as set: "95%", "90.25%". */
export function formatSet(value: number, unit: string): string {
  return withUnit(grouped(value, naturalDecimals(value)), unit);
}

/** A plain number as set, without a unit: the 5 of "5%" when the 5 is a share of the target. */
export function formatPlain(value: number): string {
  return grouped(value, naturalDecimals(value));
}

/** A value in per cent: its unit says so, or it is computed as a percentage (x 100). */
export function isPercentage(indicator: Pick<IndicatorConfig, 'unit' | 'type'>): boolean {
  return indicator.unit === '%' || indicator.type === 'percentage';
}

/** A gap between two values of a percentage indicator is in points, not per cent: "7.0 points". */
function gap(text: string, value: number, unit: string): string {
  if (unit !== '%') return withUnit(text, unit);
  return `${text} ${Math.abs(value) === 1 ? 'point' : 'points'}`;
}

/** A measured gap, at the indicator's decimals: "7.0 points", "£120". */
export function formatMeasuredGap(value: number, unit: string, decimals: number): string {
  return gap(grouped(value, decimals), value, unit);
}

/** A gap someone set (an absolute tolerance, a green band): "2 points", "£50". */
export function formatSetGap(value: number, unit: string): string {
  return gap(grouped(value, naturalDecimals(value)), value, unit);
}

/** A plain number to at most `decimals` places, without trailing zeros: "1,234.5", "90". */
export function formatUpTo(value: number, decimals: number): string {
  const text = grouped(value, Math.min(naturalDecimals(value), decimals));
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A share, to one decimal place: "7.4%". */
export function formatPercent(value: number): string {
  return `${grouped(value, 1)}%`;
}

/** A stored value in a table: the indicator's decimals and unit, or a dash for no value. */
export function formatValue(value: number | null, unit: string, decimals: number): string {
  return value === null ? '—' : formatMeasured(value, unit, decimals);
}

/** A value squeezed into a narrow column (1.2m, 35k, 93.4%), at most one decimal place, no separators. */
export function formatCompact(value: number | null, unit: string, decimals: number): string {
  if (value === null) return '—';
  const abs = Math.abs(value);
  if (abs >= 1e6) return withUnit(`${unsigned(value / 1e6, 1)}m`, unit);
  if (abs >= 1e4) return withUnit(`${unsigned(value / 1e3, 0)}k`, unit);
  return withUnit(unsigned(value, Math.min(decimals, 1)), unit);
}

/** Rounded as everywhere else, without thousands separators. */
function unsigned(value: number, decimals: number): string {
  const fixed = toDecimals(Math.abs(value), decimals);
  return value < 0 && /[1-9]/.test(fixed) ? `-${fixed}` : fixed;
}
