import type { LocalDate } from '../calendar/localDate.js';
import { KIND_OF_FREQUENCY, type Period } from '../calendar/periods.js';
import type { LoadedConfig, LoadedPipeline } from '../config/load.js';
import { formatProblem, pathToString, type ConfigProblem } from '../config/problems.js';
import { governanceFindings, type GovernanceFinding } from '../targets/governance.js';

export interface LocatedFinding extends GovernanceFinding {
  where: ConfigProblem;
}

/** A finding with its file and line: the targets file for a target set there, else the pipeline's. */
export function locateFinding(config: LoadedConfig, pipeline: LoadedPipeline, f: GovernanceFinding): LocatedFinding {
  const origin = f.target && config.targetOrigins.get(f.target);
  const where = origin
    ? origin.yaml.problem(origin.path, f.message)
    : (config.yaml.get(pipeline.file)?.problem(f.path, f.message) ?? { file: pipeline.file, path: pathToString(f.path), message: f.message });
  return { ...f, where };
}

/** Governance findings of every indicator for the periods each pipeline reports, with file and line. */
export function locatedFindings(config: LoadedConfig, periodsOf: (pipelineId: string) => readonly Period[]): LocatedFinding[] {
  return config.pipelines.flatMap((pipeline) =>
    pipeline.indicators.flatMap((indicator, i) =>
      governanceFindings(config.calendar, indicator, ['indicators', i], periodsOf(pipeline.id)).map((f) => locateFinding(config, pipeline, f)),
    ),
  );
}

export function findingLines(findings: readonly LocatedFinding[]): string[] {
  return findings.map((f) => `governance: ${formatProblem(f.where)}`);
}

/** The documented JSON shape of a finding (README, "JSON output"). */
export function findingJson(f: LocatedFinding) {
  return { indicator: f.indicatorId, kind: f.kind, period: f.periodId ?? null, message: f.message, file: f.where.file, line: f.where.line ?? null };
}

/** What `validate` reports: the findings of every indicator for its pipeline's latest complete period. */
export function latestFindings(config: LoadedConfig, today: LocalDate): LocatedFinding[] {
  const frequency = new Map(config.pipelines.map((p) => [p.id, p.frequency]));
  return locatedFindings(config, (id) => [config.calendar.latestComplete(today, KIND_OF_FREQUENCY[frequency.get(id)!])]);
}

/**
 * Database pipelines with no way to know that a period's data is in: their empty periods read
 * as 0 and are rated. Reported by `validate`, never a reason to refuse the configuration.
 */
export function arrivalFindings(config: LoadedConfig): ConfigProblem[] {
  return config.pipelines
    .filter((p) => config.service.sources[p.source]?.client !== 'csv' && !p.historical && p.arrival?.newest === undefined)
    .map((p) => {
      const message = `pipeline ${p.id} declares no arrival rule: a period with no data will read as 0 (give arrival.newest, a query for the newest record's date, or historical: true for data that will not grow)`;
      return config.yaml.get(p.file)?.problem(['query'], message) ?? { file: p.file, path: 'query', message };
    });
}

/** Settings that are valid but do nothing, so that nobody relies on them: said by `validate`. */
export function settingFindings(config: LoadedConfig): ConfigProblem[] {
  const yaml = config.yaml.get(config.file);
  const written = (yaml?.data ?? {}) as { sources?: Record<string, { query_timeout?: unknown } | undefined> };
  return Object.entries(config.service.sources)
    .filter(([name, source]) => source.client === 'sqlite' && written.sources?.[name]?.query_timeout !== undefined)
    .map(([name]) => {
      const message = 'SQLite runs queries in-process, where no timeout can interrupt them: this setting has no effect';
      return yaml?.problem(['sources', name, 'query_timeout'], message) ?? { file: config.file, path: `sources.${name}.query_timeout`, message };
    });
}
