import type { FinancialCalendar } from '../calendar/periods.js';
import { overlappingTargets } from './targetSpans.js';
import type { ConfigProblem } from './problems.js';
import { targetsFileSchema, type IndicatorConfig, type TargetConfig } from './schema.js';
import { readYamlWith } from './schemaProblems.js';
import type { YamlFile } from './yamlFile.js';

/** Where a target was set: a pipeline's indicator or the targets file, and its field path there. */
export interface TargetOrigin {
  yaml: YamlFile;
  path: PropertyKey[];
}

/** A target names either a period or a start, and the calendar must know it. */
export function targetProblems(calendar: FinancialCalendar, target: TargetConfig, at: TargetOrigin): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if ((target.period === undefined) === (target.from === undefined)) {
    problems.push(at.yaml.problem(at.path, 'a target names either "period" (that period only) or "from" (that period onwards)'));
  }
  for (const key of ['period', 'from'] as const) {
    const text = target[key];
    if (text === undefined) continue;
    try {
      calendar.parse(text);
    } catch (err) {
      problems.push(at.yaml.problem([...at.path, key], (err as Error).message));
    }
  }
  return problems;
}

export interface FileTarget {
  indicator: IndicatorConfig;
  target: TargetConfig;
  origin: TargetOrigin;
}

/**
 * The targets file: targets signed off apart from the pipelines, each naming its indicator. An id
 * no pipeline defines is a problem, and so is a replaced id: its history continues under its
 * successor, and the successor is what a new target is set for.
 */
export async function readTargetsFile(
  file: string,
  indicators: ReadonlyMap<string, IndicatorConfig>,
  successors: ReadonlyMap<string, string>,
  /** Ids of pipelines that did not parse: their targets wait for the pipeline, never "unknown". */
  unparsed: ReadonlySet<string> = new Set(),
): Promise<{ yaml?: YamlFile; targets: FileTarget[]; problems: ConfigProblem[] }> {
  const { yaml, data, problems } = await readYamlWith(targetsFileSchema, file);
  if (!yaml || !data) return { yaml, targets: [], problems };
  const targets: FileTarget[] = [];
  data.targets.forEach(({ indicator: id, ...target }, i) => {
    const indicator = indicators.get(id);
    const successor = successors.get(id);
    if (indicator) targets.push({ indicator, target, origin: { yaml, path: ['targets', i] } });
    else if (successor) problems.push(yaml.problem(['targets', i, 'indicator'], `indicator "${id}" was replaced by ${successor}: set the target on ${successor}`));
    else if (!unparsed.has(id)) problems.push(yaml.problem(['targets', i, 'indicator'], `no pipeline defines indicator "${id}"`));
  });
  return { yaml, targets, problems };
}

/**
 * Targets of one indicator that claim the same periods, wherever each was set (its pipeline or
 * the targets file), each reported at the later one, naming where the earlier one is.
 */
export function overlapProblems(calendar: FinancialCalendar, indicator: IndicatorConfig, origins: ReadonlyMap<TargetConfig, TargetOrigin>): ConfigProblem[] {
  return overlappingTargets(calendar, indicator).map(([i, j]) => {
    const first = origins.get(indicator.targets[i]!)!;
    const second = origins.get(indicator.targets[j]!)!;
    const firstAt = first.yaml.problem(first.path, '');
    const where = firstAt.file === second.yaml.file ? `line ${firstAt.line}` : `${firstAt.file}:${firstAt.line}`;
    return second.yaml.problem(second.path, `overlaps ${indicator.id}'s target at ${where}: both claim the same periods, so neither could be in force`);
  });
}
