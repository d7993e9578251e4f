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

/** A whole number of days: "3d", or a number of days. */
const days = z.union([z.number(), z.string()]).transform((input, ctx) => {
  if (typeof input === 'number' && Number.isInteger(input) && input >= 0) return input;
  const m = typeof input === 'string' ? /^\s*(\d+)\s*d\s*$/.exec(input) : null;
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `"${input}" is not a whole number of days, e.g. "3d"` });
    return z.NEVER;
  }
  return Number(m[1]);
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

/**
 * How long the store may take: to connect (PostgreSQL), to hand out a connection or, on SQLite,
 * to let another process's write finish (`acquire_timeout`), and to answer a statement.
 */
/** A store timeout: 0 would mean none, and a store that never answers would hang the command. */
const storeTimeout = duration.refine((ms) => ms > 0, { message: 'a store timeout must be more than 0' });
const storeTimeouts = {
  connect_timeout: storeTimeout.default(10_000),
  acquire_timeout: storeTimeout.default(30_000),
  query_timeout: storeTimeout.default(60_000),
};

const storeSchema = z.discriminatedUnion('client', [
  z.strictObject({ client: z.literal('sqlite'), filename: z.string().min(1).default('./data/lineofsight.sqlite'), acquire_timeout: storeTimeouts.acquire_timeout }),
  z.strictObject({
    client: z.literal('pg'),
    connection: z.union([z.string().min(1), connectionFields]),
    schema: z.string().optional(),
    ...storeTimeouts,
  }),
]);

/** The kinds of exception a run cycle raises, as routes and messages name them. */
export const EXCEPTION_KINDS = ['rag', 'worsening', 'suspect_value', 'data_quality', 'risk', 'pipeline_failed', 'governance', 'data_not_received'] as const;

/** Who a route sends to: a person of the directory, or one of these, worked out for each exception. */
export const ROUTE_ROLES = ['owner', 'manager', 'data_quality_leads', 'performance_team', 'risk_owner'] as const;

const routeSchema = z.strictObject({
  kind: z.enum(EXCEPTION_KINDS).optional(),
  severity: z.enum(['warn', 'error']).optional(),
  service: z.string().min(1).optional(),
  clinic: z.string().min(1).optional(),
  /** Person ids of the directory, or owner, manager, data_quality_leads, performance_team, risk_owner. */
  to: z.array(z.string().min(1)).min(1),
  /** Send only to these, not also to the kind's default recipients. */
  replace_defaults: z.boolean().default(false),
});

/** A step of data not received's escalation: this many days after the period ended, these are told. */
const escalationStep = z.strictObject({
  after: days,
  /** Person ids of the directory, or owner, manager, data_quality_leads, performance_team. */
  to: z.array(z.string().min(1)).min(1),
});
export type EscalationStep = z.infer<typeof escalationStep>;

/** Its owner; then the owner and the service manager; then the performance team too. */
const DEFAULT_ESCALATION: EscalationStep[] = [
  { after: 10, to: ['owner'] },
  { after: 15, to: ['owner', 'manager'] },
  { after: 20, to: ['owner', 'manager', 'performance_team'] },
];

const exceptionsSchema = z.strictObject({
  /** Raise an exception for an AMBER indicator (a service or an indicator may turn it off). */
  amber: z.boolean().default(true),
  /** An indicator whose direction of travel has been worsening for this many periods running. */
  worsening_periods: z.number().int().min(2).default(3),
  /** Data-quality failures of warn severity too, not only error. */
  data_quality_warnings: z.boolean().default(false),
  /**
   * An indicator still awaiting its data after its period ended is chased in steps: from each
   * step's day on, its people are told (once: the steps are its reminders), the data arriving
   * resolves it.
   */
  data_not_received: z
    .array(escalationStep)
    .min(1)
    .superRefine((steps, ctx) => {
      steps.forEach((step, i) => {
        if (i > 0 && step.after <= steps[i - 1]!.after) ctx.addIssue({ code: 'custom', path: [i, 'after'], message: `each step comes later than the one before (step ${i} is at ${steps[i - 1]!.after}d)` });
      });
    })
    .default(DEFAULT_ESCALATION),
  data_not_received_after: z.never({ error: 'data_not_received_after is now the first step of data_not_received: [{ after: 10d, to: [owner] }, ...]' }).optional(),
  /**
   * While an exception stays open, a reminder after each interval in turn, the last repeating:
   * [1d, 7d] is a reminder after a day, then weekly.
   */
  reminders: z.array(duration.refine((ms) => ms > 0, { message: 'a reminder interval must be more than 0' })).min(1).default([86_400_000, 7 * 86_400_000]),
  /** The RAG of an indicator whose pipeline failed, or whose data failed an error check: marked unvalidated, or held back. */
  unvalidated: z.enum(['mark', 'hold']).default('mark'),
  /** Base URLs that messages link to, when given. */
  links: z.strictObject({ grafana: z.url().optional(), api: z.url().optional() }).default({}),
  routes: z.array(routeSchema).default([]),
});

/** Days of the week as sending_hours names them, Monday first. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day on the 24-hour clock, e.g. "08:00"');

const emailSchema = z.strictObject({
  from: z.string().default('lineofsight <lineofsight@localhost>'),
  // `files` writes each email as a .eml file into files_dir, for the demo and for a look before
  // mail is switched on; either way every message goes through the store's outbox first.
  transport: z.enum(['files', 'smtp'], { error: (issue) => (issue.input === 'outbox' ? 'transport "outbox" is now called "files"' : 'transport is files or smtp') }).default('files'),
  files_dir: z.string().default('./outbox'),
  outbox_dir: z.never({ error: 'outbox_dir is now files_dir' }).optional(),
  smtp: z
    .strictObject({
      host: z.string().min(1),
      port: z.coerce.number().int().positive().default(587),
      /** tls: TLS from the first byte (port 465); starttls: STARTTLS required; none: plain (a relay on loopback). */
      security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
      /** Read from the environment: user: ${SMTP_USER}, password: ${SMTP_PASSWORD}. */
      user: z.string().optional(),
      password: z.string().optional(),
      connect_timeout: duration.default(30_000),
      /** Waiting on the server at any step of a message, once connected. */
      reply_timeout: duration.default(60_000),
    })
    .optional(),
  /**
   * When mail that is not urgent may go, in the service's timezone: outside these hours and days
   * (quiet hours) it waits for the next opening. Pipeline failures and risks crossing the
   * tolerance line go at once. None: mail goes at any time.
   */
  sending_hours: z
    .strictObject({
      days: z.array(z.enum(WEEKDAYS)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
      from: clockTime.default('08:00'),
      to: clockTime.default('18:00'),
      /** Send on the service's bank holidays too (by default they are quiet all day). */
      bank_holidays: z.boolean().default(false),
    })
    .refine((h) => h.from < h.to, { message: 'from must be earlier than to (hours that cross midnight: give the days instead)' })
    .optional(),
  outbox: z
    .strictObject({
      /** The first retry of a message the server could not take now; each later one waits twice as long, up to retry_max. */
      retry_after: duration.default(60_000),
      retry_max: duration.default(3_600_000),
      /** A message still not accepted this long after it was written is failed. */
      give_up_after: duration.default(2 * 86_400_000),
      /** How long a process may hold a message it is sending before another may take it. */
      claim_timeout: duration.default(300_000),
    })
    .prefault({}),
}).superRefine((email, ctx) => {
  const attempt = attemptTimeoutOf(email);
  if (email.outbox.claim_timeout <= attempt) {
    ctx.addIssue({ code: 'custom', path: ['outbox', 'claim_timeout'], message: `claim_timeout must be longer than one attempt may take (${attempt / 1000} s: connect_timeout and reply_timeout), or no message would be sent` });
  }
});

/**
 * The longest one attempt to send a message may take: connecting, then waiting on the server;
 * writing a file takes well under the 5 s allowed it.
 */
export function attemptTimeoutOf(email: { transport: string; smtp?: { connect_timeout: number; reply_timeout: number } | undefined }): number {
  return email.transport === 'smtp' && email.smtp ? email.smtp.connect_timeout + email.smtp.reply_timeout : 5_000;
}

/** What a missed slot is worth after downtime: nothing, one run now, or each in turn (the newest `missed_limit`). */
export const MISSED = ['skip', 'once', 'all'] as const;

/** The daemon's scheduler: what every pipeline's scheduled runs share, each pipeline may set its own `missed` and `recompute`. */
const schedulerSchema = z.strictObject({
  /** Periods before the latest complete one that every scheduled run computes again, for data that came late. */
  recompute: z.number().int().nonnegative().max(36).default(2),
  missed: z.enum(MISSED).default('once'),
  /** With missed: all, at most this many missed slots are run (the newest); the older are logged, not run. */
  missed_limit: z.number().int().positive().max(1000).default(12),
  /** How long a replica holds a slot without renewing it: after that a replica that died is taken over. */
  lease: duration.default(60_000),
  /** A source's failure is tried again after each of these pauses before the run is recorded failed. */
  source_retries: z.array(duration).max(10).default([5_000, 30_000]),
  /** On SIGTERM, how long runs under way may take to finish before they are aborted and recorded interrupted. */
  shutdown_grace: duration.default(30_000),
  /** A slot whose replica died under it this many times is recorded failed (a stop on purpose does not count). */
  max_attempts: z.number().int().positive().max(20).default(3),
});

export type SchedulerConfig = z.infer<typeof schedulerSchema>;

export const serviceConfigSchema = z.strictObject({
  timezone: timezone.default('Europe/London'),
  financial_year_start_month: z.number().int().min(1).max(12).default(4),
  /** Days that are not working days, besides weekends (freshness checks count working days). */
  bank_holidays: z.array(z.iso.date()).default([]),
  pipelines_dir: z.string().default('./pipelines'),
  /** The risk register (matrix, tolerance line, risks and their triggers); none when not given. */
  risks_file: z.string().optional(),
  /** Signed-off targets kept apart from the pipelines, each naming its indicator; none when not given. */
  targets_file: z.string().optional(),
  rag: z
    .strictObject({
      /** A preset (tolerance-5pc, belfast, havering, kent-floor, barnet-4, lincoln-stretch) or a scheme below. */
      scheme: z.string().default('tolerance-5pc'),
      /** The tolerance of indicators that set none, with the reason it was set so. */
      default_tolerance: z
        .strictObject({ percent: z.number().nonnegative(), reason: z.string().min(1) })
        .default({ percent: 5, reason: 'Corporate default: 5% of target, as the performance framework agreed' }),
      /** The council's own schemes: ordered rules, first match wins. */
      schemes: z
        .record(
          id,
          z.array(z.strictObject({ status: z.string().min(1), when: z.string().min(1).optional(), explain: z.string().optional() })).min(1),
        )
        .default({}),
    })
    .default({ scheme: 'tolerance-5pc', default_tolerance: { percent: 5, reason: 'Corporate default: 5% of target, as the performance framework agreed' }, schemes: {} }),
  store: storeSchema.default({ client: 'sqlite', filename: './data/lineofsight.sqlite', acquire_timeout: 30_000 }),
  sources: z.record(id, sourceSchema).default({}),
  http: z
    .strictObject({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(9464) })
    .default({ host: '127.0.0.1', port: 9464 }),
  /** The people directory: who is who, services with their managers, data-quality leads, the performance team's address. */
  people_file: z.string().optional(),
  /** The improvement clinics: who sits on each, and when each is sent its exception pack. Needs people_file. */
  clinics_file: z.string().optional(),
  exceptions: exceptionsSchema.prefault({}),
  email: emailSchema.prefault({}),
  scheduler: schedulerSchema.prefault({}),
});

// ---- pipelines ----------------------------------------------------------------------------

const conditionSchema = z.strictObject({
  field: z.string().min(1),
  op: z.enum(['eq', 'ne', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'empty', 'not_empty', 'matches']),
  value: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]).optional(),
});

/** A CSV aggregate: what one indicator input is over the rows of a period. */
const aggregationSchema = z.strictObject({
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
  /** A floor standard below which performance is RED (Kent's scheme). */
  floor: z.number().optional(),
  /** A stretch target above the target (Lincoln's scheme). */
  stretch: z.number().optional(),
  /** A target range, [low, high] (Lincoln's BLUE). */
  range: z.tuple([z.number(), z.number()]).optional(),
  signed_off_by: z.string().optional(),
  signed_off_on: z.iso.date().optional(),
  rationale: z.string().optional(),
});

/** A targets file: targets signed off outside the pipelines (by Cabinet, say), each naming its indicator. */
export const targetsFileSchema = z.strictObject({
  targets: z.array(targetSchema.extend({ indicator: id })),
});

const toleranceSchema = z.strictObject({
  percent: z.number().nonnegative().optional(),
  absolute: z.number().nonnegative().optional(),
  amber_threshold: z.number().optional(),
  /** On-target-is-best indicators: how far from target still counts as GREEN (default 0). */
  green_band: z.number().nonnegative().optional(),
  /** Why the tolerance is set at this level; a tolerance without one is a governance finding. */
  reason: z.string().min(1).optional(),
});

/** The words councils use for an indicator that is reported but never rated; all read as monitor. */
const NOT_RATED = new Set(['monitor', 'contextual', 'data-only']);

const INDICATOR_TYPES = ['count', 'sum', 'mean', 'median', 'percentage', 'ratio', 'rate', 'value'] as const;

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
  /**
   * A RAG scheme for this indicator (default: the service's), or monitor (also written contextual
   * or data-only, as councils mark such indicators): never rated, still given a direction of travel.
   */
  rag: z
    .string()
    .transform((scheme) => (NOT_RATED.has(scheme) ? 'monitor' : scheme))
    .optional(),
  accumulation: z.enum(['period', 'year_to_date']).default('period'),
  /** The manager who owns the indicator; one without an owner is a governance finding. */
  owner: z.string().min(1).optional(),
  service: z.string().min(1),
  clinic: z.string().optional(),
  priority: z.string().optional(),
  perspective: z.enum(['financial', 'customer', 'internal_process', 'learning_and_growth']).optional(),
  national_indicator: z.string().optional(),
  replaces: z.array(id).default([]),
  targets: z.array(targetSchema).default([]),
  tolerance: toleranceSchema.optional(),
  /** The built-in suspect-values check; off for counts of rare events, where 0 is the usual month. */
  suspect_values: z.boolean().default(true),
  /** AMBER raises an exception for this indicator (default: its service's setting, else the service config's). */
  amber_exceptions: z.boolean().optional(),
});

const csvFieldSchema = z
  .strictObject({
    /** Header text (or several, for files whose headers changed over the years). */
    header: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /** Or the field's position, counting from 1, for files without a usable header row. */
    column: z.number().int().positive().optional(),
    type: z.enum(['text', 'amount', 'number', 'date']).default('text'),
  })
  .refine((f) => (f.header === undefined) !== (f.column === undefined), { message: 'a field names either its header or its column (1 is the first)' });

/** The default of `max_malformed`: more than 1% of a period's data rows malformed fails its run. */
export const DEFAULT_MAX_MALFORMED = '1%';

export const csvSpecSchema = z.strictObject({
  files: z.union([z.string(), z.array(z.string()).min(1)]),
  encoding: z.enum(['utf-8', 'windows-1252', 'latin1', 'utf-16le', 'cp850', 'cp437']).default('utf-8'),
  /**
   * Where the header row is: by default the first line that is not blank; a line number (the
   * lines before it are a title, skipped); or none, when every field names its column.
   */
  header_line: z.union([z.number().int().positive(), z.literal('none')]).optional(),
  delimiter: z.string().length(1).default(','),
  fields: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'field names are lower_snake_case'), csvFieldSchema),
  /** The date field whose value assigns a row to a period. */
  date: z.string(),
  /** Rows matching any of these are skipped silently (junk trailers), not counted as malformed. */
  skip_when: z.array(conditionSchema).default([]),
  /**
   * A period's run fails when more of its data rows than this are malformed: a count ("10") or
   * a share ("2%"); DEFAULT_MAX_MALFORMED when not given.
   */
  max_malformed: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+(\.\d+)?%$/)]).default(DEFAULT_MAX_MALFORMED),
});

// ---- data-quality checks ------------------------------------------------------------------

/** A threshold on failing rows: a count ("> 0") or a share of the rows checked ("> 2%"). */
export const THRESHOLD = /^\s*(>=|>|<=|<|==)\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/;
const threshold = z.string().regex(THRESHOLD, 'a threshold is a comparison and a count or share, e.g. "> 0" or ">= 2%"');

/** SQL identifiers for tables and columns, so they can be quoted by knex rather than spliced. */
export const SQL_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const sqlName = z.string().regex(SQL_NAME, 'a table or column name (letters, digits, _; schema.table allowed)');

const checkBase = {
  id,
  description: z.string().optional(),
  severity: z.enum(['warn', 'error']).default('error'),
  fail_when: threshold.optional(),
  warn_when: threshold.optional(),
  /** Failing rows kept as a sample with the check's key columns. */
  sample: z.number().int().min(0).max(100).default(20),
  /** SQL sources: the table checked. CSV sources check the pipeline's own rows. */
  table: sqlName.optional(),
  /** SQL sources: the column that places a row in the period (rows outside are not checked). */
  date_column: sqlName.optional(),
  /** Narrows the rows checked: a SQL condition (may use period bindings) or CSV conditions. */
  where: z.union([z.string().min(1), z.array(conditionSchema)]).optional(),
  /** Columns shown with each sample row (default: the columns the check names). */
  key_columns: z.array(z.string().min(1)).optional(),
};

const totalSchema = z.strictObject({
  /** A database source (default: the pipeline's own) and a query returning one number. */
  source: id.optional(),
  query: z.string().min(1).optional(),
  /** On a CSV pipeline: an aggregate over its rows in the period. */
  aggregate: aggregationSchema.optional(),
  label: z.string().optional(),
});

export const checkSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...checkBase, type: z.literal('not_null'), column: z.string().min(1) }),
  z.strictObject({ ...checkBase, type: z.literal('unique'), columns: z.array(z.string().min(1)).min(1) }),
  z.strictObject({ ...checkBase, type: z.literal('accepted_values'), column: z.string().min(1), values: z.array(z.union([z.string(), z.number()])).min(1) }),
  z.strictObject({ ...checkBase, type: z.literal('range'), column: z.string().min(1), min: z.number().optional(), max: z.number().optional() }),
  z.strictObject({ ...checkBase, type: z.literal('pattern'), column: z.string().min(1), regex: z.string().min(1) }),
  z.strictObject({ ...checkBase, type: z.literal('completeness'), column: z.string().min(1), min_percent: z.number().min(0).max(100) }),
  z.strictObject({
    ...checkBase,
    type: z.literal('freshness'),
    /** The date column (with `table`) whose newest value is aged; none: the pipeline's newest record, as data arrival reads it. */
    column: z.string().min(1).optional(),
    max_age: z.string().min(1),
  }),
  z.strictObject({
    ...checkBase,
    type: z.literal('row_count'),
    min: z.number().int().nonnegative().optional(),
    max: z.number().int().nonnegative().optional(),
    /** Rows within this percentage of the same period last year. */
    within_percent_of_last_year: z.number().positive().optional(),
  }),
  z.strictObject({ ...checkBase, type: z.literal('numerator_not_above_denominator'), indicators: z.array(id).optional() }),
  z.strictObject({ ...checkBase, type: z.literal('no_negative'), indicators: z.array(id).optional() }),
  z.strictObject({
    ...checkBase,
    type: z.literal('reconciliation'),
    left: totalSchema,
    right: totalSchema,
    tolerance: z.strictObject({ absolute: z.number().nonnegative().optional(), percent: z.number().nonnegative().optional() }),
  }),
  z.strictObject({
    ...checkBase,
    type: z.literal('referential'),
    column: z.string().min(1),
    references: z.strictObject({ source: id.optional(), table: sqlName, column: sqlName }),
  }),
  z.strictObject({
    ...checkBase,
    type: z.literal('sudden_change'),
    indicator: id,
    method: z.enum(['zscore', 'percent']).default('zscore'),
    /** z-score (e.g. 3) or percent change (e.g. 25) beyond which the value is a sudden change. */
    threshold: z.number().positive(),
    min_history: z.number().int().min(2).default(6),
    /** Compare with the same month (or quarter) of earlier financial years only. */
    seasonal: z.boolean().default(false),
    direction: z.enum(['rise', 'fall', 'both']).default('both'),
    /** Moves smaller than this, in the indicator's unit, are never a sudden change. */
    materiality: z.number().nonnegative().default(0),
  }),
  z.strictObject({ ...checkBase, type: z.literal('sql'), query: z.string().min(1) }),
  // Built into every pipeline (quality/suspect.ts), never declared: the schema knows it so that
  // the registry, the log and acknowledgement treat it as any other check.
  z.strictObject({ ...checkBase, type: z.literal('suspect_values') }),
]);

/** The id of the suspect-values check built into every pipeline. */
export const SUSPECT_VALUES_CHECK = 'suspect-values';


/**
 * How to know a period's data is in: the newest record's date (a query on a database source;
 * a CSV source's date field) is on or after the period's last day, less the grace.
 */
const arrivalSchema = z.strictObject({
  /** A database source: a query whose one row's first column is the newest record's date or time. */
  newest: z.string().min(1).optional(),
  /** Days before the period's last day the newest record may fall (a feed with no weekend records: "2d"). */
  grace: days.default(0),
});

export const pipelineSchema = z.strictObject({
  id,
  title: z.string().min(1),
  description: z.string().optional(),
  source: id,
  schedule: z.string(),
  /** After downtime, this pipeline's missed slots (default: scheduler.missed). */
  missed: z.enum(MISSED).optional(),
  /** Periods before the latest complete one that each scheduled run computes again (default: scheduler.recompute). */
  recompute: z.number().int().nonnegative().max(36).optional(),
  frequency: z.enum(['monthly', 'quarterly', 'annual']),
  query: z.string().min(1).optional(),
  csv: csvSpecSchema.optional(),
  arrival: arrivalSchema.optional(),
  /** Data that will not grow (a published archive): no period of it is ever awaiting data. */
  historical: z.boolean().default(false),
  indicators: z.array(indicatorSchema).min(1),
  checks: z.array(checkSchema).default([]),
});

export type ServiceConfig = z.infer<typeof serviceConfigSchema>;
export type ExceptionsConfig = z.infer<typeof exceptionsSchema>;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];
export type RouteConfig = z.infer<typeof routeSchema>;
export type EmailConfig = z.infer<typeof emailSchema>;
export type SendingHours = NonNullable<EmailConfig['sending_hours']>;
export type SqlSourceConfig = z.infer<typeof sqlSource>;
export type CsvSourceConfig = z.infer<typeof csvSource>;
export type StoreConfig = z.infer<typeof storeSchema>;
/** A store's settings as written, timeouts optional. */
export type StoreSettings = z.input<typeof storeSchema>;

/** A store's settings with every default filled in. */
export function storeConfigOf(settings: StoreSettings): StoreConfig {
  return storeSchema.parse(settings);
}
export type PipelineConfig = z.infer<typeof pipelineSchema>;
export type IndicatorConfig = z.infer<typeof indicatorSchema>;
export type Aggregation = z.infer<typeof aggregationSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type CsvSpec = z.infer<typeof csvSpecSchema>;
export type IndicatorInput = z.infer<typeof inputSchema>;
export type CheckConfig = z.infer<typeof checkSchema>;
export type CheckType = CheckConfig['type'];
/** One kind of check's configuration. */
export type CheckOf<T extends CheckType> = Extract<CheckConfig, { type: T }>;
export type CheckTotal = z.infer<typeof totalSchema>;
export type TargetConfig = z.infer<typeof targetSchema>;
export type ArrivalConfig = z.infer<typeof arrivalSchema>;
export type RagRuleConfig = ServiceConfig['rag']['schemes'][string][number];
