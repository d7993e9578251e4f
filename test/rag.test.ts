import { describe, expect, it } from 'vitest';
import type { RagRuleConfig } from '../src/config/schema.js';
import {
  directionOf,
  judgeRag,
  parseScheme,
  PRESETS,
  RagSchemeError,
  schemeNamed,
  type Polarity,
  type RagInput,
  type RagStatus,
  type RagTarget,
  type RagTolerance,
} from '../src/rag/index.js';

const input = (over: Partial<RagInput> = {}): RagInput => ({
  polarity: 'higher_is_better',
  monitor: false,
  unit: '',
  decimals: 1,
  actual: null,
  target: { value: 100 },
  tolerance: { percent: 5, reason: 'corporate default' },
  previous: null,
  lastYear: null,
  ...over,
});

const judge = (over: Partial<RagInput>, scheme = 'tolerance-5pc') => judgeRag(input(over), schemeNamed(scheme));
const tol = (t: Omit<RagTolerance, 'reason'>): RagTolerance => ({ ...t, reason: 'agreed with the portfolio holder' });

describe('tolerance-5pc: every polarity x tolerance type x boundary (target 100, tolerance 5)', () => {
  const tolerances = {
    higher_is_better: [tol({ percent: 5 }), tol({ absolute: 5 }), tol({ amber_threshold: 95 })],
    lower_is_better: [tol({ percent: 5 }), tol({ absolute: 5 }), tol({ amber_threshold: 105 })],
    on_target_is_best: [tol({ percent: 5 }), tol({ absolute: 5 }), tol({ amber_threshold: 95 })],
  };
  const boundaries: Record<keyof typeof tolerances, [string, number, RagStatus][]> = {
    higher_is_better: [
      ['exactly on target', 100, 'GREEN'],
      ['just better', 100.01, 'GREEN'],
      ['just short of target', 99.99, 'AMBER'],
      ['exactly at the boundary', 95, 'AMBER'],
      ['just past the boundary', 94.99, 'RED'],
    ],
    lower_is_better: [
      ['exactly on target', 100, 'GREEN'],
      ['just better', 99.99, 'GREEN'],
      ['just over target', 100.01, 'AMBER'],
      ['exactly at the boundary', 105, 'AMBER'],
      ['just past the boundary', 105.01, 'RED'],
    ],
    on_target_is_best: [
      ['exactly on target', 100, 'GREEN'],
      ['just above target', 100.01, 'AMBER'],
      ['exactly at the lower boundary', 95, 'AMBER'],
      ['exactly at the upper boundary', 105, 'AMBER'],
      ['just past the lower boundary', 94.99, 'RED'],
      ['just past the upper boundary', 105.01, 'RED'],
    ],
  };
  const rows = (Object.keys(tolerances) as (keyof typeof tolerances)[]).flatMap((polarity) =>
    tolerances[polarity].flatMap((tolerance) => boundaries[polarity].map(([label, actual, status]) => [polarity, JSON.stringify(tolerance), label, actual, status, tolerance] as const)),
  );
  it.each(rows)('%s, %s, %s (%d): %s', (polarity, _t, _label, actual, status, tolerance) => {
    const j = judge({ polarity, actual, tolerance });
    expect(j.status).toBe(status);
    expect(j.toleranceAmount).toBeCloseTo(5, 12);
  });
});

describe('tolerance-5pc: floating point, zero and negative targets', () => {
  it.each([
    // polarity, target, tolerance, actual, status, tolerance amount, amber boundary
    ['higher_is_better', 95, tol({ percent: 5 }), 90.25, 'AMBER', 4.75, 90.25],
    ['higher_is_better', 95, tol({ percent: 5 }), 90.24, 'RED', 4.75, 90.25],
    ['higher_is_better', 1.1, tol({ percent: 10 }), 0.99, 'AMBER', 0.11, 0.99],
    ['higher_is_better', 0.3, tol({ absolute: 0.1 }), 0.1 + 0.1, 'AMBER', 0.1, 0.2],
    ['higher_is_better', 0, tol({ percent: 5 }), 0, 'GREEN', 0, 0],
    ['higher_is_better', 0, tol({ percent: 5 }), 0.5, 'GREEN', 0, 0],
    ['higher_is_better', 0, tol({ percent: 5 }), -0.001, 'RED', 0, 0],
    ['higher_is_better', 0, tol({ absolute: 2 }), -2, 'AMBER', 2, -2],
    ['higher_is_better', 0, tol({ absolute: 2 }), -2.01, 'RED', 2, -2],
    ['lower_is_better', 0, tol({ absolute: 2 }), 2, 'AMBER', 2, 2],
    ['lower_is_better', 0, tol({ percent: 5 }), 0.001, 'RED', 0, 0],
    ['higher_is_better', -10, tol({ percent: 10 }), -9, 'GREEN', 1, -11],
    ['higher_is_better', -10, tol({ percent: 10 }), -10, 'GREEN', 1, -11],
    ['higher_is_better', -10, tol({ percent: 10 }), -11, 'AMBER', 1, -11],
    ['higher_is_better', -10, tol({ percent: 10 }), -11.01, 'RED', 1, -11],
    ['lower_is_better', -10, tol({ percent: 10 }), -11, 'GREEN', 1, -9],
    ['lower_is_better', -10, tol({ percent: 10 }), -9, 'AMBER', 1, -9],
    ['lower_is_better', -10, tol({ percent: 10 }), -8.99, 'RED', 1, -9],
    ['on_target_is_best', -10, tol({ percent: 10 }), -11, 'AMBER', 1, null],
    // An amber threshold on the wrong side of the target leaves no amber band.
    ['higher_is_better', 100, tol({ amber_threshold: 110 }), 99, 'RED', 0, 100],
  ] as const)('%s, target %d, %j: %d is %s', (polarity, value, tolerance, actual, status, amount, boundary) => {
    const j = judge({ polarity, target: { value }, tolerance, actual });
    expect(j.status).toBe(status);
    expect(j.toleranceAmount).toBeCloseTo(amount, 12);
    if (boundary === null) expect(j.amberBoundary).toBeNull();
    else expect(j.amberBoundary).toBeCloseTo(boundary, 12);
  });
});

describe('on target is best: the green band', () => {
  it.each([
    [101, 'GREEN'],
    [99, 'GREEN'],
    [100.5, 'GREEN'],
    [101.01, 'AMBER'],
    [95, 'AMBER'],
    [105.01, 'RED'],
  ] as const)('target 100, band 1, tolerance 5%%: %d is %s', (actual, status) => {
    expect(judge({ polarity: 'on_target_is_best', actual, tolerance: tol({ percent: 5, green_band: 1 }) }).status).toBe(status);
  });

  it('is ignored for the other polarities, whose GREEN is the target itself', () => {
    expect(judge({ actual: 99.5, tolerance: tol({ percent: 5, green_band: 1 }) }).status).toBe('AMBER');
    expect(judge({ polarity: 'lower_is_better', actual: 100.5, tolerance: tol({ percent: 5, green_band: 1 }) }).status).toBe('AMBER');
  });
});

describe('missing value, no target, monitor', () => {
  it.each([
    ['no value', { actual: null }, 'MISSING'],
    ['no value and no target: MISSING regardless', { actual: null, target: null }, 'MISSING'],
    ['no target', { actual: 95, target: null }, 'NO_TARGET'],
    ['a contextual indicator', { actual: 95, monitor: true }, 'MONITOR'],
    ['a contextual indicator with no value', { actual: null, monitor: true }, 'MONITOR'],
    ['a contextual indicator with no target', { actual: 95, target: null, monitor: true }, 'MONITOR'],
    ['an indicator with no polarity', { actual: 95, polarity: 'none' }, 'MONITOR'],
  ] as const)('%s is %s', (_label, over, status) => {
    expect(judge(over).status).toBe(status);
  });

  it('gives a monitored indicator no tolerance, but a missing value its target band', () => {
    expect(judge({ actual: 95, monitor: true })).toMatchObject({ toleranceAmount: null, amberBoundary: null });
    expect(judge({ actual: null })).toMatchObject({ toleranceAmount: 5, amberBoundary: 95 });
    expect(judge({ actual: 95, target: null })).toMatchObject({ toleranceAmount: null, amberBoundary: null });
  });
});

describe('presets reproduce their published definitions', () => {
  const hib = (actual: number, target: RagTarget = { value: 100 }, lastYear: number | null = null): Partial<RagInput> => ({ actual, target, lastYear });
  const lib = (actual: number, target: RagTarget = { value: 100 }, lastYear: number | null = null): Partial<RagInput> => ({ polarity: 'lower_is_better', actual, target, lastYear });

  it.each([
    // Belfast: on target or within 1%; slightly adrift between 1% and 5%; adrift 5% or more.
    ['belfast', 'exceeds target', hib(103), 'GREEN'],
    ['belfast', 'on target', hib(100), 'GREEN'],
    ['belfast', 'exactly 1% adrift', hib(99), 'GREEN'],
    ['belfast', 'just over 1% adrift', hib(98.99), 'AMBER'],
    ['belfast', 'just under 5% adrift', hib(95.01), 'AMBER'],
    ['belfast', 'exactly 5% adrift', hib(95), 'RED'],
    ['belfast', 'lower is better, 4.99% over', lib(104.99), 'AMBER'],
    ['belfast', 'lower is better, 5% over', lib(105), 'RED'],
    ['belfast', 'zero target met', hib(0, { value: 0 }), 'GREEN'],
    ['belfast', 'zero target missed', hib(-1, { value: 0 }), 'RED'],
    // Havering: on or within 10% GREEN; beyond, AMBER if improved or maintained on last year, else RED.
    ['havering', 'exactly 10% off', hib(90), 'GREEN'],
    ['havering', 'more than 10% off, improved on last year', hib(89.9, undefined, 80), 'AMBER'],
    ['havering', 'more than 10% off, maintained on last year', hib(89.9, undefined, 89.9), 'AMBER'],
    ['havering', 'more than 10% off, worse than last year', hib(89.9, undefined, 95), 'RED'],
    ['havering', 'more than 10% off, no last-year value', hib(89.9), 'RED'],
    ['havering', 'lower is better, 10% over', lib(110), 'GREEN'],
    ['havering', 'lower is better, 11% over, improved on last year', lib(111, undefined, 120), 'AMBER'],
    ['havering', 'lower is better, 11% over, worse than last year', lib(111, undefined, 105), 'RED'],
    // Kent: GREEN target achieved; AMBER floor standard achieved, target not; RED floor not achieved.
    ['kent-floor', 'target achieved', hib(100, { value: 100, floor: 90 }), 'GREEN'],
    ['kent-floor', 'between floor and target', hib(95, { value: 100, floor: 90 }), 'AMBER'],
    ['kent-floor', 'exactly on the floor', hib(90, { value: 100, floor: 90 }), 'AMBER'],
    ['kent-floor', 'below the floor', hib(89.9, { value: 100, floor: 90 }), 'RED'],
    ['kent-floor', 'missed, no floor standard set', hib(99, { value: 100 }), 'RED'],
    ['kent-floor', 'lower is better, under the floor ceiling', lib(11, { value: 10, floor: 12 }), 'AMBER'],
    ['kent-floor', 'lower is better, past the floor', lib(12.5, { value: 10, floor: 12 }), 'RED'],
    // Barnet: GREEN met; GREEN_AMBER under 5% off; RED_AMBER 5% to under 10%; RED 10% or more.
    ['barnet-4', 'target met', hib(100), 'GREEN'],
    ['barnet-4', '4% off', hib(96), 'GREEN_AMBER'],
    ['barnet-4', 'just under 5% off', hib(95.01), 'GREEN_AMBER'],
    ['barnet-4', 'exactly 5% off', hib(95), 'RED_AMBER'],
    ['barnet-4', 'just under 10% off', hib(90.01), 'RED_AMBER'],
    ['barnet-4', 'exactly 10% off', hib(90), 'RED'],
    ['barnet-4', 'lower is better, 7% over', lib(107), 'RED_AMBER'],
    // Lincoln: GREEN exceeded the higher (stretch) target; BLUE within target boundaries; RED below target.
    ['lincoln-stretch', 'above the stretch target', hib(92, { value: 80, range: [80, 90], stretch: 90 }), 'GREEN'],
    ['lincoln-stretch', 'exactly the stretch target', hib(90, { value: 80, range: [80, 90], stretch: 90 }), 'GREEN'],
    ['lincoln-stretch', 'within the range', hib(85, { value: 80, range: [80, 90], stretch: 90 }), 'BLUE'],
    ['lincoln-stretch', 'on the low boundary', hib(80, { value: 80, range: [80, 90], stretch: 90 }), 'BLUE'],
    ['lincoln-stretch', 'below target', hib(79.9, { value: 80, range: [80, 90], stretch: 90 }), 'RED'],
    ['lincoln-stretch', 'above a range with no stretch set', hib(95, { value: 80, range: [80, 90] }), 'GREEN'],
    ['lincoln-stretch', 'target met, no range or stretch', hib(85, { value: 80 }), 'GREEN'],
    ['lincoln-stretch', 'lower is better, better than the stretch', lib(7, { value: 10, range: [8, 10], stretch: 8 }), 'GREEN'],
    ['lincoln-stretch', 'lower is better, within the range', lib(9, { value: 10, range: [8, 10], stretch: 8 }), 'BLUE'],
    ['lincoln-stretch', 'lower is better, above target', lib(11, { value: 10, range: [8, 10], stretch: 8 }), 'RED'],
  ] as const)('%s: %s is %s', (scheme, _label, over, status) => {
    expect(judge(over, scheme).status).toBe(status);
  });

  it.each(Object.keys(PRESETS))('%s parses, ends with an unconditional rule, and is compiled once', (name) => {
    const rules = PRESETS[name] as RagRuleConfig[];
    expect(() => parseScheme(rules, name)).not.toThrow();
    expect(rules.at(-1)?.when).toBeUndefined();
    expect(schemeNamed(name)).toBe(schemeNamed(name));
  });
});

describe('explanations', () => {
  const percent = { unit: '%', decimals: 1, target: { value: 95 } };
  it.each([
    [{ ...percent, actual: 91.2 }, 'tolerance-5pc', 'AMBER: 91.2% is below the target of 95% but within the 5% tolerance (floor 90.25%)'],
    [{ ...percent, actual: 96.1 }, 'tolerance-5pc', 'GREEN: 96.1% meets the target of 95%'],
    [{ ...percent, actual: 88 }, 'tolerance-5pc', 'RED: 88.0% is 7.0 points below the target of 95%, beyond the 5% tolerance (floor 90.25%)'],
    [{ ...percent, actual: 92, tolerance: tol({ amber_threshold: 90 }) }, 'tolerance-5pc', 'AMBER: 92.0% is below the target of 95% but within the amber threshold of 90% (floor 90%)'],
    [{ ...percent, actual: 93, tolerance: tol({ absolute: 1 }) }, 'tolerance-5pc', 'RED: 93.0% is 2.0 points below the target of 95%, beyond the tolerance of 1 point (floor 94%)'],
    [
      { polarity: 'lower_is_better', unit: '£', decimals: 0, target: { value: 1000 }, tolerance: tol({ absolute: 50 }), actual: 1080 },
      'tolerance-5pc',
      'RED: £1,080 is £80 above the target of £1,000, beyond the tolerance of £50 (ceiling £1,050)',
    ],
    [
      { polarity: 'on_target_is_best', unit: '', decimals: 0, target: { value: 20 }, tolerance: tol({ percent: 10 }), actual: 21 },
      'tolerance-5pc',
      'AMBER: 21 is away from the target of 20 but within the 10% tolerance (18 to 22)',
    ],
    [
      { polarity: 'on_target_is_best', unit: '', decimals: 0, target: { value: 20 }, tolerance: tol({ percent: 10, green_band: 1 }), actual: 19 },
      'tolerance-5pc',
      'GREEN: 19 is within the green band of 1 around the target of 20',
    ],
    [{ actual: 95, target: { value: 100, floor: 90 }, decimals: 0 }, 'kent-floor', 'AMBER: 95 is below the target of 100 but meets the floor standard of 90'],
    [{ actual: 95, decimals: 0 }, 'kent-floor', 'RED: 95 is 5 below the target of 100, and no floor standard is set'],
    [{ ...percent, actual: 90 }, 'belfast', 'RED: 90.0% is adrift of the target of 95%: 5.0 points (5.3%) below it, 5% or more'],
    [
      { actual: 85, lastYear: 80, decimals: 0 },
      'havering',
      'AMBER: 85 is more than 10% off the target of 100 (15.0% below it) but not worse than the same period last year (80, improving)',
    ],
    [{ actual: 85, decimals: 0, target: { value: 80, range: [80, 90] } }, 'lincoln-stretch', 'BLUE: 85 is within the target range of 80 to 90'],
    [{ actual: null, period: '2024-05' }, 'tolerance-5pc', 'MISSING: no value for 2024-05'],
    [{ actual: 95, target: null, period: '2024-05' }, 'tolerance-5pc', 'NO_TARGET: no signed-off target in force for 2024-05'],
    [
      { polarity: 'none', monitor: true, decimals: 0, actual: 1234, previous: 1000 },
      'tolerance-5pc',
      'MONITOR: contextual indicator, not rated; 1,234 is increasing on the previous period',
    ],
    [
      { monitor: true, decimals: 0, actual: 1234, previous: 1234, lastYear: 1300 },
      'tolerance-5pc',
      'MONITOR: contextual indicator, not rated; 1,234 is unchanged on the previous period and worsening on the same period last year',
    ],
    [{ polarity: 'none', decimals: 0, actual: 12 }, 'tolerance-5pc', 'MONITOR: no polarity, not rated; 12, with no earlier value to compare'],
  ] as const)('%j under %s', (over, scheme, explanation) => {
    expect(judge(over as Partial<RagInput>, scheme).explanation).toBe(explanation);
  });
});

describe('custom schemes', () => {
  const custom: Record<string, RagRuleConfig[]> = {
    'stretch-or-range': [
      { status: 'GREEN', when: 'shortfall <= 0 and (stretch_met or in_range)', explain: '{actual} is a stretch or in range' },
      { status: 'AMBER', when: 'shortfall <= 0' },
      { status: 'RED' },
    ],
    'and-binds-tighter': [{ status: 'GREEN', when: 'actual > 50 or actual < 10 and actual > 0' }, { status: 'RED' }],
    belfast: [{ status: 'BLUE' }],
  };

  it.each([
    ['stretch-or-range', { actual: 95, target: { value: 90, stretch: 95 } }, 'GREEN'],
    ['stretch-or-range', { actual: 92, target: { value: 90, range: [90, 93] as [number, number] } }, 'GREEN'],
    ['stretch-or-range', { actual: 92, target: { value: 90 } }, 'AMBER'],
    ['stretch-or-range', { actual: 89, target: { value: 90, stretch: 95 } }, 'RED'],
    ['and-binds-tighter', { actual: 60 }, 'GREEN'],
    ['and-binds-tighter', { actual: 5 }, 'GREEN'],
    ['and-binds-tighter', { actual: -5 }, 'RED'],
    ['and-binds-tighter', { actual: 20 }, 'RED'],
    ['belfast', { actual: 0 }, 'BLUE'],
  ] as const)('%s: %j is %s', (name, over, status) => {
    expect(judgeRag(input(over as Partial<RagInput>), schemeNamed(name, custom)).status).toBe(status);
  });

  it('explains a rule without an explain template by its condition', () => {
    const j = judgeRag(input({ actual: 92, target: { value: 90 } }), schemeNamed('stretch-or-range', custom));
    expect(j.explanation).toBe('AMBER: 92.0 against the target of 90 (rule 2: shortfall <= 0)');
  });

  const green = (when: string): RagRuleConfig[] => [{ status: 'GREEN', when }, { status: 'RED' }];
  it.each([
    ['an unknown variable', green('shortfal <= 0'), 0, 'when', /unknown variable "shortfal" at column 1; the variables are actual, target/],
    ['a comparison with nothing after it', green('shortfall <='), 0, 'when', /expected a variable, a number or "\(" at the end/],
    ['a single =', green('shortfall = 0'), 0, 'when', /unexpected "=" at column 11/],
    ['a percent sign', green('shortfall_percent <= 10%'), 0, 'when', /unexpected "%" at column 24 \(write a percentage as a plain number/],
    ['a true/false variable compared', green('stretch_met == 1'), 0, 'when', /"stretch_met" is true or false: name it alone/],
    ['a number variable alone', green('shortfall'), 0, 'when', /expected a comparison \(<, <=, >, >=, ==\) after "shortfall" at the end/],
    ['an unclosed parenthesis', green('(shortfall <= 0'), 0, 'when', /expected "\)" to close the "\(" at column 1/],
    ['two numbers compared', green('1 < 2'), 0, 'when', /compares two numbers/],
    ['two conditions not joined', green('shortfall <= 0 tolerance > 1'), 0, 'when', /unexpected "tolerance" at column 16 \(join conditions with and \/ or\)/],
    ['a dangling and', green('shortfall <= 0 and'), 0, 'when', /expected a variable, a number or "\(" at the end/],
    ['an empty condition', green(' '), 0, 'when', /is empty/],
    ['a status in the wrong case', [{ status: 'Green' }], 0, 'status', /"Green" is not a status a rule can give; use one of GREEN, GREEN_AMBER/],
    ['a status decided before the rules', [{ status: 'MONITOR' }], 0, 'status', /not a status a rule can give/],
    ['a last rule with a condition', [{ status: 'GREEN', when: 'shortfall <= 0' }, { status: 'RED', when: 'shortfall > 0' }], 1, 'when', /the last rule must have no "when"/],
    ['an unconditional rule before the last', [{ status: 'GREEN' }, { status: 'RED' }], 0, 'when', /only the last rule may omit "when"/],
    ['an unknown placeholder', [{ status: 'RED', explain: '{actual} is under the {flor}' }], 0, 'explain', /unknown placeholder \{flor\}; the placeholders are \{actual\}/],
    ['an unmatched brace', [{ status: 'RED', explain: '{actual is low' }], 0, 'explain', /unmatched brace/],
    ['no rules', [], 0, 'when', /at least one rule/],
  ] as const)('rejects %s, naming the rule and field', (_label, rules, ruleIndex, field, message) => {
    let error: unknown;
    try {
      parseScheme(rules as RagRuleConfig[]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RagSchemeError);
    expect(error).toMatchObject({ ruleIndex, field });
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(new RegExp(`^rule ${ruleIndex + 1}, ${field}: `));
  });

  it('names the scheme in errors from schemeNamed, and lists the schemes for an unknown name', () => {
    expect(() => schemeNamed('mine', { mine: green('shortfal <= 0') })).toThrow(/^RAG scheme "mine" rule 1, when: "shortfal <= 0": unknown variable/);
    expect(() => schemeNamed('nope', custom)).toThrow(/unknown RAG scheme "nope"; the schemes are stretch-or-range, and-binds-tighter, belfast, tolerance-5pc, havering/);
  });
});

describe('direction of travel', () => {
  it.each([
    // polarity, actual, comparison, target, direction
    ['higher_is_better', 5, 4, null, 'improving'],
    ['higher_is_better', 4, 5, null, 'worsening'],
    ['higher_is_better', 5, 5, null, 'no change'],
    ['higher_is_better', 0.1 + 0.2, 0.3, null, 'no change'],
    ['lower_is_better', 4, 5, null, 'improving'],
    ['lower_is_better', 5, 4, null, 'worsening'],
    ['lower_is_better', 5, 5, null, 'no change'],
    ['on_target_is_best', 11, 13, 10, 'improving'],
    ['on_target_is_best', 12, 11, 10, 'worsening'],
    ['on_target_is_best', 11, 9, 10, 'no change'],
    ['on_target_is_best', 12, 11, null, 'increasing'],
    ['none', 5, 4, null, 'increasing'],
    ['none', 4, 5, null, 'decreasing'],
    ['none', 1e6 + 1e-7, 1e6, null, 'no change'],
    ['higher_is_better', 5, null, null, null],
    ['none', null, 5, null, null],
  ] as const)('%s: %s against %s (target %s) is %s', (polarity, actual, comparison, target, direction) => {
    expect(directionOf(polarity as Polarity, actual, comparison, target)).toBe(direction);
  });

  it('is judged against the previous period and the same period last year', () => {
    expect(judge({ actual: 90, previous: 85, lastYear: 95 }).direction).toEqual({ previous: 'improving', lastYear: 'worsening' });
    expect(judge({ polarity: 'lower_is_better', actual: 90, previous: 90, lastYear: null }).direction).toEqual({ previous: 'no change', lastYear: null });
    expect(judge({ polarity: 'on_target_is_best', actual: 101, previous: 104, lastYear: 99.5 }).direction).toEqual({ previous: 'improving', lastYear: 'worsening' });
  });

  it('is improving / worsening for a monitored indicator with a polarity, increasing / decreasing without one', () => {
    expect(judge({ monitor: true, actual: 90, previous: 95 }).direction.previous).toBe('worsening');
    expect(judge({ monitor: true, polarity: 'none', actual: 90, previous: 95 }).direction.previous).toBe('decreasing');
  });
});
