import * as z from 'zod';
import { ConfigError, type ConfigProblem } from '../config/problems.js';
import { duration, pipelineSchema } from '../config/schema.js';
import { readYamlFile, type YamlFile } from '../config/yamlFile.js';
import { cellKey, parseCellKey, RiskMatrix, type Axis, type Band, type Cell, type ToleranceLine } from './matrix.js';
import { schemaProblems } from '../config/schemaProblems.js';
import { isRuleStatus, thisOrWorse, type RuleStatus } from '../rag/scale.js';

/** Risks, triggers, and the indicators, checks and sources they name, follow the pipelines' rule for ids. */
const id = pipelineSchema.shape.id;

/** YAML reads `likelihood: 4` as a number: a 5 x 5 matrix's bands are named by digits. */
const band = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a band is named with letters, digits, _ . - (e.g. B or II or 4)'))
  .describe('A band of the matrix, by name: B, II, 4.');

const AXES: readonly Axis[] = ['likelihood', 'impact'];

// ---- the risk matrix and its tolerance line --------------------------------------------------

const bandSchema = z.strictObject({
  band: band.describe('Its name (letters, digits, _ . -): A, II, 4.'),
  label: z.string().min(1).describe('Its label: Very High, Catastrophic.'),
  score: z.number().positive().optional().describe("Its score (default: the band's rank counted from the least severe, 1 upwards)."),
});

const axisSchema = z.array(bandSchema).min(2);

const matrixFields = z.strictObject({
  likelihood: axisSchema.describe('The likelihood bands, most likely first.'),
  impact: axisSchema.describe('The impact bands, most severe first.'),
  cell_scores: z.record(z.string(), z.number().positive()).default({}).describe('Scores of particular cells ("B/II": 14); every other cell scores the product of its two bands.'),
});

type MatrixConfig = z.output<typeof matrixFields>;

/** Report 003's matrix (docs/domain.md): likelihood A (Very High) to F (Almost Impossible) by impact I (Catastrophic) to IV (Negligible). */
const matrixSchema = matrixFields.default({
  likelihood: [
    { band: 'A', label: 'Very High' },
    { band: 'B', label: 'High' },
    { band: 'C', label: 'Significant' },
    { band: 'D', label: 'Low' },
    { band: 'E', label: 'Very Low' },
    { band: 'F', label: 'Almost Impossible' },
  ],
  impact: [
    { band: 'I', label: 'Catastrophic' },
    { band: 'II', label: 'Critical' },
    { band: 'III', label: 'Marginal' },
    { band: 'IV', label: 'Negligible' },
  ],
  cell_scores: {},
});

const toleranceLineSchema = z
  .strictObject({
    cells: z.array(z.string()).min(1).optional().describe('The cells above the line (intolerable), as likelihood/impact: [A/I, A/II, B/I].'),
    score: z.number().optional().describe('Or: cells scoring this or more are above the line.'),
  })
  .refine((line) => (line.cells === undefined) !== (line.score === undefined), {
    message: 'a tolerance line is either "cells" (those above it) or "score" (cells scoring at least this are above it)',
  })
  .transform((line): ToleranceLine => (line.cells ? { cells: line.cells } : { score: line.score! }));

// ---- risks and their triggers -----------------------------------------------------------------

const OR_WORSE = /^\s*(\S+)\s+or\s+worse\s*$/i;

/** `RED`, `[RED, RED_AMBER]` or `AMBER or worse`, as the statuses that count and the words for them. */
const statusSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((input, ctx) => {
  const worse = typeof input === 'string' ? OR_WORSE.exec(input) : null;
  const named = (worse ? [worse[1]!] : typeof input === 'string' ? [input] : input).map((s) => s.trim().toUpperCase());
  const unknown = named.filter((s) => !isRuleStatus(s));
  if (unknown.length) {
    ctx.addIssue({ code: 'custom', message: `unknown RAG status ${unknown.map((s) => `"${s}"`).join(', ')} (statuses: ${thisOrWorse('BLUE').join(', ')}; or e.g. "AMBER or worse")` });
    return z.NEVER;
  }
  return worse ? { statuses: thisOrWorse(named[0] as RuleStatus), text: `${named[0]} or worse` } : { statuses: named as RuleStatus[], text: named.join(' or ') };
});

/** Consecutive periods (or runs); one with no value or no RAG neither counts nor breaks them. */
const consecutive = z.number().int().positive().default(1);

/** A `duration` written with its unit: to `duration` a bare number is milliseconds, never what a risk owner means by `for: 72`. */
const failingFor = z.string({ error: 'a duration with its unit, e.g. 72h or 3d' }).transform((text, ctx) => {
  const parsed = duration.safeParse(text);
  if (parsed.success) return parsed.data;
  ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]!.message });
  return z.NEVER;
});

const triggerBase = {
  id: id.describe("The trigger's id, unique in its risk."),
  description: z.string().optional().describe('Why it moves the risk, in words.'),
  set: z
    .strictObject({ likelihood: band.optional().describe('A likelihood band.'), impact: band.optional().describe('An impact band.') })
    .optional()
    .describe('Moves the risk to at least these bands.'),
  raise: z
    .strictObject({ likelihood: z.number().int().positive().optional().describe('Likelihood bands.'), impact: z.number().int().positive().optional().describe('Impact bands.') })
    .optional()
    .describe('Moves the risk this many bands towards the matrix edge.'),
};

const periods = consecutive.describe('Consecutive periods it must hold for; a period with no value or no RAG neither counts nor breaks them.');
const watched = id.describe('The indicator watched.');

const triggerSchema = z.discriminatedUnion('type', [
  z
    .strictObject({ ...triggerBase, type: z.literal('indicator_rag'), indicator: watched, status: statusSchema.describe('RED, a list such as [RED, AMBER], or "AMBER or worse" (statuses: BLUE, GREEN, GREEN_AMBER, AMBER, RED_AMBER, RED).'), periods })
    .describe("Fires when an indicator's RAG is one of these statuses."),
  z
    .strictObject({ ...triggerBase, type: z.literal('indicator_threshold'), indicator: watched, above: z.number().optional().describe('Fires above this value.'), below: z.number().optional().describe('Or below this one.'), periods })
    .describe("Fires when an indicator's value is above or below a value."),
  z.strictObject({ ...triggerBase, type: z.literal('indicator_worsening'), indicator: watched, periods }).describe("Fires when an indicator's direction of travel is worsening."),
  z
    .strictObject({ ...triggerBase, type: z.literal('check_failing'), check: id.describe('The id of a data-quality check of a pipeline.'), runs: consecutive.describe('Consecutive runs it must fail.') })
    .describe('Fires when a data-quality check fails.'),
  z
    .strictObject({ ...triggerBase, type: z.literal('source_failing'), source: id.describe('A source of the service config.'), for: failingFor.describe('How long every run of it must have failed: 72h, 3d.') })
    .describe('Fires when every run of a source has failed for a time.'),
]);

const positionSchema = z.strictObject({ likelihood: band.describe('Its likelihood band.'), impact: band.describe('Its impact band.') });

const riskSchema = z.strictObject({
  id: id.describe("The risk's id, unique in the register."),
  title: z.string().min(1).describe('Its name.'),
  description: z.string().optional().describe('What the risk is, and what it would cost.'),
  owner: z.string().min(1).describe('The person id of its owner.'),
  clinic: z.string().min(1).describe('The id of the improvement clinic that reviews it.'),
  inherent: positionSchema.describe('Its position on the matrix before any controls.'),
  current: positionSchema.describe('The position recorded by the owner, with controls in place: where the risk returns when evidence clears.'),
  indicators: z.array(id).default([]).describe('Ids of the indicators that bear on it.'),
  triggers: z.array(triggerSchema).default([]).describe('What moves it on the matrix as the evidence comes in.'),
});

// The parts are parsed one by one below; this only refuses keys that are none of them.
const fileSchema = z.strictObject({ matrix: z.unknown().optional(), tolerance_line: z.unknown().optional(), risks: z.unknown().optional() });

/**
 * The register as one schema, for the configuration reference and the JSON Schema editors check
 * the file with: loadRisks parses its parts one by one, so that one bad risk hides no other's problems.
 */
export const risksFileSchema = z
  .strictObject({
    matrix: matrixSchema.describe("The risk matrix (default: report 003's, likelihood A Very High to F Almost Impossible by impact I Catastrophic to IV Negligible)."),
    tolerance_line: toleranceLineSchema.describe("The council's risk appetite: cells above the line are intolerable. Either cells or score."),
    risks: z.array(riskSchema).describe('The risks.'),
  })
  .describe('The risk register.');

export type Risk = z.output<typeof riskSchema>;
export type RiskTrigger = Risk['triggers'][number];

export interface RiskRegister {
  file: string;
  /** SHA-256 of the register file as written. */
  digest: string;
  matrix: RiskMatrix;
  risks: Risk[];
  /** The file as parsed, to locate what is said of a risk by line. */
  yaml: YamlFile;
}

/** What a risk's triggers may name: the ids the pipelines and the service config define. */
export interface KnownIds {
  indicators: ReadonlySet<string>;
  checks: ReadonlySet<string>;
  sources: ReadonlySet<string>;
}

/**
 * Loads the risk register. Throws a ConfigError listing every problem: each part of the file (the
 * matrix, the tolerance line, each risk) is parsed on its own, so one bad risk does not hide the
 * problems of the others. Without `known` (a pipeline file that did not parse leaves the ids
 * unknown), the ids triggers name are not checked.
 */
export async function loadRisks(file: string, known: KnownIds | undefined): Promise<RiskRegister> {
  const read = await readYamlFile(file);
  if (!read.yaml) throw new ConfigError(read.problems);
  const yaml = read.yaml;
  const problems: ConfigProblem[] = [...read.problems];
  const parse = <T>(schema: z.ZodType<T>, path: PropertyKey[]): T | undefined => {
    const result = schema.safeParse(valueAt(yaml.data, path), { reportInput: true });
    if (result.success) return result.data;
    problems.push(...schemaProblems(yaml, result.error, path));
    return undefined;
  };

  parse(fileSchema, []);
  const matrixConfig = parse(matrixSchema, ['matrix']);
  const line = parse(toleranceLineSchema, ['tolerance_line']);
  const matrix = matrixConfig && buildMatrix(yaml, matrixConfig, line, problems);

  const risks: Risk[] = [];
  const riskIds = new Map<string, number>();
  (parse(z.array(z.unknown()), ['risks']) ?? []).forEach((_, i) => {
    const risk = parse(riskSchema, ['risks', i]);
    if (!risk) return;
    const before = riskIds.get(risk.id);
    if (before !== undefined) problems.push(yaml.problem(['risks', i, 'id'], `risk id "${risk.id}" is already used by risks[${before}]`));
    riskIds.set(risk.id, i);
    problems.push(...riskProblems(yaml, ['risks', i], risk, matrix, known));
    risks.push(risk);
  });

  if (problems.length || !matrix) throw new ConfigError(problems);
  return { file, digest: yaml.digest, matrix, risks, yaml };
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), data);
}

function buildMatrix(yaml: YamlFile, config: MatrixConfig, line: ToleranceLine | undefined, problems: ConfigProblem[]): RiskMatrix {
  const scored = (axis: Axis): Band[] => {
    const bands = config[axis];
    bands.forEach((b, i) => {
      if (bands.findIndex((other) => other.band === b.band) < i) problems.push(yaml.problem(['matrix', axis, i, 'band'], `${axis} band "${b.band}" is listed twice`));
    });
    return bands.map((b, i) => ({ band: b.band, label: b.label, score: b.score ?? bands.length - i }));
  };
  const matrix = new RiskMatrix(scored('likelihood'), scored('impact'), config.cell_scores, line);
  for (const key of Object.keys(config.cell_scores)) {
    if (!isCell(matrix, key)) problems.push(yaml.problem(['matrix', 'cell_scores'], `"${key}" is not a cell of the matrix (${cellForm(matrix)})`, key));
  }
  if (line) problems.push(...lineProblems(yaml, matrix, line));
  return matrix;
}

function isCell(matrix: RiskMatrix, text: string): boolean {
  const cell = parseCellKey(text);
  return cell !== undefined && matrix.hasCell(cell);
}

const cellForm = (matrix: RiskMatrix) =>
  `cells are likelihood/impact, likelihood one of ${bandNames(matrix, 'likelihood')} and impact one of ${bandNames(matrix, 'impact')}`;

const bandNames = (matrix: RiskMatrix, axis: Axis) => matrix.bands(axis).map((b) => b.band).join(', ');

function lineProblems(yaml: YamlFile, matrix: RiskMatrix, line: ToleranceLine): ConfigProblem[] {
  const at: PropertyKey[] = ['tolerance_line', 'cells' in line ? 'cells' : 'score'];
  if ('cells' in line) {
    const outside = line.cells.flatMap((text, i) => (isCell(matrix, text) ? [] : [yaml.problem([...at, i], `"${text}" is outside the matrix (${cellForm(matrix)})`)]));
    if (outside.length) return outside;
  } else {
    const scores = matrix.cells().map((c) => matrix.score(c));
    const [lowest, highest] = [Math.min(...scores), Math.max(...scores)];
    if (line.score > highest) return [yaml.problem(at, `${line.score} is outside the matrix: no cell scores that much (the highest is ${highest})`)];
    if (line.score <= lowest) return [yaml.problem(at, `${line.score} is outside the matrix: every cell scores at least that (the lowest is ${lowest})`)];
  }
  // A tolerance line divides the matrix in two: whatever is above it, anything more likely or more
  // severe is too. A cell list that is not shaped so is almost always a typing slip.
  return matrix.cells().flatMap((cell) => {
    if (!matrix.aboveTolerance(cell)) return [];
    return AXES.flatMap((axis) => {
      const rank = matrix.rank(axis, cell[axis]);
      if (rank === 0) return [];
      const worse: Cell = { ...cell, [axis]: matrix.bands(axis)[rank - 1]!.band };
      if (matrix.aboveTolerance(worse)) return [];
      const where = 'cells' in line ? [...at, line.cells.indexOf(cellKey(cell))] : at;
      const more = axis === 'likelihood' ? 'more likely' : 'more severe';
      return [yaml.problem(where, `${cellKey(cell)} is above the tolerance line but the ${more} ${cellKey(worse)} is not: the line must divide the matrix in two`)];
    });
  });
}

function riskProblems(yaml: YamlFile, at: PropertyKey[], risk: Risk, matrix: RiskMatrix | undefined, known: KnownIds | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const problem = (path: PropertyKey[], message: string) => problems.push(yaml.problem([...at, ...path], message));
  const checkBand = (path: PropertyKey[], axis: Axis, name: string) => {
    if (matrix && !matrix.has(axis, name)) problem(path, `unknown ${axis} band "${name}" (the matrix has ${bandNames(matrix, axis)})`);
  };

  for (const which of ['inherent', 'current'] as const) {
    for (const axis of AXES) checkBand([which, axis], axis, risk[which][axis]);
  }
  risk.indicators.forEach((indicator, i) => {
    if (known && !known.indicators.has(indicator)) problem(['indicators', i], unknownIndicator(indicator));
    if (risk.indicators.indexOf(indicator) < i) problem(['indicators', i], `indicator "${indicator}" is listed twice`);
  });

  const triggerIds = new Set<string>();
  risk.triggers.forEach((trigger, i) => {
    const tAt: PropertyKey[] = ['triggers', i];
    if (triggerIds.has(trigger.id)) problem([...tAt, 'id'], `trigger id "${trigger.id}" is used twice in this risk`);
    triggerIds.add(trigger.id);

    if (!known) {
      // The ids cannot be checked until every pipeline parses.
    } else if (trigger.type === 'check_failing') {
      if (!known.checks.has(trigger.check)) problem([...tAt, 'check'], `unknown data-quality check "${trigger.check}" (no pipeline has a check with this id)`);
    } else if (trigger.type === 'source_failing') {
      if (!known.sources.has(trigger.source)) problem([...tAt, 'source'], `unknown source "${trigger.source}" (sources in the service config: ${[...known.sources].join(', ') || 'none'})`);
    } else if (!known.indicators.has(trigger.indicator)) {
      problem([...tAt, 'indicator'], unknownIndicator(trigger.indicator));
    }
    if (trigger.type === 'indicator_threshold' && (trigger.above === undefined) === (trigger.below === undefined)) {
      problem(tAt, 'a threshold trigger names exactly one of "above" or "below"');
    }

    if (!trigger.set && !trigger.raise) problem(tAt, 'a trigger needs an effect: "set" and/or "raise" (likelihood, impact)');
    for (const effect of ['set', 'raise'] as const) {
      const given = trigger[effect];
      if (given && given.likelihood === undefined && given.impact === undefined) problem([...tAt, effect], 'names neither likelihood nor impact');
    }
    for (const axis of AXES) {
      const set = trigger.set?.[axis];
      if (set !== undefined) checkBand([...tAt, 'set', axis], axis, set);
    }
  });
  return problems;
}

const unknownIndicator = (indicator: string) => `unknown indicator "${indicator}" (no pipeline computes it)`;
