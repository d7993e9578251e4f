import * as z from 'zod';
import { assertTimeZone } from '../calendar/localDate.js';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "30s", "5m", "2h", "500ms" (or a number of milliseconds), as milliseconds. */
export const duration = z.union([z.number(), z.string()]).transform((input, ctx) => {
  if (typeof input === 'number' && Number.isInteger(input) && input >= 0) return input;
  const m = typeof input === 'string' ? DURATION.exec(input.trim()) : null;
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `"${input}" is not a duration such as 500ms, 30s, 5m, 2h or 1d` });
    return z.NEVER;
  }
  return Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
});

const id = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'must start with a letter and use only letters, digits, _ . -');
const timezone = z.string().refine(
  (tz) => {
    try {
      assertTimeZone(tz);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a known IANA timezone (e.g. Europe/London)' },
);

const connectionFields = z.strictObject({
  host: z.string().optional(),
  port: z.coerce.number().int().positive().optional(),
  user: z.string().optional(),
  password: z.string().optional(),
  database: z.string().optional(),
  filename: z.string().optional(),
  /** Extra driver options (e.g. `encrypt` for SQL Server), passed through unchanged. */
  options: z.record(z.string(), z.unknown()).optional(),
});

const sqlSource = z.strictObject({
  client: z.enum(['pg', 'mysql', 'sqlite', 'mssql']),
  /** A URL (postgres://, mysql://, mssql://), a SQLite file name, or connection fields. */
  connection: z.union([z.string().min(1), connectionFields]),
  connect_timeout: duration.default(10_000),
  query_timeout: duration.default(60_000),
  pool: z.strictObject({ min: z.number().int().nonnegative().default(0), max: z.number().int().positive().default(4) }).default({ min: 0, max: 4 }),
});

const csvSource = z.strictObject({
  client: z.literal('csv'),
  /** Folder that a pipeline's `csv.files` globs are relative to. */
  directory: z.string().min(1),
});

export const sourceSchema = z.discriminatedUnion('client', [sqlSource, csvSource]);

const storeSchema = z.discriminatedUnion('client', [
  z.strictObject({ client: z.literal('sqlite'), filename: z.string().min(1).default('./data/lineofsight.sqlite') }),
  z.strictObject({
    client: z.literal('pg'),
    connection: z.union([z.string().min(1), connectionFields]),
    schema: z.string().optional(),
  }),
]);

export const serviceConfigSchema = z.strictObject({
  timezone: timezone.default('Europe/London'),
  financial_year_start_month: z.number().int().min(1).max(12).default(4),
  pipelines_dir: z.string().default('./pipelines'),
  store: storeSchema.default({ client: 'sqlite', filename: './data/lineofsight.sqlite' }),
  sources: z.record(id, sourceSchema).default({}),
  http: z
    .strictObject({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(9464) })
    .default({ host: '127.0.0.1', port: 9464 }),
  email: z
    .strictObject({
      from: z.string().default('lineofsight <lineofsight@localhost>'),
      transport: z.enum(['outbox', 'smtp']).default('outbox'),
      outbox_dir: z.string().default('./outbox'),
      smtp: z
        .strictObject({
          host: z.string(),
          port: z.coerce.number().int().positive().default(587),
          secure: z.boolean().default(false),
          user: z.string().optional(),
          password: z.string().optional(),
        })
        .optional(),
    })
    .default({ from: 'lineofsight <lineofsight@localhost>', transport: 'outbox', outbox_dir: './outbox' }),
});

// ---- pipelines ----------------------------------------------------------------------------

export const conditionSchema = z.strictObject({
  field: z.string().min(1),
  op: z.enum(['eq', 'ne', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'empty', 'not_empty', 'matches']),
  value: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]).optional(),
});

/** A CSV aggregate: what one indicator input is over the rows of a period. */
export const aggregationSchema = z.strictObject({
  fn: z.enum(['count', 'sum', 'mean', 'median', 'min', 'max', 'distinct_count']),
  field: z.string().optional(),
  where: z.array(conditionSchema).default([]),
});

/** An indicator input: a column of the pipeline query (SQL), an aggregate (CSV), or a constant. */
const inputSchema = z.union([z.number(), z.string().min(1), aggregationSchema]);

const targetSchema = z.strictObject({
  period: z.string().optional(),
  from: z.string().optional(),
  value: z.number(),
  signed_off_by: z.string().optional(),
  signed_off_on: z.iso.date().optional(),
  rationale: z.string().optional(),
});

const toleranceSchema = z.strictObject({
  percent: z.number().nonnegative().optional(),
  absolute: z.number().nonnegative().optional(),
  amber_threshold: z.number().optional(),
  reason: z.string().min(1, 'a tolerance must say why it is set at this level'),
});

export const INDICATOR_TYPES = ['count', 'sum', 'mean', 'median', 'percentage', 'ratio', 'rate', 'value'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export const indicatorSchema = z.strictObject({
  id,
  title: z.string().min(1),
  description: z.string().optional(),
  unit: z.string().default(''),
  type: z.enum(INDICATOR_TYPES),
  value: inputSchema.optional(),
  numerator: inputSchema.optional(),
  denominator: inputSchema.optional(),
  /** For `rate`: the value is numerator / denominator x per (e.g. per 1,000 population). */
  per: z.number().positive().optional(),
  decimals: z.number().int().min(0).max(6).default(2),
  polarity: z.enum(['higher_is_better', 'lower_is_better', 'on_target_is_best', 'none']),
  accumulation: z.enum(['period', 'year_to_date']).default('period'),
  owner: z.string().min(1),
  service: z.string().min(1),
  clinic: z.string().optional(),
  priority: z.string().optional(),
  perspective: z.enum(['financial', 'customer', 'internal_process', 'learning_and_growth']).optional(),
  national_indicator: z.string().optional(),
  replaces: z.array(id).default([]),
  targets: z.array(targetSchema).default([]),
  tolerance: toleranceSchema.optional(),
});

const csvFieldSchema = z.strictObject({
  /** Header text (or several, for files whose headers changed over the years). */
  header: z.union([z.string(), z.array(z.string()).min(1)]),
  type: z.enum(['text', 'amount', 'number', 'date']).default('text'),
});

export const csvSpecSchema = z.strictObject({
  files: z.union([z.string(), z.array(z.string()).min(1)]),
  encoding: z.enum(['utf-8', 'windows-1252', 'latin1', 'utf-16le']).default('utf-8'),
  delimiter: z.string().length(1).default(','),
  fields: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'field names are lower_snake_case'), csvFieldSchema),
  /** The date field whose value assigns a row to a period. */
  date: z.string(),
  /** Rows matching any of these are skipped silently (junk trailers), not counted as malformed. */
  skip_when: z.array(conditionSchema).default([]),
  /** The run fails when more rows than this are malformed: a count ("10") or a share ("2%"). */
  max_malformed: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+(\.\d+)?%$/)]).optional(),
});

export const pipelineSchema = z.strictObject({
  id,
  title: z.string().min(1),
  description: z.string().optional(),
  source: id,
  schedule: z.string(),
  frequency: z.enum(['monthly', 'quarterly', 'annual']),
  query: z.string().min(1).optional(),
  csv: csvSpecSchema.optional(),
  indicators: z.array(indicatorSchema).min(1),
});

export type ServiceConfig = z.infer<typeof serviceConfigSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type SqlSourceConfig = z.infer<typeof sqlSource>;
export type CsvSourceConfig = z.infer<typeof csvSource>;
export type StoreConfig = z.infer<typeof storeSchema>;
export type PipelineConfig = z.infer<typeof pipelineSchema>;
export type IndicatorConfig = z.infer<typeof indicatorSchema>;
export type Aggregation = z.infer<typeof aggregationSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type CsvSpec = z.infer<typeof csvSpecSchema>;
export type IndicatorInput = z.infer<typeof inputSchema>;
