import { readdir } from 'node:fs/promises';
import path from 'node:path';
import cron from 'node-cron';
import { FinancialCalendar } from '../calendar/periods.js';
import { bindingProblems, checkProblems } from './checkRules.js';
import { ConfigError, pathToString, type ConfigProblem } from './problems.js';
import { overlapProblems, readTargetsFile, targetProblems, type TargetOrigin } from './targets.js';
import {
  pipelineSchema,
  serviceConfigSchema,
  sourceSchema,
  type IndicatorConfig,
  type IndicatorInput,
  type PipelineConfig,
  type ServiceConfig,
  type TargetConfig,
} from './schema.js';
import { escapingPattern } from './paths.js';
import { readYamlWith, schemaProblems } from './schemaProblems.js';
import { readYamlFile, type YamlFile } from './yamlFile.js';

const DEFAULT_CONFIG_PATH = 'config/lineofsight.yaml';

export interface LoadedPipeline extends PipelineConfig {
  file: string;
}

export interface LoadedConfig {
  file: string;
  service: ServiceConfig;
  calendar: FinancialCalendar;
  pipelines: LoadedPipeline[];
  /** The service config, each pipeline file and the targets file as parsed, to locate findings about them by line. */
  yaml: Map<string, YamlFile>;
  /** Where each target was set: its indicator in a pipeline, or the targets file. */
  targetOrigins: ReadonlyMap<TargetConfig, TargetOrigin>;
}

/** `--config`, else LINEOFSIGHT_CONFIG, else config/lineofsight.yaml. */
export function configPath(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? env.LINEOFSIGHT_CONFIG ?? DEFAULT_CONFIG_PATH;
}

/**
 * Loads the service config and every pipeline, and checks them together. Throws a ConfigError
 * listing every problem in every file: a configuration that is wrong anywhere is not used at all.
 */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const read = await readConfig(file, env);
  if (read.problems.length || !read.config) throw new ConfigError(read.problems);
  return read.config;
}

/** What the stages after config check, read even from a service config that is not valid. */
export interface CheckableParts {
  file: string;
  yaml: Map<string, YamlFile>;
  /** The pipelines that parsed. */
  pipelines: LoadedPipeline[];
  rag: ServiceConfig['rag'] | undefined;
  risksFile: string | undefined;
  /** The sources the service config names, valid or not. */
  sourceNames: string[];
}

/** What reading a configuration found: every problem, and as much of it as could be read. */
export interface ConfigRead {
  problems: ConfigProblem[];
  /** Present once the service config is valid, with every pipeline that parsed. */
  config?: LoadedConfig;
  /** Every pipeline file parsed, so ids the pipelines define are all known. */
  complete: boolean;
  checkable?: CheckableParts;
}

/**
 * Reads the service config and every pipeline, and checks them together, keeping what could be
 * read beside the problems, so that the stages after config can check it too and one `validate`
 * lists every problem.
 */
export async function readConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ConfigRead> {
  // An invalid service config still lets every pipeline be checked on its own, so that one
  // `validate` lists all problems; only the checks against sources wait for a valid one.
  const { yaml: serviceYaml, data: service, problems } = await readYamlWith(serviceConfigSchema, file, env);
  if (!serviceYaml) return { problems, complete: false };
  // Read off the file as written, so that a problem elsewhere in the service config hides none.
  problems.push(...connectionProblems(serviceYaml));
  const calendar = new FinancialCalendar(service?.financial_year_start_month ?? 4);

  const raw = (serviceYaml.data ?? {}) as { pipelines_dir?: unknown; rag?: unknown; risks_file?: unknown; targets_file?: unknown };
  const dir = service?.pipelines_dir ?? (typeof raw.pipelines_dir === 'string' ? raw.pipelines_dir : './pipelines');
  let names: string[] = [];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    problems.push({ file, path: 'pipelines_dir', message: `cannot read pipelines folder ${dir}: ${(err as Error).message}` });
  }

  const sources = knownSources(serviceYaml, service);
  // Ids that pipelines which did not parse define: checked for duplicates, never taken as unknown.
  const unparsedIndicators = new Set<string>();
  const pipelines: LoadedPipeline[] = [];
  const yamlFiles = new Map<string, YamlFile>([[file, serviceYaml]]);
  const pipelineIds = new Map<string, string>();
  let complete = true;
  const indicatorIds = new Map<string, string>();
  const targetOrigins = new Map<TargetConfig, TargetOrigin>();
  for (const name of names) {
    const pipelineFile = path.join(dir, name);
    const r = await readYamlFile(pipelineFile);
    problems.push(...r.problems);
    const p = r.yaml && pipelineSchema.safeParse(r.yaml.data, { reportInput: true });
    const pipelineIdOnce = (yaml: YamlFile, id: unknown) => {
      if (typeof id !== 'string') return;
      const before = pipelineIds.get(id);
      if (before) problems.push(yaml.problem(['id'], `pipeline id "${id}" is already used by ${before}`));
      pipelineIds.set(id, pipelineFile);
    };
    const indicatorIdsOnce = (yaml: YamlFile, id: unknown, indicators: readonly { id?: unknown; replaces?: unknown }[]) => {
      indicators.forEach((indicator, i) => {
        const own = typeof indicator?.id === 'string' ? [indicator.id] : [];
        const replaced = Array.isArray(indicator?.replaces) ? indicator.replaces.filter((x): x is string => typeof x === 'string') : [];
        for (const ident of [...own, ...replaced]) {
          const seen = indicatorIds.get(ident);
          const what = own.includes(ident) ? `indicator id "${ident}"` : `replaced id "${ident}"`;
          if (seen) problems.push(yaml.problem(['indicators', i, 'id'], `${what} is already used in ${seen}`));
          indicatorIds.set(ident, `${pipelineFile} (${String(id)}.${own[0] ?? '?'})`);
        }
      });
    };
    if (!r.yaml || !p?.success) {
      if (r.yaml && p) {
        problems.push(...schemaProblems(r.yaml, p.error!), ...rawProblems(r.yaml, sources));
        // Read off the file as written: a schema error hides none of its duplicate ids.
        const raw = (r.yaml.data ?? {}) as { id?: unknown; indicators?: unknown };
        const indicators = Array.isArray(raw.indicators) ? (raw.indicators as { id?: unknown; replaces?: unknown }[]) : [];
        pipelineIdOnce(r.yaml, raw.id);
        indicatorIdsOnce(r.yaml, raw.id, indicators);
        for (const i of indicators) if (typeof i?.id === 'string') unparsedIndicators.add(i.id);
      }
      complete = false;
      continue;
    }
    const pipeline = p.data;
    pipelineIdOnce(r.yaml, pipeline.id);
    problems.push(...checkPipeline(r.yaml, pipeline, sources));
    indicatorIdsOnce(r.yaml, pipeline.id, pipeline.indicators);
    pipeline.indicators.forEach((indicator, i) => {
      indicator.targets.forEach((target, k) => targetOrigins.set(target, { yaml: r.yaml!, path: ['indicators', i, 'targets', k] }));
    });
    pipelines.push({ ...pipeline, file: pipelineFile });
    yamlFiles.set(pipelineFile, r.yaml);
  }
  const targetsFile = service ? service.targets_file : typeof raw.targets_file === 'string' ? raw.targets_file : undefined;
  if (targetsFile) {
    const indicators = new Map(pipelines.flatMap((p) => p.indicators.map((i) => [i.id, i] as const)));
    const successors = new Map(pipelines.flatMap((p) => p.indicators.flatMap((i) => i.replaces.map((old) => [old, i.id] as const))));
    const read = await readTargetsFile(targetsFile, indicators, successors, unparsedIndicators);
    problems.push(...read.problems);
    if (read.yaml) yamlFiles.set(targetsFile, read.yaml);
    for (const { indicator, target, origin } of read.targets) {
      indicator.targets.push(target);
      targetOrigins.set(target, origin);
    }
  }
  problems.push(...targetsProblems(calendar, pipelines, targetOrigins));
  const checkable: CheckableParts = {
    file,
    yaml: yamlFiles,
    pipelines,
    // Parsed on their own where the whole service config is not valid; their own problems are already listed.
    rag: service?.rag ?? serviceConfigSchema.shape.rag.safeParse(raw.rag).data,
    risksFile: service ? service.risks_file : typeof raw.risks_file === 'string' ? raw.risks_file : undefined,
    sourceNames: sources.names,
  };
  return { problems, complete, checkable, config: service && { file, service, calendar, pipelines, yaml: yamlFiles, targetOrigins } };
}

/** Every target's period, then overlaps, which can only be judged once an indicator's targets all name real periods. */
function targetsProblems(calendar: FinancialCalendar, pipelines: readonly LoadedPipeline[], origins: ReadonlyMap<TargetConfig, TargetOrigin>): ConfigProblem[] {
  return pipelines.flatMap((p) =>
    p.indicators.flatMap((indicator) => {
      const periods = indicator.targets.flatMap((t) => targetProblems(calendar, t, origins.get(t)!));
      return periods.length ? periods : overlapProblems(calendar, indicator, origins);
    }),
  );
}

/** A connection URL that cannot be parsed fails at `validate`, not in the middle of a run. */
function connectionProblems(yaml: YamlFile): ConfigProblem[] {
  const written = (yaml.data ?? {}) as { sources?: unknown };
  const sources = written.sources && typeof written.sources === 'object' ? (written.sources as Record<string, { client?: unknown; connection?: unknown } | null>) : {};
  return Object.entries(sources).flatMap(([name, source]) => {
    if (!source || typeof source.client !== 'string' || ['csv', 'sqlite'].includes(source.client) || typeof source.connection !== 'string' || yaml.unset.has(pathToString(['sources', name, 'connection']))) return [];
    let url: URL;
    try {
      url = new URL(source.connection);
      if (!url.hostname) throw new Error('no host');
    } catch {
      return [yaml.problem(['sources', name, 'connection'], `not a connection URL (expected e.g. ${source.client === 'pg' ? 'postgres' : source.client}://user:password@host/database)`)];
    }
    // Drivers decode the user, password and database as URI components, at connect time.
    try {
      for (const part of [url.username, url.password, url.pathname]) decodeURIComponent(part);
    } catch {
      return [yaml.problem(['sources', name, 'connection'], 'a % in the URL is not followed by two hex digits: write a % in a password as %25')];
    }
    return [];
  });
}

/**
 * The checks that need no valid schema, run on a pipeline file that failed it, so one `validate`
 * still reports its bad cron and unknown source alongside its misspelt keys.
 */
function rawProblems(yaml: YamlFile, sources: KnownSources): ConfigProblem[] {
  const raw = (yaml.data ?? {}) as { schedule?: unknown; source?: unknown };
  const problems: ConfigProblem[] = [];
  if (typeof raw.schedule === 'string' && !cron.validate(raw.schedule)) problems.push(yaml.problem(['schedule'], badCron(raw.schedule)));
  if (typeof raw.source === 'string' && !sources.names.includes(raw.source)) problems.push(yaml.problem(['source'], unknownSource(raw.source, sources)));
  return problems;
}

const badCron = (schedule: string) => `"${schedule}" is not a valid cron expression (e.g. "0 6 * * *")`;
const unknownSource = (name: string, sources: KnownSources) => `unknown source "${name}" (sources in the service config: ${sources.names.join(', ') || 'none'})`;

/**
 * The sources pipelines are checked against: every name the service config gives, and those that
 * parse. From a service config that is not valid they are read one by one, so that its problems
 * hide no pipeline's.
 */
interface KnownSources {
  names: string[];
  parsed: ServiceConfig['sources'];
}

function knownSources(yaml: YamlFile, service: ServiceConfig | undefined): KnownSources {
  if (service) return { names: Object.keys(service.sources), parsed: service.sources };
  const written = ((yaml.data ?? {}) as { sources?: unknown }).sources;
  const entries = written && typeof written === 'object' ? Object.entries(written as Record<string, unknown>) : [];
  const parsed: ServiceConfig['sources'] = {};
  for (const [name, source] of entries) {
    const r = sourceSchema.safeParse(source);
    if (r.success) parsed[name] = r.data;
  }
  return { names: entries.map(([name]) => name), parsed };
}

function checkPipeline(yaml: YamlFile, pipeline: PipelineConfig, sources: KnownSources): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!cron.validate(pipeline.schedule)) {
    problems.push(yaml.problem(['schedule'], badCron(pipeline.schedule)));
  }
  const source = sources.parsed[pipeline.source];
  if (!source) {
    // A source the service config names but cannot parse has its own problem already.
    if (!sources.names.includes(pipeline.source)) problems.push(yaml.problem(['source'], unknownSource(pipeline.source, sources)));
    return problems;
  }
  const isCsv = source.client === 'csv';
  if (isCsv && !pipeline.csv) problems.push(yaml.problem([], `source "${pipeline.source}" is a CSV source: the pipeline needs a csv section`));
  if (isCsv && pipeline.query) problems.push(yaml.problem(['query'], `source "${pipeline.source}" is a CSV source: it takes no query`));
  if (!isCsv && !pipeline.query) problems.push(yaml.problem([], `source "${pipeline.source}" is a database: the pipeline needs a query`));
  if (!isCsv && pipeline.csv) problems.push(yaml.problem(['csv'], `source "${pipeline.source}" is a database: it takes no csv section`));

  problems.push(...checkProblems(yaml, pipeline, sources.parsed));
  problems.push(...bindingProblems(yaml, ['query'], pipeline.query));
  if (pipeline.historical && pipeline.arrival) problems.push(yaml.problem(['arrival'], 'a historical pipeline never awaits data: it takes no arrival rule'));
  if (isCsv && pipeline.arrival?.newest) problems.push(yaml.problem(['arrival', 'newest'], "a CSV pipeline's newest record is read from its date field: arrival takes only a grace"));
  if (!isCsv && pipeline.arrival && !pipeline.arrival.newest) problems.push(yaml.problem(['arrival'], "on a database, arrival needs newest: a query returning the newest record's date"));
  const fields = pipeline.csv?.fields ?? {};
  if (pipeline.csv) {
    const date = fields[pipeline.csv.date];
    if (!date) problems.push(yaml.problem(['csv', 'date'], `"${pipeline.csv.date}" is not one of the declared fields`));
    else if (date.type !== 'date') problems.push(yaml.problem(['csv', 'date'], `field "${pipeline.csv.date}" must have type date`));
    if (pipeline.csv.header_line === 'none') {
      for (const [name, field] of Object.entries(fields)) {
        if (field.column === undefined) problems.push(yaml.problem(['csv', 'fields', name], 'with header_line: none there is no header to find it by: give its column (1 is the first)'));
      }
    }
    const patterns = typeof pipeline.csv.files === 'string' ? [pipeline.csv.files] : pipeline.csv.files;
    patterns.forEach((pattern, i) => {
      const escape = escapingPattern(pattern);
      if (escape) problems.push(yaml.problem(typeof pipeline.csv!.files === 'string' ? ['csv', 'files'] : ['csv', 'files', i], `the pattern ${escape}`));
    });
    pipeline.csv.skip_when.forEach((c, i) => {
      if (!fields[c.field]) problems.push(yaml.problem(['csv', 'skip_when', i, 'field'], `"${c.field}" is not one of the declared fields`));
    });
  }
  pipeline.indicators.forEach((indicator, i) => {
    problems.push(...checkIndicator(yaml, ['indicators', i], indicator, isCsv, fields));
  });
  return problems;
}

const RATIO_TYPES = new Set(['percentage', 'ratio', 'rate']);

function checkIndicator(
  yaml: YamlFile,
  at: PropertyKey[],
  indicator: IndicatorConfig,
  isCsv: boolean,
  fields: Record<string, unknown>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const needs = RATIO_TYPES.has(indicator.type) ? (['numerator', 'denominator'] as const) : (['value'] as const);
  const unwanted = RATIO_TYPES.has(indicator.type) ? (['value'] as const) : (['numerator', 'denominator'] as const);
  for (const key of needs) {
    if (indicator[key] === undefined) problems.push(yaml.problem(at, `a ${indicator.type} indicator needs "${key}"`));
  }
  for (const key of unwanted) {
    if (indicator[key] !== undefined) problems.push(yaml.problem([...at, key], `a ${indicator.type} indicator takes no "${key}"`));
  }
  if (indicator.type === 'rate' && indicator.per === undefined) problems.push(yaml.problem(at, 'a rate indicator needs "per" (e.g. 1000)'));
  if (indicator.type !== 'rate' && indicator.per !== undefined) problems.push(yaml.problem([...at, 'per'], 'only a rate indicator takes "per"'));

  for (const key of ['value', 'numerator', 'denominator'] as const) {
    const input: IndicatorInput | undefined = indicator[key];
    if (input === undefined || typeof input === 'number') continue;
    if (!isCsv && typeof input !== 'string') problems.push(yaml.problem([...at, key], 'on a database source, an input is a column of the query (or a number)'));
    if (isCsv && typeof input === 'string') problems.push(yaml.problem([...at, key], 'on a CSV source, an input is an aggregate such as { fn: sum, field: amount } (or a number)'));
    if (typeof input === 'object') {
      if (input.fn !== 'count' && !input.field) problems.push(yaml.problem([...at, key, 'fn'], `aggregate ${input.fn} needs a field`));
      if (input.field && !fields[input.field]) problems.push(yaml.problem([...at, key, 'field'], `"${input.field}" is not one of the declared csv fields`));
      input.where.forEach((c, i) => {
        if (!fields[c.field]) problems.push(yaml.problem([...at, key, 'where', i, 'field'], `"${c.field}" is not one of the declared csv fields`));
      });
    }
  }

  const tolerance = indicator.tolerance;
  if (tolerance) {
    const given = (['percent', 'absolute', 'amber_threshold'] as const).filter((k) => tolerance[k] !== undefined);
    if (given.length !== 1) problems.push(yaml.problem([...at, 'tolerance'], 'a tolerance is exactly one of percent, absolute or amber_threshold'));
  }
  return problems;
}
