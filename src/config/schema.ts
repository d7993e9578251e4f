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
}).describe('A duration: a number with its unit (500ms, 30s, 5m, 2h, 1d), or a whole number of milliseconds.');

/** A whole number of days: "3d", or a number of days. */
const days = z.union([z.number(), z.string()]).transform((input, ctx) => {
  if (typeof input === 'number' && Number.isInteger(input) && input >= 0) return input;
  const m = typeof input === 'string' ? /^\s*(\d+)\s*d\s*$/.exec(input) : null;
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `"${input}" is not a whole number of days, e.g. "3d"` });
    return z.NEVER;
  }
  return Number(m[1]);
}).describe('A whole number of days: "3d", or 3.');

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
  host: z.string().optional().describe('The database server.'),
  port: z.coerce.number().int().positive().optional().describe("The server's port (default: the driver's)."),
  user: z.string().optional().describe('The user to connect as.'),
  password: z.string().optional().describe('Its password: read it from the environment, ${DB_PASSWORD}.'),
  database: z.string().optional().describe('The database to use.'),
  filename: z.string().optional().describe('A SQLite database file.'),
  options: z.record(z.string(), z.unknown()).optional().describe('Extra driver options (e.g. `encrypt` for SQL Server), passed through unchanged.'),
});

const sqlSource = z.strictObject({
  client: z.enum(['pg', 'mysql', 'sqlite', 'mssql']),
  connection: z.union([z.string().min(1), connectionFields]).describe('A URL (postgres://, mysql://, mssql://), a SQLite file name, or connection fields.'),
  connect_timeout: duration.default(10_000).describe('How long connecting may take.'),
  query_timeout: duration.default(60_000).describe('How long a query may take.'),
  pool: z
    .strictObject({ min: z.number().int().nonnegative().default(0).describe('Connections kept open.'), max: z.number().int().positive().default(4).describe('Connections open at most.') })
    .default({ min: 0, max: 4 })
    .describe('The connection pool.'),
}).describe('A database: PostgreSQL (pg), MySQL or MariaDB (mysql), SQLite or SQL Server (mssql).');

const csvSource = z.strictObject({
  client: z.literal('csv'),
  directory: z.string().min(1).describe("The folder that a pipeline's `csv.files` patterns are relative to."),
}).describe('A folder of CSV files.');

export const sourceSchema = z.discriminatedUnion('client', [sqlSource, csvSource]).describe('A data source: a database, or a folder of CSV files.');

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
  z.strictObject({
    client: z.literal('sqlite'),
    filename: z.string().min(1).default('./data/lineofsight.sqlite').describe('The SQLite database file.'),
    acquire_timeout: storeTimeouts.acquire_timeout.describe("How long a write may wait for another process's to finish."),
  }).describe('A SQLite file: one host.'),
  z.strictObject({
    client: z.literal('pg'),
    connection: z.union([z.string().min(1), connectionFields]).describe('A postgres:// URL (from the environment: ${LINEOFSIGHT_STORE_URL}) or connection fields.'),
    schema: z.string().optional().describe("The PostgreSQL schema the store's tables are in (default: the connection's search path)."),
    connect_timeout: storeTimeouts.connect_timeout.describe('How long connecting may take.'),
    acquire_timeout: storeTimeouts.acquire_timeout.describe('How long waiting for a connection of the pool may take.'),
    query_timeout: storeTimeouts.query_timeout.describe('How long a statement may take.'),
  }).describe('PostgreSQL: for several replicas of the daemon.'),
]);

/** The kinds of exception a run cycle raises, as routes and messages name them. */
export const EXCEPTION_KINDS = ['rag', 'worsening', 'suspect_value', 'data_quality', 'risk', 'pipeline_failed', 'governance', 'data_not_received'] as const;

/** Who a route sends to: a person of the directory, or one of these, worked out for each exception. */
export const ROUTE_ROLES = ['owner', 'manager', 'data_quality_leads', 'performance_team', 'risk_owner'] as const;

const routeSchema = z.strictObject({
  kind: z.enum(EXCEPTION_KINDS).optional().describe('Only exceptions of this kind (default: every kind).'),
  severity: z.enum(['warn', 'error']).optional().describe('Only exceptions of this severity.'),
  service: z.string().min(1).optional().describe('Only exceptions of indicators of this service.'),
  clinic: z.string().min(1).optional().describe('Only exceptions of indicators and risks of this clinic.'),
  to: z.array(z.string().min(1)).min(1).describe('Person ids of the directory, or owner, manager, data_quality_leads, performance_team, risk_owner.'),
  replace_defaults: z.boolean().default(false).describe("Send only to these, not also to the kind's default recipients."),
});

/** A step of data not received's escalation: this many days after the period ended, these are told. */
const escalationStep = z.strictObject({
  after: days.describe('Days after the period ended.'),
  to: z.array(z.string().min(1)).min(1).describe('Person ids of the directory, or owner, manager, data_quality_leads, performance_team.'),
});
export type EscalationStep = z.infer<typeof escalationStep>;

/** Its owner; then the owner and the service manager; then the performance team too. */
const DEFAULT_ESCALATION: EscalationStep[] = [
  { after: 10, to: ['owner'] },
  { after: 15, to: ['owner', 'manager'] },
  { after: 20, to: ['owner', 'manager', 'performance_team'] },
];

const exceptionsSchema = z.strictObject({
  amber: z.boolean().default(true).describe('Raise an exception for an AMBER indicator (a service or an indicator may turn it off).'),
  worsening_periods: z.number().int().min(2).default(3).describe('Raise one for an indicator whose direction of travel has been worsening for this many periods running.'),
  data_quality_warnings: z.boolean().default(false).describe('Raise one for data-quality failures of warn severity too, not only error.'),
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
    .default(DEFAULT_ESCALATION)
    .describe("An indicator still awaiting its data after its period ended is chased in steps: from each step's day on, its people are told once; the data arriving resolves it."),
  data_not_received_after: z.never({ error: 'data_not_received_after is now the first step of data_not_received: [{ after: 10d, to: [owner] }, ...]' }).optional(),
  reminders: z
    .array(duration.refine((ms) => ms > 0, { message: 'a reminder interval must be more than 0' }))
    .min(1)
    .default([86_400_000, 7 * 86_400_000])
    .describe('While an exception stays open, a reminder after each interval in turn, the last repeating: [1d, 7d] is a reminder after a day, then weekly.'),
  unvalidated: z
    .enum(['mark', 'hold'])
    .default('mark')
    .describe('The RAG of an indicator whose pipeline failed, or whose data failed an error check: marked unvalidated, or held back.'),
  links: z
    .strictObject({ grafana: z.url().optional().describe("Grafana's base URL."), api: z.url().optional().describe("lineofsight's own HTTP API, as readers reach it.") })
    .default({})
    .describe('Base URLs that messages link to, when given.'),
  routes: z.array(routeSchema).default([]).describe("Who else is told of which exceptions, besides each kind's default recipients (or instead, with replace_defaults)."),
}).describe('Exceptions: what each run cycle raises, and who is told.');

/** Days of the week as sending_hours names them, Monday first. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day on the 24-hour clock, e.g. "08:00"');

const emailSchema = z.strictObject({
  from: z.string().default('lineofsight <lineofsight@localhost>').describe('The From of every message.'),
  // `files` writes each email as a .eml file into files_dir, for the demo and for a look before
  // mail is switched on; either way every message goes through the store's outbox first.
  transport: z
    .enum(['files', 'smtp'], { error: (issue) => (issue.input === 'outbox' ? 'transport "outbox" is now called "files"' : 'transport is files or smtp') })
    .default('files')
    .describe("files: each message written as a .eml file into files_dir (the demo, or a look before mail is switched on); smtp: sent. Either way every message goes through the store's outbox first."),
  files_dir: z.string().default('./outbox').describe('Where transport files writes its .eml files.'),
  outbox_dir: z.never({ error: 'outbox_dir is now files_dir' }).optional(),
  smtp: z
    .strictObject({
      host: z.string().min(1).describe('The SMTP server.'),
      port: z.coerce.number().int().positive().default(587).describe("The server's port."),
      security: z
        .enum(['starttls', 'tls', 'none'])
        .default('starttls')
        .describe('tls: TLS from the first byte (port 465); starttls: STARTTLS required; none: plain (a relay on loopback).'),
      user: z.string().optional().describe('The user to log in as, from the environment: ${SMTP_USER}.'),
      password: z.string().optional().describe('Its password, from the environment: ${SMTP_PASSWORD}.'),
      connect_timeout: duration.default(30_000).describe('How long connecting may take.'),
      reply_timeout: duration.default(60_000).describe('How long the server may take to answer at any step of a message, once connected.'),
    })
    .optional()
    .describe('The SMTP server, for transport smtp.'),
  /**
   * When mail that is not urgent may go, in the service's timezone: outside these hours and days
   * (quiet hours) it waits for the next opening. Pipeline failures and risks crossing the
   * tolerance line go at once. None: mail goes at any time.
   */
  sending_hours: z
    .strictObject({
      days: z.array(z.enum(WEEKDAYS)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']).describe('The days mail may go.'),
      from: clockTime.default('08:00').describe('The time mail may go from, 24-hour clock.'),
      to: clockTime.default('18:00').describe('The time it stops, later than from.'),
      bank_holidays: z.boolean().default(false).describe("Send on the service's bank holidays too (by default they are quiet all day)."),
    })
    .refine((h) => h.from < h.to, { message: 'from must be earlier than to (hours that cross midnight: give the days instead)' })
    .optional()
    .describe("When mail that is not urgent may go, in the service's timezone; outside them it waits for the next opening. Pipeline failures and risks crossing the tolerance line go at once. None: mail goes at any time."),
  outbox: z
    .strictObject({
      retry_after: duration.default(60_000).describe('The first retry of a message the server could not take now; each later one waits twice as long, up to retry_max.'),
      retry_max: duration.default(3_600_000).describe('The longest wait between retries.'),
      give_up_after: duration.default(2 * 86_400_000).describe('A message still not accepted this long after it was written is failed.'),
      claim_timeout: duration.default(300_000).describe('How long a process may hold a message it is sending before another may take it: longer than one attempt may take.'),
    })
    .prefault({})
    .describe("The store's outbox, which every message goes through."),
}).superRefine((email, ctx) => {
  const attempt = attemptTimeoutOf(email);
  if (email.outbox.claim_timeout <= attempt) {
    ctx.addIssue({ code: 'custom', path: ['outbox', 'claim_timeout'], message: `claim_timeout must be longer than one attempt may take (${attempt / 1000} s: connect_timeout and reply_timeout), or no message would be sent` });
  }
}).describe('Email: how messages are sent, and when.');

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
  recompute: z.number().int().nonnegative().max(36).default(2).describe('Periods before the latest complete one that every scheduled run computes again, for data that came late.'),
  missed: z.enum(MISSED).default('once').describe("What a slot missed while no replica ran is worth: nothing (skip), one run now (once), or each in turn (all, the newest missed_limit)."),
  missed_limit: z.number().int().positive().max(1000).default(12).describe('With missed: all, at most this many missed slots are run (the newest); the older are logged, not run.'),
  lease: duration.default(60_000).describe('How long a replica holds a slot without renewing it: after that a replica that died is taken over.'),
  source_retries: z.array(duration).max(10).default([5_000, 30_000]).describe("A source's failure is tried again after each of these pauses before the run is recorded failed."),
  shutdown_grace: duration.default(30_000).describe('On SIGTERM, how long runs under way may take to finish before they are aborted and recorded interrupted.'),
  max_attempts: z.number().int().positive().max(20).default(3).describe('A slot whose replica died under it this many times is recorded failed (a stop on purpose does not count).'),
});

export type SchedulerConfig = z.infer<typeof schedulerSchema>;

export const serviceConfigSchema = z.strictObject({
  timezone: timezone.default('Europe/London').describe("The service's IANA timezone: periods, schedules and sending hours are reckoned in it."),
  financial_year_start_month: z.number().int().min(1).max(12).default(4).describe('The month the financial year starts (4: April).'),
  bank_holidays: z.array(z.iso.date()).default([]).describe('Days that are not working days, besides weekends (freshness checks count working days).'),
  pipelines_dir: z.string().default('./pipelines').describe('The folder of pipelines: every .yaml or .yml file in it is one.'),
  risks_file: z.string().optional().describe('The risk register (matrix, tolerance line, risks and their triggers); none when not given.'),
  targets_file: z.string().optional().describe('Signed-off targets kept apart from the pipelines, each naming its indicator; none when not given.'),
  rag: z
    .strictObject({
      scheme: z.string().default('tolerance-5pc').describe('The RAG scheme of indicators that name none: a preset (tolerance-5pc, belfast, havering, kent-floor, barnet-4, lincoln-stretch) or a scheme of rag.schemes.'),
      default_tolerance: z
        .strictObject({ percent: z.number().nonnegative().describe('A percentage of the target.'), reason: z.string().min(1).describe('Why it is set at this level.') })
        .default({ percent: 5, reason: 'Corporate default: 5% of target, as the performance framework agreed' })
        .describe('The tolerance of indicators that set none, with the reason it was set so.'),
      schemes: z
        .record(
          id,
          z
            .array(
              z.strictObject({
                status: z.string().min(1).describe('The status the rule gives: GREEN, GREEN_AMBER, AMBER, RED_AMBER, RED or BLUE.'),
                when: z.string().min(1).optional().describe('The condition, e.g. "shortfall_percent <= 10" (see docs/rag.md); the last rule has none.'),
                explain: z.string().optional().describe('The explanation shown, with placeholders such as {actual} and {target}.'),
              }),
            )
            .min(1)
            .describe('A scheme: its rules, in order.'),
        )
        .default({})
        .describe("The council's own schemes, by name: ordered rules, first match wins."),
    })
    .default({ scheme: 'tolerance-5pc', default_tolerance: { percent: 5, reason: 'Corporate default: 5% of target, as the performance framework agreed' }, schemes: {} })
    .describe('How RAG is judged.'),
  store: storeSchema.default({ client: 'sqlite', filename: './data/lineofsight.sqlite', acquire_timeout: 30_000 }).describe("lineofsight's own database: runs, values, exceptions, the outbox."),
  sources: z.record(id, sourceSchema).default({}).describe('The data sources pipelines read, by name: databases and folders of CSV files.'),
  http: z
    .strictObject({
      host: z.string().default('127.0.0.1').describe('The address `serve` listens on.'),
      port: z.number().int().min(0).max(65535).default(9464).describe('Its port: /metrics, the health checks and the API.'),
    })
    .default({ host: '127.0.0.1', port: 9464 })
    .describe('The HTTP server of `lineofsight serve`.'),
  people_file: z.string().optional().describe("The people directory: who is who, services with their managers, data-quality leads, the performance team's address."),
  clinics_file: z.string().optional().describe('The improvement clinics: who sits on each, and when each is sent its exception pack. Needs people_file.'),
  exceptions: exceptionsSchema.prefault({}),
  email: emailSchema.prefault({}),
  scheduler: schedulerSchema.prefault({}).describe("The daemon's scheduler: what every pipeline's scheduled runs share."),
}).describe('The lineofsight service configuration.');

// ---- pipelines ----------------------------------------------------------------------------

const conditionSchema = z.strictObject({
  field: z.string().min(1).describe('A field of the csv section.'),
  op: z.enum(['eq', 'ne', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'empty', 'not_empty', 'matches']).describe('How the field is compared with value (matches: a regular expression).'),
  value: z
    .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))])
    .optional()
    .describe('What it is compared with: a list for in and not_in, none for empty and not_empty.'),
});

/** A CSV aggregate: what one indicator input is over the rows of a period. */
const aggregationSchema = z.strictObject({
  fn: z.enum(['count', 'sum', 'mean', 'median', 'min', 'max', 'distinct_count']).describe("The aggregate over the period's rows."),
  field: z.string().optional().describe('The field aggregated (every fn but count needs one).'),
  where: z.array(conditionSchema).default([]).describe('Only the rows matching all of these.'),
});

/** An indicator input: a column of the pipeline query (SQL), an aggregate (CSV), or a constant. */
const inputSchema = z.union([z.number(), z.string().min(1), aggregationSchema]);

const targetSchema = z.strictObject({
  period: z.string().optional().describe('The one period it is for: "2025-26", "2025-26-Q3", "2025-11". Either period or from.'),
  from: z.string().optional().describe('The period it is in force from, until a later target: "2025-26".'),
  value: z.number().describe("The target, in the indicator's unit."),
  floor: z.number().optional().describe("A floor standard below which performance is RED (Kent's scheme)."),
  stretch: z.number().optional().describe("A stretch target above the target (Lincoln's scheme)."),
  range: z.tuple([z.number(), z.number()]).optional().describe("A target range, [low, high] (Lincoln's BLUE)."),
  signed_off_by: z.string().optional().describe('Who signed it off; a target not signed off is a governance finding.'),
  signed_off_on: z.iso.date().optional().describe('When it was signed off.'),
  rationale: z.string().optional().describe('Why the target is set at this level.'),
});

/** A targets file: targets signed off outside the pipelines (by Cabinet, say), each naming its indicator. */
export const targetsFileSchema = z.strictObject({
  targets: z.array(targetSchema.extend({ indicator: id.describe('The id of the indicator it is for.') })).describe('The targets, each naming its indicator.'),
}).describe('Targets signed off outside the pipelines.');

const toleranceSchema = z.strictObject({
  percent: z.number().nonnegative().optional().describe("A percentage of the target's magnitude."),
  absolute: z.number().nonnegative().optional().describe("An amount in the indicator's unit."),
  amber_threshold: z.number().optional().describe('The value at which AMBER turns RED.'),
  green_band: z.number().nonnegative().optional().describe('On-target-is-best indicators: how far from target still counts as GREEN (default 0).'),
  reason: z.string().min(1).optional().describe('Why the tolerance is set at this level; a tolerance without one is a governance finding.'),
});

/** The words councils use for an indicator that is reported but never rated; all read as monitor. */
const NOT_RATED = new Set(['monitor', 'contextual', 'data-only']);

const INDICATOR_TYPES = ['count', 'sum', 'mean', 'median', 'percentage', 'ratio', 'rate', 'value'] as const;

export const indicatorSchema = z.strictObject({
  id: id.describe("The indicator's id, unique across all pipelines (e.g. FIN01)."),
  title: z.string().min(1).describe('Its name, as reports show it.'),
  description: z.string().optional().describe('What it measures and how.'),
  unit: z.string().default('').describe('The unit its values are shown in (%, days, £).'),
  type: z.enum(INDICATOR_TYPES).describe('percentage, ratio and rate take numerator and denominator; the others take value.'),
  value: inputSchema.optional().describe('Its value: a column of the query (SQL), an aggregate such as { fn: sum, field: amount } (CSV), or a number.'),
  numerator: inputSchema.optional().describe('The numerator of a percentage, ratio or rate, as value is given.'),
  denominator: inputSchema.optional().describe('The denominator, as value is given.'),
  per: z.number().positive().optional().describe('For a rate: the value is numerator / denominator x per (e.g. per 1,000 population).'),
  decimals: z.number().int().min(0).max(6).default(2).describe('Decimal places its values are shown with.'),
  polarity: z.enum(['higher_is_better', 'lower_is_better', 'on_target_is_best', 'none']).describe('Which way is better; none: never rated.'),
  /**
   * A RAG scheme for this indicator (default: the service's), or monitor (also written contextual
   * or data-only, as councils mark such indicators): never rated, still given a direction of travel.
   */
  rag: z
    .string()
    .transform((scheme) => (NOT_RATED.has(scheme) ? 'monitor' : scheme))
    .optional()
    .describe("A RAG scheme for this indicator (default: the service's), or monitor (also written contextual or data-only): never rated, still given a direction of travel."),
  accumulation: z.enum(['period', 'year_to_date']).default('period').describe('Whether a value covers its period, or the financial year to date.'),
  owner: z.string().min(1).optional().describe('The person id of its owner; one without an owner is a governance finding.'),
  service: z.string().min(1).describe('The service it belongs to, as the people directory names it.'),
  clinic: z.string().optional().describe('The id of the improvement clinic whose pack shows its exceptions.'),
  priority: z.string().optional().describe('A corporate priority it reports on: a label for reports and filters.'),
  perspective: z.enum(['financial', 'customer', 'internal_process', 'learning_and_growth']).optional().describe('Its balanced scorecard perspective.'),
  national_indicator: z.string().optional().describe('The national indicator it is, if any (e.g. NI 157a).'),
  replaces: z.array(id).default([]).describe('Ids of older indicators whose history this one continues.'),
  targets: z.array(targetSchema).default([]).describe('Its targets (the targets file may give more).'),
  tolerance: toleranceSchema.optional().describe("Its tolerance: exactly one of percent, absolute or amber_threshold (default: rag.default_tolerance)."),
  suspect_values: z.boolean().default(true).describe('The built-in suspect-values check; off for counts of rare events, where 0 is the usual month.'),
  amber_exceptions: z.boolean().optional().describe("AMBER raises an exception for this indicator (default: its service's setting, else the service config's)."),
});

const csvFieldSchema = z
  .strictObject({
    header: z.union([z.string(), z.array(z.string()).min(1)]).optional().describe('Its header text (or several, for files whose headers changed over the years).'),
    column: z.number().int().positive().optional().describe("Or the field's position, counting from 1, for files without a usable header row."),
    type: z.enum(['text', 'amount', 'number', 'date']).default('text').describe('How its text is read.'),
  })
  .refine((f) => (f.header === undefined) !== (f.column === undefined), { message: 'a field names either its header or its column (1 is the first)' })
  .describe('A field of the file: its header or its column, never both.');

/** The default of `max_malformed`: more than 1% of a period's data rows malformed fails its run. */
export const DEFAULT_MAX_MALFORMED = '1%';

export const csvSpecSchema = z.strictObject({
  files: z.union([z.string(), z.array(z.string()).min(1)]).describe("The files read: glob patterns (calls_*.csv), relative to the source's directory."),
  encoding: z.enum(['utf-8', 'windows-1252', 'latin1', 'utf-16le', 'cp850', 'cp437']).default('utf-8').describe("The files' text encoding (a byte-order mark overrides it)."),
  header_line: z
    .union([z.number().int().positive(), z.literal('none')])
    .optional()
    .describe('Where the header row is: by default the first line that is not blank; a line number (the lines before it are a title, skipped); or none, when every field names its column.'),
  delimiter: z.string().length(1).default(',').describe('The character between fields.'),
  fields: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'field names are lower_snake_case'), csvFieldSchema).describe('The fields read, by lower_snake_case name.'),
  date: z.string().describe('The date field whose value assigns a row to a period.'),
  skip_when: z.array(conditionSchema).default([]).describe('Rows matching any of these are skipped silently (junk trailers), not counted as malformed.'),
  max_malformed: z
    .union([z.number().int().nonnegative(), z.string().regex(/^\d+(\.\d+)?%$/)])
    .default(DEFAULT_MAX_MALFORMED)
    .describe('A run of a period fails when more of its data rows than this are malformed: a count (10) or a share ("2%").'),
});

// ---- data-quality checks ------------------------------------------------------------------

/** A threshold on failing rows: a count ("> 0") or a share of the rows checked ("> 2%"). */
export const THRESHOLD = /^\s*(>=|>|<=|<|==)\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/;
const threshold = z.string().regex(THRESHOLD, 'a threshold is a comparison and a count or share, e.g. "> 0" or ">= 2%"');

/** SQL identifiers for tables and columns, so they can be quoted by knex rather than spliced. */
export const SQL_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const sqlName = z.string().regex(SQL_NAME, 'a table or column name (letters, digits, _; schema.table allowed)');

const checkBase = {
  id: id.describe("The check's id, unique in its pipeline."),
  description: z.string().optional().describe('What it checks, in words.'),
  severity: z.enum(['warn', 'error']).default('error').describe('An error failure marks (or holds back) the RAG of the indicators it affects; warn only reports.'),
  fail_when: threshold.optional().describe('When it fails: a count of failing rows or a share of the rows checked, e.g. "> 0" or ">= 2%" (default: that of its type, else any failing row).'),
  warn_when: threshold.optional().describe('When it warns without failing, written as fail_when.'),
  sample: z.number().int().min(0).max(100).default(20).describe("Failing rows kept as a sample with the check's key columns."),
  table: sqlName.optional().describe("SQL sources: the table checked. CSV sources check the pipeline's own rows."),
  date_column: sqlName.optional().describe('SQL sources: the column that places a row in the period (rows outside are not checked).'),
  where: z.union([z.string().min(1), z.array(conditionSchema)]).optional().describe('Narrows the rows checked: a SQL condition (may use :period_start and :period_end) or CSV conditions.'),
  key_columns: z.array(z.string().min(1)).optional().describe('Columns shown with each sample row (default: the columns the check names).'),
};

const totalSchema = z.strictObject({
  source: id.optional().describe("The database source the query runs on (default: the pipeline's own)."),
  query: z.string().min(1).optional().describe('A query returning one number.'),
  aggregate: aggregationSchema.optional().describe('Or, on a CSV pipeline, an aggregate over its rows in the period.'),
  label: z.string().optional().describe('What the total is, as failures name it.'),
});

/** The column most check types check. */
const checkedColumn = z.string().min(1).describe('The column checked (on CSV, a field).');
const checkedIndicators = z.array(id).optional().describe("The indicators checked (default: all of the pipeline's).");

export const checkSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...checkBase, type: z.literal('not_null'), column: checkedColumn }).describe('Rows whose column is empty fail.'),
  z.strictObject({ ...checkBase, type: z.literal('unique'), columns: z.array(z.string().min(1)).min(1).describe('The columns whose values together must be unique.') }).describe('Rows that repeat the values of others fail.'),
  z
    .strictObject({ ...checkBase, type: z.literal('accepted_values'), column: checkedColumn, values: z.array(z.union([z.string(), z.number()])).min(1).describe('The values accepted.') })
    .describe('Rows whose column holds a value not in values fail.'),
  z
    .strictObject({ ...checkBase, type: z.literal('range'), column: checkedColumn, min: z.number().optional().describe('The least value accepted.'), max: z.number().optional().describe('The greatest value accepted.') })
    .describe('Rows whose column is outside min to max fail (min, max or both).'),
  z
    .strictObject({ ...checkBase, type: z.literal('pattern'), column: checkedColumn, regex: z.string().min(1).describe('A regular expression the whole value must match.') })
    .describe('Rows whose column does not match regex fail.'),
  z
    .strictObject({ ...checkBase, type: z.literal('completeness'), column: checkedColumn, min_percent: z.number().min(0).max(100).describe('The least percentage of rows with a value.') })
    .describe('Fails when too few rows give the column a value.'),
  z.strictObject({
    ...checkBase,
    type: z.literal('freshness'),
    column: z.string().min(1).optional().describe("The date column (with table) whose newest value is aged; none: the pipeline's newest record, as data arrival reads it."),
    max_age: z.string().min(1).describe('The greatest age: 48h, 3d or "1 working day".'),
  }).describe('Fails when the newest record is older than max_age.'),
  z.strictObject({
    ...checkBase,
    type: z.literal('row_count'),
    min: z.number().int().nonnegative().optional().describe('The fewest rows a period may have.'),
    max: z.number().int().nonnegative().optional().describe('The most rows a period may have.'),
    within_percent_of_last_year: z.number().positive().optional().describe('Rows within this percentage of the same period last year.'),
  }).describe("Fails when a period's rows are too few or too many."),
  z.strictObject({ ...checkBase, type: z.literal('numerator_not_above_denominator'), indicators: checkedIndicators }).describe('Indicator values whose numerator is above their denominator fail.'),
  z.strictObject({ ...checkBase, type: z.literal('no_negative'), indicators: checkedIndicators }).describe('Negative indicator values fail.'),
  z.strictObject({
    ...checkBase,
    type: z.literal('reconciliation'),
    left: totalSchema.describe('One total.'),
    right: totalSchema.describe('The total it must agree with.'),
    tolerance: z
      .strictObject({ absolute: z.number().nonnegative().optional().describe('An amount.'), percent: z.number().nonnegative().optional().describe('Or a percentage of the larger total: the larger allowance applies.') })
      .describe('How far apart they may be.'),
  }).describe('Fails when two totals (queries or aggregates) disagree beyond the tolerance.'),
  z.strictObject({
    ...checkBase,
    type: z.literal('referential'),
    column: checkedColumn,
    references: z
      .strictObject({
        source: id.optional().describe("The database source to look in (default: the pipeline's own)."),
        table: sqlName.describe('The table.'),
        column: sqlName.describe('Its column.'),
      })
      .describe('Where each value must be found.'),
  }).describe('Rows whose column holds a value not found in another table fail.'),
  z.strictObject({
    ...checkBase,
    type: z.literal('sudden_change'),
    indicator: id.describe('The indicator whose value is checked.'),
    method: z.enum(['zscore', 'percent']).default('zscore').describe('Against its history: a z-score, or a percent change.'),
    threshold: z.number().positive().describe('z-score (e.g. 3) or percent change (e.g. 25) beyond which the value is a sudden change.'),
    min_history: z.number().int().min(2).default(6).describe('Periods of history needed before it judges.'),
    seasonal: z.boolean().default(false).describe('Compare with the same month (or quarter) of earlier financial years only.'),
    direction: z.enum(['rise', 'fall', 'both']).default('both').describe('Which moves count.'),
    materiality: z.number().nonnegative().default(0).describe("Moves smaller than this, in the indicator's unit, are never a sudden change."),
  }).describe("Fails when an indicator's value moves suddenly against its history."),
  z.strictObject({ ...checkBase, type: z.literal('sql'), query: z.string().min(1).describe('A query returning the failing rows (may use :period_start and :period_end).') }).describe('Fails on the rows a query returns.'),
  // Built into every pipeline (quality/suspect.ts), never declared: the schema knows it so that
  // the registry, the log and acknowledgement treat it as any other check.
  z.strictObject({ ...checkBase, type: z.literal('suspect_values') }).describe('Built into every pipeline: never declared (an indicator turns it off with suspect_values: false).'),
]);

/** The id of the suspect-values check built into every pipeline. */
export const SUSPECT_VALUES_CHECK = 'suspect-values';


/**
 * How to know a period's data is in: the newest record's date (a query on a database source;
 * a CSV source's date field) is on or after the period's last day, less the grace.
 */
const arrivalSchema = z.strictObject({
  newest: z.string().min(1).optional().describe("A database source: a query whose one row's first column is the newest record's date or time."),
  grace: days.default(0).describe("Days before the period's last day the newest record may fall (a feed with no weekend records: 2d)."),
});

export const pipelineSchema = z.strictObject({
  id: id.describe("The pipeline's id, unique across all pipelines."),
  title: z.string().min(1).describe('Its name.'),
  description: z.string().optional().describe('Where its data comes from and what it means.'),
  source: id.describe('The source it reads: a name under sources in the service config.'),
  schedule: z.string().describe('When the daemon runs it: a cron expression in the timezone of the service ("0 6 * * *").'),
  missed: z.enum(MISSED).optional().describe("After downtime, this pipeline's missed slots (default: scheduler.missed)."),
  recompute: z.number().int().nonnegative().max(36).optional().describe('Periods before the latest complete one that each scheduled run computes again (default: scheduler.recompute).'),
  frequency: z.enum(['monthly', 'quarterly', 'annual']).describe('The periods its indicators are reported for.'),
  query: z.string().min(1).optional().describe('A database source: the query, returning one row of aggregates for the period (bound as :period_start, :period_end, :fy_start...); indicators name its columns.'),
  csv: csvSpecSchema.optional().describe('A CSV source: the files, their fields, and the date that places a row in a period.'),
  arrival: arrivalSchema.optional().describe("How to know a period's data is in: the newest record's date is on or after the period's last day, less the grace."),
  historical: z.boolean().default(false).describe('Data that will not grow (a published archive): no period of it is ever awaiting data.'),
  indicators: z.array(indicatorSchema).min(1).describe('The indicators it computes.'),
  checks: z.array(checkSchema).default([]).describe('Its data-quality checks.'),
}).describe('A lineofsight pipeline.');

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
