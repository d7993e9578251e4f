import { formatMeasured, formatMeasuredGap, formatPercent, formatPlain, formatSet, formatSetGap } from '../indicators/format.js';
import { amberBoundary, type Situation } from './variables.js';

/** What a placeholder shows when the indicator has no such thing (no floor, no last-year value). */
const NONE = '—';

/** The words for how the judged value lies against the target when it misses it. */
const SIDE = { higher_is_better: 'below', lower_is_better: 'above', on_target_is_best: 'away from' } as const;

function tolerancePhrase(s: Situation): string {
  const { tolerance, unit } = s.input;
  if (tolerance.amber_threshold !== undefined) return `the amber threshold of ${formatSet(tolerance.amber_threshold, unit)}`;
  if (tolerance.absolute !== undefined) return `the tolerance of ${formatSetGap(tolerance.absolute, unit)}`;
  if (tolerance.percent !== undefined) return `the ${formatPlain(tolerance.percent)}% tolerance`;
  return 'a tolerance of 0';
}

function amberLimit(s: Situation): string {
  const { unit } = s.input;
  const boundary = amberBoundary(s.polarity, s.target.value, s.toleranceAmount);
  if (boundary === null) return `${formatSet(s.target.value - s.toleranceAmount, unit)} to ${formatSet(s.target.value + s.toleranceAmount, unit)}`;
  return `${s.polarity === 'higher_is_better' ? 'floor' : 'ceiling'} ${formatSet(boundary, unit)}`;
}

const setOrNone = (value: number | undefined, unit: string) => (value === undefined ? NONE : formatSet(value, unit));
const measuredOrNone = (value: number | null, s: Situation) => (value === null ? NONE : formatMeasured(value, s.input.unit, s.input.decimals));

/**
 * The placeholders an `explain` template may use. Values someone set (target, floor, stretch,
 * range, green band) are shown as set ("95%", "90.25%"); measured values and gaps at the
 * indicator's decimals ("91.2%", "7.0 points").
 */
const PLACEHOLDERS = {
  /** The value judged: "91.2%". */
  actual: (s) => formatMeasured(s.actual, s.input.unit, s.input.decimals),
  /** The target: "95%". */
  target: (s) => formatSet(s.target.value, s.input.unit),
  /** The tolerance as stated: "the 5% tolerance", "the tolerance of £50", "the amber threshold of 90%". */
  tolerance: tolerancePhrase,
  /** The edge of the tolerance: "floor 90.25%" (higher is better), "ceiling 99.75%" (lower), "90.25% to 99.75%" (on target). */
  amber_limit: amberLimit,
  /** How far the value misses the target, as a size: "7.0 points", "£120". */
  shortfall: (s) => formatMeasuredGap(Math.abs(s.facts.shortfall ?? 0), s.input.unit, s.input.decimals),
  /** The miss as a share of the target: "7.4%". */
  shortfall_percent: (s) => (s.facts.shortfall_percent === undefined ? NONE : formatPercent(Math.abs(s.facts.shortfall_percent))),
  /** Which way a miss lies: "below" (higher is better), "above" (lower is better), "away from" (on target). */
  side: (s) => SIDE[s.polarity],
  /** The green band around an on-target-is-best target: "1 point". */
  green_band: (s) => formatSetGap(s.facts.green_band ?? 0, s.input.unit),
  floor: (s) => setOrNone(s.target.floor, s.input.unit),
  stretch: (s) => setOrNone(s.target.stretch, s.input.unit),
  /** The target range: "80% to 90%". */
  range: (s) => (s.target.range ? `${formatSet(s.target.range[0], s.input.unit)} to ${formatSet(s.target.range[1], s.input.unit)}` : NONE),
  previous: (s) => measuredOrNone(s.input.previous, s),
  last_year: (s) => measuredOrNone(s.input.lastYear, s),
  /** Direction of travel against the previous period: "improving", "no change", "worsening". */
  direction_previous: (s) => s.travel.previous ?? NONE,
  direction_last_year: (s) => s.travel.lastYear ?? NONE,
} satisfies Record<string, (s: Situation) => string>;

export type Explain = (s: Situation) => string;

/** A template such as "{actual} meets the target of {target}", checked once so that rendering cannot fail. */
export function compileTemplate(template: string): Explain {
  const parts: Explain[] = [];
  const literal = (text: string) => {
    if (/[{}]/.test(text)) throw new Error(`unmatched brace in "${template}"`);
    if (text) parts.push(() => text);
  };
  let last = 0;
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) {
    const name = m[1] ?? '';
    if (!Object.hasOwn(PLACEHOLDERS, name)) throw new Error(`unknown placeholder {${name}}; the placeholders are ${Object.keys(PLACEHOLDERS).map((p) => `{${p}}`).join(', ')}`);
    literal(template.slice(last, m.index));
    parts.push(PLACEHOLDERS[name as keyof typeof PLACEHOLDERS]);
    last = m.index + m[0].length;
  }
  literal(template.slice(last));
  return (s) => {
    let text = '';
    for (const part of parts) text += part(s);
    return text;
  };
}
