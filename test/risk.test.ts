import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { ConfigError, type ConfigProblem } from '../src/config/problems.js';
import { loadRisks, type KnownIds, type RiskRegister } from '../src/risk/config.js';
import { assessRisks, type RiskAssessment, type RiskEvidence } from '../src/risk/evaluate.js';
import { renderMatrix, renderRiskList } from '../src/cli/riskMatrix.js';
import type { CheckEvidence, PeriodEvidence } from '../src/risk/triggers.js';
import { oneRisk } from './helpers/risks.js';
import { workspace } from './helpers/workspace.js';

const KNOWN: KnownIds = {
  indicators: new Set(['HR01', 'HR03', 'FIN01']),
  checks: new Set(['repairs-reconcile-ledger']),
  sources: new Set(['finance', 'services']),
};

const HR01_RED_TWICE = `      - id: hr01-red
        type: indicator_rag
        indicator: HR01
        status: RED
        periods: 2
        set: { likelihood: B }
`;

async function load(text: string, known: KnownIds = KNOWN): Promise<RiskRegister> {
  const ws = workspace({ 'risks.yaml': text });
  return loadRisks(ws.file('risks.yaml'), known);
}

async function problemsOf(text: string, known: KnownIds = KNOWN): Promise<ConfigProblem[]> {
  const ws = workspace({ 'risks.yaml': text });
  try {
    await loadRisks(ws.file('risks.yaml'), known);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => ({ ...p, file: p.file.replace(ws.dir, '') }));
    throw err;
  }
  return [];
}

/** The line of the file on which `snippet` last stands. */
function lineOf(text: string, snippet: string): number {
  const index = text.lastIndexOf(snippet);
  if (index < 0) throw new Error(`"${snippet}" is not in the file`);
  return text.slice(0, index).split('\n').length;
}

const MONTHS = ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08'];

/** Periods from a line of statuses, `-` for a period with no RAG: "RED - RED". */
function statuses(line: string): PeriodEvidence[] {
  return line.split(' ').map((s, i) => ({ periodId: MONTHS[i]!, status: s === '-' ? null : s, value: null, direction: null }));
}

function values(list: (number | null)[]): PeriodEvidence[] {
  return list.map((value, i) => ({ periodId: MONTHS[i]!, status: null, value, direction: null }));
}

function directions(line: string): PeriodEvidence[] {
  return line.split(' ').map((d, i) => ({ periodId: MONTHS[i]!, status: null, value: null, direction: d === '-' ? null : d }));
}

function evidence(parts: Partial<RiskEvidence> = {}): RiskEvidence {
  return { rag: new Map(), checks: new Map(), sources: new Map(), now: new Date('2025-06-10T12:00:00Z'), ...parts };
}

const ragOf = (indicator: string, periods: PeriodEvidence[]) => evidence({ rag: new Map([[indicator, periods]]) });

async function assessOne(triggers: string, ev: RiskEvidence, current?: string): Promise<RiskAssessment> {
  return assessRisks(await load(oneRisk(triggers, current)), ev)[0]!;
}

const cell = (a: RiskAssessment) => `${a.assessed.likelihood}/${a.assessed.impact}`;

describe('trigger sequences: escalate, hold, de-escalate', () => {
  // Each run sees the periods so far; the risk is assessed afresh from its recorded position.
  it.each([
    ['RED for two periods escalates, holds while RED, and returns when it clears', 'GREEN RED RED RED AMBER GREEN', ['D/II', 'D/II', 'B/II', 'B/II', 'D/II', 'D/II']],
    ['RED broken by AMBER never escalates', 'RED AMBER RED AMBER RED', ['D/II', 'D/II', 'D/II', 'D/II', 'D/II']],
    ['a missing period neither counts nor breaks the run', 'RED - RED - - GREEN', ['D/II', 'D/II', 'B/II', 'B/II', 'B/II', 'D/II']],
    ['a period with no target is a gap, like one with no value', 'RED NO_TARGET RED MONITOR', ['D/II', 'D/II', 'B/II', 'B/II']],
    ['a gap before the run is not part of it', 'GREEN - RED', ['D/II', 'D/II', 'D/II']],
  ])('%s', async (_name, line, expected) => {
    const register = await load(oneRisk(HR01_RED_TWICE));
    const periods = statuses(line);
    const seen = periods.map((_, n) => cell(assessRisks(register, ragOf('HR01', periods.slice(0, n + 1)))[0]!));
    expect(seen).toEqual(expected);
  });

  it('says what fired in words and numbers, with the period ids', async () => {
    const a = await assessOne(HR01_RED_TWICE, ragOf('HR01', statuses('GREEN RED RED')));
    expect(a).toEqual({
      riskId: 'HR-R1',
      recorded: { likelihood: 'D', impact: 'II', score: 9, aboveTolerance: false },
      assessed: { likelihood: 'B', impact: 'II', score: 15, aboveTolerance: true },
      triggered: [{ triggerId: 'hr01-red', evidence: 'HR01 RED for 2 consecutive periods (2025-02, 2025-03)' }],
      changed: true,
      exception: true,
    });
  });

  it('names the periods skipped for having no RAG', async () => {
    const a = await assessOne(HR01_RED_TWICE, ragOf('HR01', statuses('RED - RED -')));
    expect(a.triggered[0]?.evidence).toBe('HR01 RED for 2 consecutive periods (2025-01, 2025-03); skipped with no RAG: 2025-02, 2025-04');
  });

  it('stays at the recorded position with no evidence at all', async () => {
    const a = await assessOne(HR01_RED_TWICE, evidence());
    expect(a).toMatchObject({ triggered: [], changed: false, exception: false, assessed: { likelihood: 'D', impact: 'II' } });
  });
});

describe('each kind of trigger', () => {
  const ragTrigger = (status: string, periods: number) => `      - id: t
        type: indicator_rag
        indicator: HR01
        status: ${status}
        periods: ${periods}
        raise: { likelihood: 1 }
`;

  it.each([
    ['"AMBER or worse"', 3, 'AMBER RED_AMBER RED', 'HR01 AMBER or worse for 3 consecutive periods (2025-01: AMBER, 2025-02: RED_AMBER, 2025-03: RED)'],
    ['"AMBER or worse"', 2, 'RED GREEN_AMBER AMBER', undefined],
    ['[RED, RED_AMBER]', 2, 'RED RED_AMBER', 'HR01 RED or RED_AMBER for 2 consecutive periods (2025-01: RED, 2025-02: RED_AMBER)'],
    ['red', 1, 'AMBER red', 'HR01 RED in 2025-02'],
    ['RED', 1, 'RED RED RED RED RED RED RED', 'HR01 RED for 7 consecutive periods (2025-01 to 2025-07)'],
  ])('indicator_rag %s for %d periods on %s', async (status, periods, line, expected) => {
    const a = await assessOne(ragTrigger(status, periods), ragOf('HR01', statuses(line)));
    expect(a.triggered[0]?.evidence).toBe(expected);
  });

  const threshold = (word: string, limit: number, periods = 1) => `      - id: t
        type: indicator_threshold
        indicator: HR03
        ${word}: ${limit}
        periods: ${periods}
        raise: { likelihood: 1 }
`;

  it.each([
    ['above', 100, 1, [90, 110.55], 'HR03 above 100 in 2025-02: 110.55'],
    ['above', 100, 1, [110, 100], undefined],
    ['above', 100, 2, [101, null, 1234.5], 'HR03 above 100 for 2 consecutive periods (2025-01: 101, 2025-03: 1,234.5); skipped with no value: 2025-02'],
    ['below', 60, 1, [59.9], 'HR03 below 60 in 2025-01: 59.9'],
    ['below', 60, 1, [60], undefined],
  ] as const)('indicator_threshold %s %d for %d periods on %j', async (word, limit, periods, list, expected) => {
    const a = await assessOne(threshold(word, limit, periods), ragOf('HR03', values([...list])));
    expect(a.triggered[0]?.evidence).toBe(expected);
  });

  const worsening = `      - id: t
        type: indicator_worsening
        indicator: HR01
        periods: 3
        raise: { likelihood: 1 }
`;

  it.each([
    ['Worsening worsening - Worsening', 'HR01 worsening for 3 consecutive periods (2025-01, 2025-02, 2025-04); skipped with no direction of travel: 2025-03'],
    ['Worsening Improving Worsening Worsening', undefined],
    ['Worsening Worsening No_change', undefined],
  ])('indicator_worsening for 3 periods on %s', async (line, expected) => {
    const a = await assessOne(worsening, ragOf('HR01', directions(line)));
    expect(a.triggered[0]?.evidence).toBe(expected);
  });

  const checkTrigger = `      - id: t
        type: check_failing
        check: repairs-reconcile-ledger
        runs: 2
        raise: { impact: 1 }
`;
  const results = (line: string): CheckEvidence[] =>
    line.split(' ').map((status, i) => ({ runId: 40 + i, status: status as CheckEvidence['status'], at: `2025-06-0${i + 1}T06:30:00.000Z` }));

  it.each([
    ['passed failed failed', 'data-quality check repairs-reconcile-ledger failed in 2 consecutive runs (41, 42), the last at 2025-06-03T06:30:00.000Z'],
    ['failed error failed', 'data-quality check repairs-reconcile-ledger failed in 2 consecutive runs (40, 42), the last at 2025-06-03T06:30:00.000Z; skipped as errored: run 41'],
    ['failed warned failed', undefined],
    ['failed failed passed', undefined],
  ])('check_failing for 2 runs on %s', async (line, expected) => {
    const a = await assessOne(checkTrigger, evidence({ checks: new Map([['repairs-reconcile-ledger', results(line)]]) }));
    expect(a.triggered[0]?.evidence).toBe(expected);
    expect(a.assessed.impact).toBe(expected ? 'I' : 'II');
  });

  const sourceTrigger = `      - id: t
        type: source_failing
        source: finance
        for: 3d
        set: { likelihood: A }
`;
  const runs = (...list: [string, 'succeeded' | 'failed' | 'awaiting'][]) => new Map([['finance', list.map(([at, outcome]) => ({ at, outcome }))]]);

  it.each([
    ['failing for 3 days and a half', runs(['2025-06-06T00:00:00Z', 'succeeded'], ['2025-06-07T00:00:00Z', 'failed'], ['2025-06-10T06:00:00Z', 'failed']), 'source finance failing for 84 hours: 2 runs failed since 2025-06-07T00:00:00Z, none succeeded'],
    ['failing, but for less than 3 days', runs(['2025-06-08T00:00:00Z', 'failed'], ['2025-06-09T00:00:00Z', 'failed']), undefined],
    ['failed for days, then succeeded', runs(['2025-06-01T00:00:00Z', 'failed'], ['2025-06-10T00:00:00Z', 'succeeded']), undefined],
    // A period awaiting its data is the source answering that nothing new is in: no failure.
    ['awaiting data for days', runs(['2025-06-01T00:00:00Z', 'awaiting'], ['2025-06-05T00:00:00Z', 'awaiting'], ['2025-06-10T00:00:00Z', 'awaiting']), undefined],
    ['failed for days, then awaiting', runs(['2025-06-01T00:00:00Z', 'failed'], ['2025-06-10T00:00:00Z', 'awaiting']), undefined],
    ['with no runs', new Map(), undefined],
  ])('source_failing for 3d, %s', async (_name, sources, expected) => {
    const a = await assessOne(sourceTrigger, evidence({ sources }));
    expect(a.triggered[0]?.evidence).toBe(expected);
  });
});

describe('combining triggers', () => {
  const trigger = (triggerId: string, effect: string) => `      - id: ${triggerId}
        type: indicator_rag
        indicator: HR01
        status: RED
        ${effect}
`;
  const allRed = ragOf('HR01', statuses('RED'));

  it.each([
    ['a raise is capped at the matrix edge', '{ likelihood: B, impact: II }', [trigger('a', 'raise: { likelihood: 3, impact: 5 }')], 'A/I'],
    ['a set, then a raise from where it set', '{ likelihood: E, impact: III }', [trigger('a', 'raise: { likelihood: 1 }'), trigger('b', 'set: { likelihood: C }')], 'B/III'],
    ['the most severe of two sets, whatever their order', '{ likelihood: E, impact: III }', [trigger('a', 'set: { likelihood: B }'), trigger('b', 'set: { likelihood: C }')], 'B/III'],
    ['raises add up', '{ likelihood: E, impact: III }', [trigger('a', 'raise: { likelihood: 1 }'), trigger('b', 'raise: { likelihood: 2, impact: 1 }')], 'B/II'],
    ['a set never eases a risk below its recorded position', '{ likelihood: B, impact: II }', [trigger('a', 'set: { likelihood: D, impact: IV }')], 'B/II'],
    ['set and raise in one trigger', '{ likelihood: E, impact: IV }', [trigger('a', 'set: { impact: II }\n        raise: { likelihood: 2 }')], 'C/II'],
  ])('%s', async (_name, current, triggers, expected) => {
    const a = await assessOne(triggers.join(''), allRed, current);
    expect(cell(a)).toBe(expected);
    expect(a.triggered.map((t) => t.triggerId)).toEqual(triggers.map((t) => /id: (\w+)/.exec(t)![1]));
  });

  it('lists a trigger that fired even when the risk was already at the edge', async () => {
    const a = await assessOne(trigger('a', 'raise: { likelihood: 1 }'), allRed, '{ likelihood: A, impact: II }');
    expect(a).toMatchObject({ changed: false, exception: true, triggered: [{ triggerId: 'a' }] });
  });
});

const FIVE_BY_FIVE = `matrix:
  likelihood:
    - { band: 5, label: Almost certain }
    - { band: 4, label: Likely }
    - { band: 3, label: Possible }
    - { band: 2, label: Unlikely }
    - { band: 1, label: Rare }
  impact:
    - { band: 5, label: Severe }
    - { band: 4, label: Major }
    - { band: 3, label: Moderate }
    - { band: 2, label: Minor }
    - { band: 1, label: Insignificant }
tolerance_line: { score: 15 }
risks:
  - id: R1
    title: Cyber attack on the council's systems
    owner: Head of ICT
    clinic: Resources
    inherent: { likelihood: 4, impact: 5 }
    current: { likelihood: 2, impact: 4 }
    triggers:
      - id: hr01-red
        type: indicator_rag
        indicator: HR01
        status: RED
        raise: { likelihood: 9 }
`;

describe('the matrix and its tolerance line', () => {
  it('a 5 x 5 matrix with numbered bands scores likelihood x impact', async () => {
    const register = await load(FIVE_BY_FIVE);
    const m = register.matrix;
    expect(m.likelihood.map((b) => `${b.band} ${b.label} ${b.score}`)).toEqual(['5 Almost certain 5', '4 Likely 4', '3 Possible 3', '2 Unlikely 2', '1 Rare 1']);
    expect([m.score({ likelihood: '5', impact: '5' }), m.score({ likelihood: '3', impact: '4' }), m.score({ likelihood: '1', impact: '1' })]).toEqual([25, 12, 1]);
    expect(m.cells().filter((c) => m.aboveTolerance(c)).map((c) => `${c.likelihood}/${c.impact}`)).toEqual(['5/5', '5/4', '5/3', '4/5', '4/4', '3/5']);
    const [calm] = assessRisks(register, evidence());
    expect(calm?.assessed).toEqual({ likelihood: '2', impact: '4', score: 8, aboveTolerance: false });
    const [raised] = assessRisks(register, ragOf('HR01', statuses('RED')));
    expect(raised?.assessed).toEqual({ likelihood: '5', impact: '4', score: 20, aboveTolerance: true });
  });

  it('band scores and single cells can be configured', async () => {
    const register = await load(
      FIVE_BY_FIVE.replace('{ band: 5, label: Almost certain }', '{ band: 5, label: Almost certain, score: 10 }').replace('tolerance_line:', '  cell_scores: { 1/5: 14 }\ntolerance_line:'),
    );
    const m = register.matrix;
    expect([m.score({ likelihood: '5', impact: '2' }), m.score({ likelihood: '1', impact: '5' }), m.score({ likelihood: '1', impact: '4' })]).toEqual([20, 14, 4]);
  });

  it('a line drawn by cells marks the same cells as the score it stands for', async () => {
    const byCells = await load(oneRisk(HR01_RED_TWICE).replace('{ score: 12 }', '{ cells: [A/I, A/II, A/III, B/I, B/II, C/I, C/II, D/I] }'));
    const byScore = await load(oneRisk(HR01_RED_TWICE));
    const above = (r: RiskRegister) => r.matrix.cells().filter((c) => r.matrix.aboveTolerance(c));
    expect(above(byCells)).toEqual(above(byScore));
    expect(above(byScore).map((c) => `${c.likelihood}/${c.impact}`)).toEqual(['A/I', 'A/II', 'A/III', 'B/I', 'B/II', 'C/I', 'C/II', 'D/I']);
  });

  it('the default matrix is seed 003', async () => {
    const { matrix } = await load(oneRisk(HR01_RED_TWICE));
    expect(matrix.likelihood.map((b) => `${b.band} ${b.label}`)).toEqual(['A Very High', 'B High', 'C Significant', 'D Low', 'E Very Low', 'F Almost Impossible']);
    expect(matrix.impact.map((b) => `${b.band} ${b.label}`)).toEqual(['I Catastrophic', 'II Critical', 'III Marginal', 'IV Negligible']);
    expect(matrix.position({ likelihood: 'B', impact: 'II' })).toEqual({ likelihood: 'B', impact: 'II', score: 15, aboveTolerance: true });
  });
});

describe('bad input is refused whole, every problem named with file, line and field', () => {
  const base = oneRisk(HR01_RED_TWICE);
  const withTrigger = (yaml: string) => oneRisk(HR01_RED_TWICE + yaml);

  it.each([
    // The parser notices the unclosed list on the line after it.
    ['invalid YAML', base.replace('clinic: Place', 'clinic: [Place'), 'inherent:', /invalid YAML/],
    ['a misspelt key', base.replace('owner:', 'ownr:'), 'ownr:', /^risks\[0\]\.ownr: unknown key "ownr"/],
    ['a misspelt top-level key', `risk_appetite: high\n${base}`, 'risk_appetite', /^risk_appetite: unknown key/],
    ['a missing owner', base.replace('    owner: Gareth Holloway\n', ''), '  - id: HR-R1', /^risks\[0\]\.owner: is required but missing/],
    ['a missing tolerance line', base.replace('tolerance_line: { score: 12 }\n', ''), 'risks:', /^tolerance_line: is required but missing/],
    ['an unknown likelihood band', base.replace('current: { likelihood: D', 'current: { likelihood: G'), 'current:', /^risks\[0\]\.current\.likelihood: unknown likelihood band "G" \(the matrix has A, B, C, D, E, F\)/],
    ['an unknown impact band', base.replace('inherent: { likelihood: B, impact: II }', 'inherent: { likelihood: B, impact: V }'), 'inherent:', /^risks\[0\]\.inherent\.impact: unknown impact band "V" \(the matrix has I, II, III, IV\)/],
    ['an unknown band in a set', base.replace('set: { likelihood: B }', 'set: { likelihood: B, impact: 2 }'), 'set:', /^risks\[0\]\.triggers\[0\]\.set\.impact: unknown impact band "2"/],
    ['a linked indicator nobody computes', base.replace('indicators: [HR01]', 'indicators: [HR01, HR99]'), 'indicators:', /^risks\[0\]\.indicators\[1\]: unknown indicator "HR99" \(no pipeline computes it\)/],
    ['a trigger on an unknown indicator', base.replace('indicator: HR01', 'indicator: HR1'), 'indicator: HR1', /^risks\[0\]\.triggers\[0\]\.indicator: unknown indicator "HR1"/],
    ['a trigger on an unknown check', withTrigger('      - { id: c, type: check_failing, check: repairs-reconcile, raise: { impact: 1 } }\n'), 'check_failing', /^risks\[0\]\.triggers\[1\]\.check: unknown data-quality check "repairs-reconcile"/],
    ['a trigger on an unknown source', withTrigger('      - { id: s, type: source_failing, source: ledger, for: 3d, raise: { impact: 1 } }\n'), 'source_failing', /^risks\[0\]\.triggers\[1\]\.source: unknown source "ledger" \(sources in the service config: finance, services\)/],
    ['an unknown trigger type', withTrigger('      - { id: x, type: indicator_red, indicator: HR01, raise: { impact: 1 } }\n'), 'indicator_red', /^risks\[0\]\.triggers\[1\]\.type: /],
    ['an unknown RAG status', base.replace('status: RED', 'status: RDE'), 'status: RDE', /^risks\[0\]\.triggers\[0\]\.status: unknown RAG status "RDE"/],
    ['"PURPLE or worse"', base.replace('status: RED', 'status: PURPLE or worse'), 'status: PURPLE', /^risks\[0\]\.triggers\[0\]\.status: unknown RAG status "PURPLE"/],
    ['a trigger with no effect', base.replace('        set: { likelihood: B }\n', ''), '      - id: hr01-red', /^risks\[0\]\.triggers\[0\]: a trigger needs an effect/],
    ['an empty set', base.replace('set: { likelihood: B }', 'set: {}'), 'set:', /^risks\[0\]\.triggers\[0\]\.set: names neither likelihood nor impact/],
    ['a raise of no bands', base.replace('set: { likelihood: B }', 'raise: { likelihood: 0 }'), 'raise:', /^risks\[0\]\.triggers\[0\]\.raise\.likelihood: /],
    ['a threshold both above and below', withTrigger('      - { id: t, type: indicator_threshold, indicator: HR03, above: 1, below: 2, raise: { impact: 1 } }\n'), 'indicator_threshold', /^risks\[0\]\.triggers\[1\]: a threshold trigger names exactly one of "above" or "below"/],
    ['a bad duration', withTrigger('      - { id: s, type: source_failing, source: finance, for: ages, raise: { impact: 1 } }\n'), 'source_failing', /^risks\[0\]\.triggers\[1\]\.for: "ages" is not a duration/],
    ['a duration without its unit', withTrigger('      - { id: s, type: source_failing, source: finance, for: 72, raise: { impact: 1 } }\n'), 'source_failing', /^risks\[0\]\.triggers\[1\]\.for: a duration with its unit, e\.g\. 72h or 3d/],
    ['a duplicate trigger id', withTrigger(HR01_RED_TWICE), '- id: hr01-red', /^risks\[0\]\.triggers\[1\]\.id: trigger id "hr01-red" is used twice in this risk/],
    ['a duplicate risk id', `${base}  - id: HR-R1\n    title: Again\n    owner: X\n    clinic: Place\n    inherent: { likelihood: B, impact: II }\n    current: { likelihood: B, impact: II }\n`, '  - id: HR-R1\n    title: Again', /^risks\[1\]\.id: risk id "HR-R1" is already used by risks\[0\]/],
    ['a tolerance cell outside the matrix', base.replace('{ score: 12 }', '{ cells: [A/I, A/V] }'), 'tolerance_line', /^tolerance_line\.cells\[1\]: "A\/V" is outside the matrix \(cells are likelihood\/impact, likelihood one of A, B, C, D, E, F and impact one of I, II, III, IV\)/],
    ['a tolerance score above every cell', base.replace('{ score: 12 }', '{ score: 25 }'), 'tolerance_line', /^tolerance_line\.score: 25 is outside the matrix: no cell scores that much \(the highest is 24\)/],
    ['a tolerance score below every cell', base.replace('{ score: 12 }', '{ score: 1 }'), 'tolerance_line', /^tolerance_line\.score: 1 is outside the matrix: every cell scores at least that \(the lowest is 1\)/],
    ['a tolerance line both cells and score', base.replace('{ score: 12 }', '{ score: 12, cells: [A/I] }'), 'tolerance_line', /^tolerance_line: a tolerance line is either "cells"/],
    ['a tolerance line that does not divide the matrix', base.replace('{ score: 12 }', '{ cells: [A/I, B/II] }'), 'tolerance_line', /^tolerance_line\.cells\[1\]: B\/II is above the tolerance line but the more likely A\/II is not/],
    ['a band listed twice', `matrix:\n  likelihood: [{ band: A, label: High }, { band: A, label: Low }]\n  impact: [{ band: I, label: Big }, { band: II, label: Small }]\n${base}`, 'likelihood: [', /^matrix\.likelihood\[1\]\.band: likelihood band "A" is listed twice/],
    ['a cell score for a cell outside the matrix', `matrix:\n  likelihood: [{ band: A, label: High }, { band: B, label: Low }]\n  impact: [{ band: I, label: Big }, { band: II, label: Small }]\n  cell_scores: { C/I: 3 }\n${base}`.replace('{ score: 12 }', '{ score: 2 }'), 'C/I: 3', /^matrix\.cell_scores\.C\/I: "C\/I" is not a cell of the matrix/],
  ])('%s', async (_name, text, at, message) => {
    const problems = await problemsOf(text);
    const hit = problems.find((p) => message.test(`${p.path}: ${p.message}`));
    expect(hit, JSON.stringify(problems, null, 1)).toBeDefined();
    expect(hit?.file).toBe('/risks.yaml');
    expect(hit?.line).toBe(lineOf(text, at));
  });

  it('reports every problem at once, in every risk, even beside a schema error', async () => {
    const text = `tolerance_line: { cells: [A/I, A/IX] }
risks:
  - id: R1
    title: One
    owner: A
    clinic: Place
    inherent: { likelihood: Z, impact: II }
    current: { likelihood: D, impact: II }
    triggers:
      - { id: t, type: check_failing, check: nope, raise: { likelihood: 1 } }
  - id: R2
    titel: Two
    owner: B
    clinic: Place
    inherent: { likelihood: B, impact: II }
    current: { likelihood: D, impact: II }
  - id: R3
    title: Three
    owner: C
    clinic: Place
    inherent: { likelihood: B, impact: II }
    current: { likelihood: D, impact: II }
    indicators: [NOPE]
`;
    const problems = await problemsOf(text);
    expect(problems.map((p) => `${p.line}: ${p.path}`)).toEqual([
      '1: tolerance_line.cells[1]',
      '7: risks[0].inherent.likelihood',
      '10: risks[0].triggers[0].check',
      '11: risks[1].title',
      '12: risks[1].titel',
      '23: risks[2].indicators[0]',
    ]);
  });
});

describe('the text risk matrix', () => {
  const register = () =>
    load(`tolerance_line: { score: 12 }
risks:
  - { id: HR-R1, title: Repairs late, owner: Gareth Holloway, clinic: Place, inherent: { likelihood: B, impact: II }, current: { likelihood: D, impact: II },
      triggers: [{ id: hr01-red, type: indicator_rag, indicator: HR01, status: RED, periods: 2, set: { likelihood: B } }] }
  - { id: FIN-R1, title: Suppliers paid late, owner: Karen Whitfield, clinic: Resources, inherent: { likelihood: B, impact: III }, current: { likelihood: B, impact: II } }
  - { id: WM-R1, title: Bins missed, owner: Dawn Fletcher, clinic: Place, inherent: { likelihood: C, impact: III }, current: { likelihood: E, impact: IV } }
`);
  const ev = ragOf('HR01', statuses('RED RED'));

  it('places each risk in its assessed cell and draws the tolerance line', async () => {
    const r = await register();
    expect(renderMatrix(r, assessRisks(r, ev), { colour: false })).toBe(
      [
        '+---------------------+---------------+--------------+----------------+----------------+',
        '| Likelihood / Impact | IV Negligible | III Marginal | II Critical    | I Catastrophic |',
        '+---------------------+---------------+--------------+----------------+----------------+',
        '| A Very High         |               #              |                |                |',
        '+---------------------+---------------+==============+----------------+----------------+',
        '| B High              |               |              # HR-R1*, FIN-R1 |                |',
        '+---------------------+---------------+--------------+----------------+----------------+',
        '| C Significant       |               |              #                |                |',
        '+---------------------+---------------+--------------+================+----------------+',
        '| D Low               |               |              |                #                |',
        '+---------------------+---------------+--------------+----------------+================+',
        '| E Very Low          | WM-R1         |              |                |                |',
        '+---------------------+---------------+--------------+----------------+----------------+',
        '| F Almost Impossible |               |              |                |                |',
        '+---------------------+---------------+--------------+----------------+----------------+',
        'Tolerance line: # and =. Cells above it (more likely, more severe) are ABOVE TOLERANCE.',
        '* escalated from its recorded position by a trigger.',
      ].join('\n'),
    );
  });

  it('adds colour only on top of the same text', async () => {
    const r = await register();
    const coloured = renderMatrix(r, assessRisks(r, ev), { colour: true });
    expect(coloured).toContain('\x1b[41;97m');
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(renderMatrix(r, assessRisks(r, ev), { colour: false }));
  });

  it('lists each risk with its position in words and the evidence of its triggers', async () => {
    const r = await register();
    expect(renderRiskList(r, assessRisks(r, ev), { colour: false })).toBe(
      [
        'HR-R1 Repairs late (owner Gareth Holloway, clinic Place)',
        '  B/II (High, Critical), score 15: ABOVE TOLERANCE; escalated from D/II (Low, Critical), score 9',
        '  trigger hr01-red: HR01 RED for 2 consecutive periods (2025-01, 2025-02)',
        'FIN-R1 Suppliers paid late (owner Karen Whitfield, clinic Resources)',
        '  B/II (High, Critical), score 15: ABOVE TOLERANCE; as recorded',
        'WM-R1 Bins missed (owner Dawn Fletcher, clinic Place)',
        '  E/IV (Very Low, Negligible), score 2: within tolerance; as recorded',
      ].join('\n'),
    );
  });
});

describe('the shipped register', () => {
  async function shipped(): Promise<RiskRegister> {
    const config = await loadConfig('config/lineofsight.yaml', {});
    const indicators = config.pipelines.flatMap((p) => p.indicators.map((i) => i.id));
    const checks = config.pipelines.flatMap((p) => p.checks.map((c) => c.id));
    return loadRisks('config/risks.yaml', { indicators: new Set(indicators), checks: new Set(checks), sources: new Set(Object.keys(config.service.sources)) });
  }

  it('loads against the shipped pipelines and sources', async () => {
    const register = await shipped();
    expect(register.risks.map((r) => r.id)).toEqual(['FIN-R1', 'BUD-R1', 'HR-R1', 'CT-R1', 'PL-R1', 'WM-R1']);
    expect(register.matrix.likelihood).toHaveLength(6);
    // Every risk starts within tolerance, so that an exception is news.
    expect(assessRisks(register, evidence()).filter((a) => a.exception)).toEqual([]);
  });

  it("escalates HR-R1 above the tolerance line on the demo's HR01 (RED January and February 2026)", async () => {
    const register = await shipped();
    const hr01 = (line: string) => ({ ...evidence(), rag: new Map([['HR01', line.split(' ').map((status, i) => ({ periodId: ['2025-11', '2025-12', '2026-01', '2026-02', '2026-03'][i]!, status, value: null, direction: null }))]]) });
    const february = assessRisks(register, hr01('GREEN AMBER RED RED')).find((a) => a.riskId === 'HR-R1')!;
    expect(february).toMatchObject({ changed: true, exception: true, assessed: { likelihood: 'A', impact: 'II' } });
    expect(february.triggered.map((t) => t.evidence)).toEqual([
      'HR01 RED for 2 consecutive periods (2026-01, 2026-02)',
      'HR01 AMBER or worse for 3 consecutive periods (2025-12: AMBER, 2026-01: RED, 2026-02: RED)',
    ]);
    const march = assessRisks(register, hr01('GREEN AMBER RED RED AMBER')).find((a) => a.riskId === 'HR-R1')!;
    expect(march).toMatchObject({ changed: true, exception: true, assessed: { likelihood: 'C', impact: 'II' }, triggered: [{ triggerId: 'hr01-off-target-a-quarter' }] });
  });
});
