import { isDeepStrictEqual } from 'node:util';
import * as z from 'zod';
import { clinicsFileSchema } from './clinics.js';
import { peopleFileSchema } from './people.js';
import { csvSpecSchema, duration, pipelineSchema, serviceConfigSchema, targetsFileSchema } from './schema.js';

/**
 * The configuration reference and the JSON Schemas editors check the YAML files with, both drawn
 * from the zod schemas that lineofsight itself validates with, so neither can drift from them.
 * Pure: `npm run schemas` (schemas/generate.ts) writes what these return.
 */

const CONFIG_FILE_NAMES = ['service', 'pipeline', 'targets', 'risks', 'people', 'clinics'] as const;
export type ConfigFileName = (typeof CONFIG_FILE_NAMES)[number];

/** The part of JSON Schema (draft 2020-12) that the reference reads. */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  title?: string;
  description?: string;
  deprecated?: boolean;
  default?: unknown;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  not?: JsonSchema;
  [keyword: string]: unknown;
}

/**
 * How a zod schema is written where zod cannot say it in JSON Schema: the input a transform takes
 * (a duration's "30s"), or a refinement that JSON Schema can express. Applied to the JSON Schema
 * zod made for it, and for every refinement or description of it.
 */
export type InputForm = (json: JsonSchema) => void;

/** One kind of configuration file. */
export interface ConfigFile {
  name: ConfigFileName;
  title: string;
  /** Where lineofsight finds the file (Markdown). */
  file: string;
  /** What the file is for (Markdown). */
  about: string;
  /** `${VAR}` and `${VAR:-default}` in its string values are read from the environment before it is validated. */
  environment: boolean;
  schema: z.ZodType;
  forms?: ReadonlyMap<z.core.$ZodType, InputForm>;
  /** What `lineofsight validate` checks beyond the schema: across fields and files (Markdown). */
  checks: readonly string[];
}

/** The JSON Schema file of a kind of config file, in schemas/. */
export const schemaFileName = (name: ConfigFileName) => `${name}.schema.json`;

// ---- input forms ------------------------------------------------------------------------------

const UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
] as const;

/** Milliseconds as a duration a person writes: 30000 is "30s", 172800000 is "2d". */
function durationText(ms: number): string {
  const unit = UNITS.find(([, size]) => ms > 0 && ms % size === 0);
  return unit ? `${ms / unit[1]}${unit[0]}` : `${ms}ms`;
}

/** A duration written with its unit (as `duration` in schema.ts reads it, spaces around it allowed). */
const DURATION_TEXT = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*$';
export const DURATION_TEXT_FORM: JsonSchema = { type: 'string', pattern: DURATION_TEXT };
const DURATION_FORM: JsonSchema = {
  anyOf: [{ type: 'string', pattern: DURATION_TEXT }, { type: 'integer', minimum: 0, description: 'milliseconds' }],
};
const DAYS_FORM: JsonSchema = {
  anyOf: [{ type: 'string', pattern: '^\\s*\\d+\\s*d\\s*$' }, { type: 'integer', minimum: 0, description: 'days' }],
};

/** A number that is also read from a string (for `${VAR}`): digits, or the variable itself. */
const NUMBER_TEXT = '^\\s*\\d+\\s*$|\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}';

const SHAPE_KEYWORDS = [
  'type', 'const', 'enum', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'properties', 'required', 'additionalProperties', 'propertyNames', 'items', 'prefixItems', 'minItems', 'maxItems', 'anyOf', 'oneOf', 'allOf', 'not',
];

/** Replaces what zod says a value is (keeping its description and default) with `form`. */
export function writtenAs(form: JsonSchema): InputForm {
  return (json) => {
    for (const key of SHAPE_KEYWORDS) delete json[key];
    Object.assign(json, structuredClone(form));
  };
}

/** For an object refined to take exactly one of some fields: says so. */
export function exactlyOneOf(...fields: string[]): InputForm {
  return (json) => {
    json.oneOf = fields.map((f) => ({ required: [f] }));
  };
}

/** The schema `schema` was made from by refining or describing it: what every such use of it shares. */
export function rootOf(schema: z.core.$ZodType): z.core.$ZodType {
  let root = schema;
  while (root._zod.parent) root = root._zod.parent;
  return root;
}

/** `days` in schema.ts, as the arrival rule's grace uses it. */
const days = pipelineSchema.shape.arrival.unwrap().shape.grace.unwrap();
/** A CSV field: its header or its column, never both. */
const csvField = csvSpecSchema.shape.fields.valueType;

const CONFIG_FORMS: ReadonlyMap<z.core.$ZodType, InputForm> = new Map<z.core.$ZodType, InputForm>([
  [rootOf(duration), writtenAs(DURATION_FORM)],
  [rootOf(days), writtenAs(DAYS_FORM)],
  [rootOf(csvField), exactlyOneOf('header', 'column')],
]);

// ---- the files --------------------------------------------------------------------------------

/**
 * Every kind of configuration file. The risk register's schema is the risk stage's (src/risk,
 * after config on the line), so its caller gives it.
 */
export function configFiles(risks: Pick<ConfigFile, 'schema' | 'forms'>): ConfigFile[] {
  return [
    {
      name: 'service',
      title: 'Service configuration',
      file: '`config/lineofsight.yaml`, or the file `--config` or `LINEOFSIGHT_CONFIG` names.',
      about: 'The service as a whole: its timezone and financial year, where the pipelines and the other files are, the store, the data sources, how RAG is judged, exceptions and who is told, email, and the daemon\'s scheduler.',
      environment: true,
      schema: serviceConfigSchema,
      checks: [
        '`timezone` is a timezone the IANA database knows (e.g. `Europe/London`).',
        'A connection URL parses, with a host, and any `%` in it is followed by two hex digits.',
        'Store timeouts and reminder intervals are more than 0; `email.outbox.claim_timeout` is longer than one attempt to send may take.',
        '`email.sending_hours.from` is earlier than `to`; each step of `exceptions.data_not_received` comes later than the one before.',
        'Route and escalation recipients are people of the directory (`people_file`) or the roles `owner`, `manager`, `data_quality_leads`, `performance_team`, `risk_owner`.',
      ],
    },
    {
      name: 'pipeline',
      title: 'Pipelines',
      file: 'Every `.yaml` and `.yml` file in `pipelines_dir` (default `./pipelines`), one pipeline each.',
      about: 'One feed of data: its source and schedule, the query (database) or the CSV files it reads, the indicators it computes, their targets and tolerances, and its data-quality checks.',
      environment: false,
      schema: pipelineSchema,
      checks: [
        '`schedule` is a valid cron expression; `source` is a source of the service config.',
        'A CSV source takes a `csv` section and no `query`; a database source takes a `query` and no `csv`; the query uses only known period bindings (`:period_start`, `:period_end`, ...).',
        'A percentage, ratio or rate indicator gives `numerator` and `denominator`, any other type `value`; only a rate takes `per`; a tolerance is exactly one of `percent`, `absolute` or `amber_threshold`.',
        'On a database an input is a column of the query; on CSV it is an aggregate over declared fields.',
        'Pipeline, indicator and replaced ids are unique across all pipelines; check ids within their pipeline.',
        'A target names either `period` or `from`, a period the financial calendar knows, and no two targets of an indicator (here or in the targets file) claim the same periods.',
        'Each check type\'s own rules: the columns, fields and sources it names, its thresholds, what it needs on a database or on CSV.',
        'No check is declared with type `suspect_values` or id `suspect-values`: that check is built into every pipeline.',
      ],
    },
    {
      name: 'targets',
      title: 'Targets file',
      file: 'The file `targets_file` names in the service config (none by default).',
      about: 'Targets signed off apart from the pipelines (by Cabinet, say), each naming the indicator it is for.',
      environment: false,
      schema: targetsFileSchema,
      checks: [
        'Each target names an indicator some pipeline defines; a replaced id is refused (set the target on its successor).',
        'A target names either `period` or `from`, a period the financial calendar knows, and claims no period another target of its indicator claims.',
      ],
    },
    {
      name: 'risks',
      title: 'Risk register',
      file: 'The file `risks_file` names in the service config (none by default).',
      about: 'The risk matrix, the tolerance line (the council\'s risk appetite), and the risks with the triggers that tie them to the evidence each run gathers.',
      environment: false,
      ...risks,
      checks: [
        'Band names are unique on their axis; `cell_scores` and the tolerance line name cells of the matrix, and the line divides it in two.',
        'Every band a risk or a trigger names is on the matrix; risk ids are unique, trigger ids unique within their risk.',
        'Triggers name indicators, checks and sources that the pipelines and the service config define; a threshold trigger names exactly one of `above` or `below`; a trigger has an effect (`set` and/or `raise`).',
        'A status is a RAG status (`BLUE`, `GREEN`, `GREEN_AMBER`, `AMBER`, `RED_AMBER`, `RED`, in any case), a list of them, or e.g. `AMBER or worse`.',
      ],
    },
    {
      name: 'people',
      title: 'People directory',
      file: 'The file `people_file` names in the service config (none by default).',
      about: 'Who is who: people with their addresses, services with their managers, the data-quality leads, and the performance team\'s address.',
      environment: true,
      schema: peopleFileSchema,
      checks: [
        'Person ids are unique; managers and data-quality leads are people of the directory.',
        'Owners, risk owners, route recipients and clinic members named elsewhere are people of the directory.',
        '`validate` also says which people have no address (their mail goes to the performance team) and which services no indicator has.',
      ],
    },
    {
      name: 'clinics',
      title: 'Improvement clinics',
      file: 'The file `clinics_file` names in the service config (none by default); needs `people_file`.',
      about: 'The improvement clinics: who sits on each, and when each is sent its exception pack.',
      environment: true,
      schema: clinicsFileSchema,
      checks: ['Clinic ids are unique; `schedule` is a valid cron expression; members are people of the directory.', 'The clinics indicators and risks name are clinics of this file.'],
    },
  ];
}

// ---- JSON Schema ------------------------------------------------------------------------------

/** The JSON Schema of a kind of config file, as a user writes it (input, before defaults and transforms). */
export function jsonSchemaOf(file: ConfigFile): JsonSchema {
  const forms = new Map([...CONFIG_FORMS, ...(file.forms ?? [])]);
  const generated = z.toJSONSchema(file.schema, {
    target: 'draft-2020-12',
    io: 'input',
    override: ({ zodSchema, jsonSchema, path }) => inputForm(zodSchema, jsonSchema as JsonSchema, path, forms),
  }) as JsonSchema;
  humaniseDefaults(generated);
  describeVariants(generated);
  const { $schema, ...body } = generated;
  return tidy({
    ...body,
    $schema,
    $id: `urn:lineofsight:config:${file.name}`,
    title: `lineofsight ${file.title.toLowerCase()}`,
    description: `${file.about} Generated from lineofsight's own schemas by npm run schemas; see docs/configuration.md.`,
  });
}

const ANNOTATIONS = ['$schema', '$id', 'title', 'description', 'deprecated', 'default'];

/** The same schema with every subschema's annotations first, in one order, for readers of the files. */
function tidy(json: JsonSchema): JsonSchema {
  const keys = [...ANNOTATIONS.filter((k) => k in json), ...Object.keys(json).filter((k) => !ANNOTATIONS.includes(k))];
  const each = (list: JsonSchema[] | undefined) => list?.map(tidy);
  return Object.fromEntries(
    keys.map((key) => {
      const value = json[key];
      if (key === 'properties') return [key, Object.fromEntries(Object.entries(json.properties!).map(([k, v]) => [k, tidy(v)]))];
      const isSchema = typeof value === 'object' && value !== null && !Array.isArray(value);
      if (isSchema && (key === 'items' || key === 'propertyNames' || key === 'not' || key === 'additionalProperties')) return [key, tidy(value as JsonSchema)];
      if (key === 'anyOf' || key === 'oneOf' || key === 'prefixItems') return [key, each(value as JsonSchema[])];
      return [key, value];
    }),
  ) as JsonSchema;
}

function inputForm(schema: z.core.$ZodType, json: JsonSchema, path: (string | number)[], forms: ReadonlyMap<z.core.$ZodType, InputForm>): void {
  for (let s: z.core.$ZodType | undefined = schema; s; s = s._zod.parent) {
    const form = forms.get(s);
    if (form) {
      form(json);
      break;
    }
  }
  const def = schema._zod.def;
  // A number read with z.coerce is read from a string too: `port: ${SMTP_PORT}`.
  if (def.type === 'number' && (def as z.core.$ZodNumberDef).coerce && json.type !== undefined) {
    const { description, default: given, ...number } = json;
    for (const key of Object.keys(json)) delete json[key];
    Object.assign(json, description === undefined ? {} : { description }, given === undefined ? {} : { default: given });
    json.anyOf = [number, { type: 'string', pattern: NUMBER_TEXT }];
  }
  // .int() bounds a number to the safe integers: true of any number YAML gives, so noise.
  for (const branch of [json, ...(json.anyOf ?? [])]) {
    if (branch.minimum === Number.MIN_SAFE_INTEGER) delete branch.minimum;
    if (branch.maximum === Number.MAX_SAFE_INTEGER) delete branch.maximum;
  }
  // A key that was renamed or removed: z.never() with the message that says what it became.
  if (def.type === 'never' && def.error) {
    const said = def.error({ code: 'invalid_type', expected: 'never', input: undefined } as never);
    const message = typeof said === 'string' ? said : said?.message;
    if (message) json.description = message;
    json.deprecated = true;
  }
  // zod leaves out the default of anything with a transform inside (its default is its output);
  // every default here is also what a user could write, so it is put back once that is certain.
  if (def.type === 'default' && json.default === undefined) {
    const value: unknown = (def as z.core.$ZodDefaultDef).defaultValue;
    const parsed = z.safeParse((def as z.core.$ZodDefaultDef).innerType, value);
    if (!parsed.success || !isDeepStrictEqual(parsed.data, value)) {
      throw new Error(`the default at ${path.join('/')} is not a value a user could write (${JSON.stringify(value)}): give it in its written form`);
    }
    json.default = structuredClone(value);
  }
}

const sameShape = (json: JsonSchema, form: JsonSchema) => isDeepStrictEqual(json.anyOf ?? json.pattern, form.anyOf ?? form.pattern) && (form.type === undefined || json.type === form.type);

/** Defaults in milliseconds or days, written as the durations a user writes: 30000 is "30s", 10 days "10d". */
function humaniseDefaults(json: JsonSchema): void {
  for (const node of subschemas(json)) {
    if (node.default !== undefined) node.default = humanised(node.default, node);
  }
}

function humanised(value: unknown, json: JsonSchema): unknown {
  if (typeof value === 'number' && sameShape(json, DURATION_FORM)) return durationText(value);
  if (typeof value === 'number' && sameShape(json, DAYS_FORM)) return `${value}d`;
  const items = json.items;
  if (Array.isArray(value) && items) return value.map((v) => humanised(v, items));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  const branch = (json.oneOf ?? json.anyOf)?.find((b) => b.properties && Object.entries(b.properties).every(([k, p]) => p.const === undefined || p.const === object[k]));
  const shape = branch ?? json;
  const entries = Object.entries(object).map(([k, v]) => {
    const field = shape.properties?.[k] ?? (typeof shape.additionalProperties === 'object' ? shape.additionalProperties : undefined);
    return [k, field ? humanised(v, field) : v];
  });
  return Object.fromEntries(entries);
}

/** A union's discriminating field says what its variant is: `type: range` is described as its variant is. */
function describeVariants(json: JsonSchema): void {
  for (const node of subschemas(json)) {
    const union = node.oneOf ?? node.anyOf;
    const disc = union && discriminatorOf(union);
    if (!disc) continue;
    for (const branch of union) {
      const field = branch.properties![disc]!;
      if (branch.description && !field.description) field.description = branch.description;
    }
  }
}

/** Every schema inside `json`, itself first. */
function* subschemas(json: JsonSchema): Generator<JsonSchema> {
  yield json;
  const children = [
    ...Object.values(json.properties ?? {}),
    ...(typeof json.additionalProperties === 'object' ? [json.additionalProperties] : []),
    ...(json.items ? [json.items] : []),
    ...(json.prefixItems ?? []),
    ...(json.anyOf ?? []),
    ...(json.oneOf ?? []),
  ];
  for (const child of children) yield* subschemas(child);
}

// ---- the Markdown reference -------------------------------------------------------------------

/** Which variant of a union (at `union`, of `of` variants) a row belongs to: `type: range`. */
interface Tag {
  union: string;
  label: string;
  of: number;
}

interface Row {
  path: string;
  type: string;
  default: string;
  description: string;
  /** The variants of unions it belongs to, none when all. */
  when: Tag[];
  /** A union's discriminating field: its type says which variant it is. */
  discriminator?: boolean;
}

/** The whole reference: every file, every field with its type, default and description. */
export function referenceMarkdown(files: readonly ConfigFile[]): string {
  const out: string[] = [
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run schemas` from the zod schemas lineofsight validates with (src/config/reference.ts): do not edit by hand. -->',
    '',
    'lineofsight is configured by YAML files, each checked against a schema when it is read: `lineofsight validate` lists every problem in every file, with its line and column, and a configuration that is wrong anywhere is not used at all. This reference is generated from those schemas, and so are the JSON Schemas in [`schemas/`](../schemas/), which editors use to complete and check the files as they are written.',
    '',
    '- [Editors](#editors)',
    '- [Environment variables](#environment-variables)',
    '- [Durations](#durations)',
    ...files.map((f) => `- [${f.title}](#${anchor(f.title)}) (\`schemas/${schemaFileName(f.name)}\`)`),
    '',
    '## Editors',
    '',
    'Each shipped YAML file starts with a line that points editors (VS Code with the Red Hat YAML extension, or any editor using yaml-language-server) at its JSON Schema, e.g.:',
    '',
    '```yaml',
    '# yaml-language-server: $schema=../schemas/service.schema.json',
    '```',
    '',
    'Give a file of your own the same first line, with the path from it to the schema. The JSON Schemas check each field on its own; what `lineofsight validate` checks across fields and files is listed under each file below.',
    '',
    '## Environment variables',
    '',
    `In the ${listOf(files.filter((f) => f.environment).map((f) => f.title.toLowerCase()))}, \`\${VAR}\` and \`\${VAR:-default}\` in string values are replaced from the environment when the file is read, before it is validated, so that passwords stay out of the files. A variable that is not set, with no default, is a problem of its own. The ${listOf(files.filter((f) => !f.environment).map((f) => f.title.toLowerCase()))} are read as written: no environment text can end up inside a pipeline's SQL.`,
    '',
    'An editor checks the file as written, with `${VAR}` as text: write a variable only where text is expected (a number read from the environment, such as a port, is accepted as text too).',
    '',
    '## Durations',
    '',
    'A **duration** is a number with its unit, `ms`, `s`, `m`, `h` or `d`: `500ms`, `30s`, `5m`, `2h`, `1.5d`; or a whole number of milliseconds. **Days** are a whole number of days, `3d` or `3`.',
    '',
  ];
  for (const file of files) out.push(...fileSection(file));
  return `${out.join('\n').trimEnd()}\n`;
}

function fileSection(file: ConfigFile): string[] {
  const json = jsonSchemaOf(file);
  const rows = mergeRows(childRows(json, '', []));
  return [
    `## ${file.title}`,
    '',
    file.about,
    '',
    `- **File:** ${file.file}`,
    `- **JSON Schema:** [\`schemas/${schemaFileName(file.name)}\`](../schemas/${schemaFileName(file.name)})`,
    `- **Environment:** ${file.environment ? '`${VAR}` and `${VAR:-default}` are read from the environment.' : 'read as written, without the environment.'}`,
    '',
    '| Field | Type | Default | Description |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${cell(`\`${r.path}\``)}${r.when.length && !r.discriminator ? `<br>*${cell(r.when.map((t) => t.label).join('; '))}*` : ''} | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.description)} |`),
    '',
    `Checked by \`lineofsight validate\` beyond the fields above:`,
    '',
    ...file.checks.map((c) => `- ${c}`),
    '',
  ];
}

/** The rows of `json` and everything inside it, at `path`. */
function fieldRows(json: JsonSchema, path: string, required: boolean, when: Tag[]): Row[] {
  const row: Row = {
    path,
    type: typeOf(json),
    default: defaultOf(json, required),
    description: (json.deprecated ? `Removed: ${json.description ?? ''}` : (json.description ?? '')).trim(),
    when,
  };
  return [row, ...childRows(json, path, when)];
}

/** The rows of the fields inside `json` (an object, a list of them, a map, a union), at `path`. */
function childRows(json: JsonSchema, path: string, when: Tag[]): Row[] {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  const rows: Row[] = [];
  for (const [key, field] of Object.entries(json.properties ?? {})) rows.push(...fieldRows(field, at(key), json.required?.includes(key) ?? false, when));
  // A map's values, under a made-up name, when they are more than a scalar.
  const value = json.additionalProperties;
  if (typeof value === 'object' && childRows(value, at('<name>'), when).length) rows.push(...fieldRows(value, at('<name>'), false, when));
  if (json.items) rows.push(...childRows(json.items, `${path}[]`, when));
  const union = json.oneOf ?? json.anyOf;
  const disc = union && discriminatorOf(union);
  for (const branch of union ?? []) {
    if (!disc) {
      rows.push(...childRows(branch, path, when));
      continue;
    }
    const tag: Tag = { union: path, label: `${disc}: ${valuesOf(branch.properties![disc]!).join(', ')}`, of: union!.length };
    for (const [key, field] of Object.entries(branch.properties!)) {
      const own = fieldRows(field, at(key), branch.required?.includes(key) ?? false, [...when, tag]);
      if (key === disc) own[0]!.discriminator = true;
      rows.push(...own);
    }
  }
  return rows;
}

/**
 * Rows that say the same of the same field in several variants of a union become one, saying in
 * which variants; one said in every variant of its union says none.
 */
function mergeRows(rows: Row[]): Row[] {
  const merged = new Map<string, Row>();
  for (const row of rows) {
    const key = JSON.stringify([row.path, row.type, row.default, row.description]);
    const seen = merged.get(key);
    if (seen) seen.when = [...seen.when, ...row.when];
    else merged.set(key, { ...row });
  }
  return [...merged.values()].map((row) => {
    const unions = new Map<string, Tag[]>();
    for (const tag of row.when) {
      const tags = unions.get(tag.union) ?? [];
      if (!tags.some((t) => t.label === tag.label)) tags.push(tag);
      unions.set(tag.union, tags);
    }
    const when = [...unions.values()].flatMap((tags) => {
      if (tags.length === tags[0]!.of) return [];
      const disc = tags[0]!.label.split(':')[0]!;
      return [{ ...tags[0]!, label: `${disc}: ${tags.map((t) => t.label.slice(disc.length + 2)).join(', ')}` }];
    });
    return { ...row, when };
  });
}

/** The field every variant of a union names by a constant of its own (or constants): `type`, `client`. */
function discriminatorOf(union: JsonSchema[]): string | undefined {
  const first = union[0]?.properties;
  if (!first || union.length < 2) return undefined;
  return Object.keys(first).find((key) => {
    const values = union.map((b) => (b.properties?.[key] ? valuesOf(b.properties[key]) : []));
    const all = values.flat();
    return values.every((v) => v.length > 0) && new Set(all).size === all.length;
  });
}

const valuesOf = (json: JsonSchema): string[] => (json.const !== undefined ? [String(json.const)] : (json.enum ?? []).map(String));

function typeOf(json: JsonSchema): string {
  if (sameShape(json, DURATION_FORM)) return 'duration';
  if (sameShape(json, DAYS_FORM)) return 'days';
  if (sameShape(json, DURATION_TEXT_FORM)) return 'duration, with its unit';
  if (json.not && Object.keys(json.not).length === 0) return 'removed';
  if (json.const !== undefined) return `\`${String(json.const)}\``;
  if (json.enum) return json.enum.map((v) => `\`${String(v)}\``).join(' | ');
  const union = json.oneOf ?? json.anyOf;
  if (union && json.type === undefined) {
    const disc = discriminatorOf(union);
    if (disc) return `object, by \`${disc}\``;
    return [...new Set(union.map(typeOf))].join(' or ');
  }
  const types = json.type === undefined ? [] : Array.isArray(json.type) ? json.type : [json.type];
  if (!types.length) return 'any';
  return types.map((t) => typeName(t, json)).join(' or ');
}

function typeName(type: string, json: JsonSchema): string {
  switch (type) {
    case 'string':
      if (json.pattern === NUMBER_TEXT) return 'text giving one (a ${VAR})';
      if (json.format === 'date') return 'date (YYYY-MM-DD)';
      if (json.format === 'email') return 'email address';
      if (json.format === 'uri') return 'URL';
      if (json.pattern && json.pattern.length <= 40) return `string matching \`${json.pattern}\``;
      return 'string';
    case 'integer':
    case 'number': {
      if (json.minimum !== undefined && json.maximum !== undefined) return `${type} ${json.minimum} to ${json.maximum}`;
      const bounds = [
        json.minimum !== undefined ? `≥ ${json.minimum}` : json.exclusiveMinimum !== undefined ? `> ${json.exclusiveMinimum}` : '',
        json.maximum !== undefined ? `≤ ${json.maximum}` : json.exclusiveMaximum !== undefined ? `< ${json.exclusiveMaximum}` : '',
      ].filter(Boolean);
      return [type, bounds.join(', ')].filter(Boolean).join(' ');
    }
    case 'array': {
      if (json.prefixItems) return `[${json.prefixItems.map(typeOf).join(', ')}]`;
      const item = json.items ? typeOf(json.items) : 'any';
      const least = json.minItems ? ` (at least ${json.minItems})` : '';
      return `list of ${item}${least}`;
    }
    case 'object': {
      if (json.properties) return 'object';
      const value = typeof json.additionalProperties === 'object' && Object.keys(json.additionalProperties).length ? typeOf(json.additionalProperties) : 'any';
      const keys = json.propertyNames?.pattern ? `, names matching \`${json.propertyNames.pattern}\`` : '';
      return `map of ${value}${keys}`;
    }
    default:
      return type;
  }
}

function defaultOf(json: JsonSchema, required: boolean): string {
  if (json.default === undefined) return required ? '**required**' : '';
  // An object whose default is only its fields' defaults: said on each of them.
  const value = json.default;
  const fields = json.properties;
  if (fields && value !== null && typeof value === 'object' && Object.entries(value).every(([k, v]) => isDeepStrictEqual(fields[k]?.default, v))) return '';
  return `\`${flow(value)}\``;
}

/** A value as YAML's flow style writes it. */
function flow(value: unknown): string {
  if (typeof value === 'string') {
    const plain = /^[A-Za-z0-9_./][A-Za-z0-9_./@ -]*$/.test(value) && value.trim() === value && !/^([-+]?\d+(\.\d+)?|true|false|null|yes|no|on|off|~)$/i.test(value);
    return plain ? value : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length ? `{ ${entries.map(([k, v]) => `${k}: ${flow(v)}`).join(', ')} }` : '{}';
  }
  return String(value);
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const anchor = (title: string) => title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
const listOf = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
