import { parseMaxAge } from '../calendar/age.js';
import { bindingNamesIn, PERIOD_BINDINGS } from '../calendar/bindings.js';
import { CHECK_TYPES } from './checkTypes.js';
import type { ConfigProblem } from './problems.js';
import { SQL_NAME, SUSPECT_VALUES_CHECK, type CheckConfig, type CheckTotal, type PipelineConfig, type ServiceConfig } from './schema.js';
import type { YamlFile } from './yamlFile.js';

/** Columns a check names, by the key that names them. */
function namedColumns(check: CheckConfig): [string, string][] {
  const out: [string, string][] = [];
  if ('column' in check && check.column !== undefined) out.push(['column', check.column]);
  if (check.type === 'unique') check.columns.forEach((c, i) => out.push([`columns[${i}]`, c]));
  (check.key_columns ?? []).forEach((c, i) => out.push([`key_columns[${i}]`, c]));
  return out;
}

/**
 * Checks a pipeline's data-quality checks against its source and fields, so that a check naming
 * an unknown column, source or indicator, or a pattern that does not compile, is refused by
 * `validate` rather than discovered at 6 a.m.
 */
export function checkProblems(yaml: YamlFile, pipeline: PipelineConfig, sources: ServiceConfig['sources']): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const source = sources[pipeline.source];
  const isCsv = source?.client === 'csv';
  const fields = pipeline.csv?.fields ?? {};
  const indicatorIds = new Set(pipeline.indicators.map((i) => i.id));
  const seen = new Set<string>();
  const isDatabase = (name: string) => sources[name] !== undefined && sources[name]?.client !== 'csv';

  pipeline.checks.forEach((check, i) => {
    const at: PropertyKey[] = ['checks', i];
    const problem = (path: PropertyKey[], message: string) => problems.push(yaml.problem([...at, ...path], message));
    if (seen.has(check.id)) problem(['id'], `check id "${check.id}" is used twice in this pipeline`);
    seen.add(check.id);
    if (check.id === SUSPECT_VALUES_CHECK) problem(['id'], `check id "${SUSPECT_VALUES_CHECK}" is the built-in check of every pipeline: choose another`);
    if (check.type === 'suspect_values') {
      problem(['type'], 'suspect_values is built into every pipeline and is not declared: an indicator turns it off with suspect_values: false');
      return;
    }
    if (!CHECK_TYPES[check.type].countsRows) {
      for (const key of ['fail_when', 'warn_when'] as const) {
        if (check[key]?.includes('%')) problem([key], `a ${check.type} check counts no rows to take a share of: give a count, e.g. "> 0"`);
      }
    }
    if (check.type === 'range') {
      if (check.min === undefined && check.max === undefined) problem([], 'a range check needs min, max or both');
      else if (check.min !== undefined && check.max !== undefined && check.min > check.max) problem(['min'], `min ${check.min} is above max ${check.max}`);
    }
    if (check.type === 'row_count' && check.min === undefined && check.max === undefined && check.within_percent_of_last_year === undefined) {
      problem([], 'a row_count check needs min, max or within_percent_of_last_year');
    }
    if ((check.type === 'unique' || check.type === 'referential') && check.key_columns) {
      // Their samples are the failing keys with counts, so only key columns can be shown.
      const keys = check.type === 'unique' ? check.columns : [check.column];
      check.key_columns.forEach((c, j) => keys.includes(c) || problem(['key_columns', j], `a ${check.type} check's sample is its failing keys: "${c}" is not one of ${keys.join(', ')}`));
    }

    if (CHECK_TYPES[check.type].measures === 'values') {
      const named = check.type === 'sudden_change' ? [check.indicator] : ('indicators' in check ? check.indicators : undefined) ?? [];
      for (const id of named) if (!indicatorIds.has(id)) problem([check.type === 'sudden_change' ? 'indicator' : 'indicators'], `unknown indicator "${id}" (this pipeline computes ${[...indicatorIds].join(', ')})`);
      return;
    }

    if (check.type === 'pattern') {
      try {
        new RegExp(check.regex);
      } catch (err) {
        problem(['regex'], `the regular expression does not compile: ${(err as Error).message}`);
      }
      if (source?.client === 'mssql') problem(['type'], 'SQL Server has no regular expressions: write a sql check (with LIKE) instead');
    }
    if (check.type === 'freshness') {
      try {
        parseMaxAge(check.max_age);
      } catch (err) {
        problem(['max_age'], (err as Error).message);
      }
      if (check.column === undefined) {
        // It reads the one newest-record date data arrival reads, which nothing narrows.
        if (check.where !== undefined) problem(['where'], "a freshness check without a column ages the pipeline's newest record: it takes no where");
        if (!isCsv && check.table !== undefined) problem(['table'], 'a freshness check of a table names the date column to age');
        else if (!isCsv && !pipeline.arrival?.newest) problem([], "a freshness check without a column ages the pipeline's newest record: give the pipeline arrival.newest (or the check a table and column)");
        if (!isCsv) return;
      }
    }
    if (check.type === 'referential' && check.references.source !== undefined && !isDatabase(check.references.source)) {
      problem(['references', 'source'], `"${check.references.source}" is not a database source in the service config`);
    }
    if (check.type === 'reconciliation') {
      (['left', 'right'] as const).forEach((side) => problems.push(...totalProblems(yaml, [...at, side], check[side], isCsv, fields, isDatabase)));
    }

    if (isCsv) {
      if (check.type === 'sql') problem(['type'], 'a sql check needs a database source; this pipeline reads CSV files');
      if (check.table !== undefined) problem(['table'], 'a check on a CSV pipeline checks the pipeline\'s own rows: it takes no table');
      if (check.date_column !== undefined) problem(['date_column'], 'a check on a CSV pipeline uses the pipeline\'s date field: it takes no date_column');
      if (typeof check.where === 'string') problem(['where'], 'on a CSV pipeline, where is a list of conditions such as [{ field: amount, op: gt, value: 0 }]');
      if (Array.isArray(check.where)) check.where.forEach((c, j) => fields[c.field] || problem(['where', j, 'field'], `"${c.field}" is not one of the declared csv fields`));
      if (check.type === 'referential' && check.references.source === undefined) problem(['references'], 'on a CSV pipeline, references names the database source to look in');
      for (const [key, column] of namedColumns(check)) {
        const field = fields[column];
        if (!field) problem([key], `"${column}" is not one of the declared csv fields (${Object.keys(fields).join(', ')})`);
        else if (check.type === 'range' && key === 'column' && field.type !== 'amount' && field.type !== 'number') problem([key], `a range check needs an amount or number field; "${column}" is ${field.type}`);
        else if (check.type === 'freshness' && field.type !== 'date') problem([key], `a freshness check needs a date field; "${column}" is ${field.type}`);
      }
      return;
    }

    const rowCheck = check.type !== 'sql' && check.type !== 'reconciliation';
    if (rowCheck && check.table === undefined) problem([], `a ${check.type} check on a database needs "table"`);
    const scoped = check.date_column !== undefined || (typeof check.where === 'string' && /:period_(start|end)\b/.test(check.where));
    if (check.type === 'row_count' && !scoped) problem([], 'a row_count check counts the rows of a period: give date_column (or a where using :period_start and :period_end)');
    if (Array.isArray(check.where)) problem(['where'], 'on a database, where is a SQL condition (it may use :period_start and :period_end)');
    for (const [key, column] of namedColumns(check)) if (!SQL_NAME.test(column)) problem([key], `"${column}" is not a column name`);
    const sqlTexts: [PropertyKey[], string | undefined][] = [
      [['where'], typeof check.where === 'string' ? check.where : undefined],
      [['query'], check.type === 'sql' ? check.query : undefined],
    ];
    for (const [path, text] of sqlTexts) problems.push(...bindingProblems(yaml, [...at, ...path], text));
  });
  return problems;
}

function totalProblems(
  yaml: YamlFile,
  at: PropertyKey[],
  total: CheckTotal,
  isCsv: boolean,
  fields: Record<string, unknown>,
  isDatabase: (name: string) => boolean,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const has = (total.query !== undefined ? 1 : 0) + (total.aggregate !== undefined ? 1 : 0);
  if (has !== 1) problems.push(yaml.problem(at, 'a total is either a query (on a database source) or an aggregate (over this CSV pipeline\'s rows)'));
  if (total.aggregate && !isCsv) problems.push(yaml.problem([...at, 'aggregate'], 'an aggregate total needs a CSV pipeline; on a database, write a query'));
  if (total.aggregate?.field && !fields[total.aggregate.field]) problems.push(yaml.problem([...at, 'aggregate', 'field'], `"${total.aggregate.field}" is not one of the declared csv fields`));
  if (total.source !== undefined && !isDatabase(total.source)) problems.push(yaml.problem([...at, 'source'], `"${total.source}" is not a database source in the service config`));
  if (total.query && isCsv && total.source === undefined) problems.push(yaml.problem([...at, 'source'], 'a query total on a CSV pipeline names the database source it runs on'));
  problems.push(...bindingProblems(yaml, [...at, 'query'], total.query));
  return problems;
}

/** Named bindings a SQL text uses that no query receives (a typo such as :perod_end). */
export function bindingProblems(yaml: YamlFile, at: PropertyKey[], sql: string | undefined): ConfigProblem[] {
  if (!sql) return [];
  return bindingNamesIn(sql)
    .filter((name) => !(PERIOD_BINDINGS as readonly string[]).includes(name))
    .map((name) => yaml.problem(at, `unknown binding :${name} (known: ${PERIOD_BINDINGS.map((b) => `:${b}`).join(', ')})`));
}
