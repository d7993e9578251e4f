import { describe, expect, it } from 'vitest';
import { locatedFindings } from '../src/report/findings.js';
import { loadService } from '../src/app/service.js';
import { loadConfig } from '../src/config/load.js';
import { ConfigError, type ConfigProblem } from '../src/config/problems.js';
import { workspace } from './helpers/workspace.js';

const SERVICE = `
pipelines_dir: {{dir}}/pipelines
store: { client: sqlite, filename: {{dir}}/store.sqlite }
sources:
  finance: { client: sqlite, connection: {{dir}}/finance.sqlite }
  exports: { client: csv, directory: {{dir}}/csv }
`;

const GOOD_PIPELINE = `
id: payments
title: Invoice payments
source: finance
schedule: "0 6 * * *"
frequency: monthly
query: |
  SELECT SUM(CASE WHEN paid <= due THEN 1 ELSE 0 END) AS on_time, COUNT(*) AS paid
  FROM invoices WHERE paid >= :period_start AND paid < :period_end
indicators:
  - id: FIN01
    title: Invoices paid within 30 days
    unit: "%"
    type: percentage
    numerator: on_time
    denominator: paid
    polarity: higher_is_better
    accumulation: year_to_date
    owner: Priya Shah
    service: Finance
    targets:
      - { from: 2024-25, value: 95, signed_off_by: Cllr Moss, signed_off_on: 2024-03-12, rationale: Statutory 30 days }
    tolerance: { percent: 5, reason: Corporate default }
`;

async function problemsOf(files: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<ConfigProblem[]> {
  const ws = workspace(files);
  try {
    await loadConfig(ws.config, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => ({ ...p, file: p.file.replace(ws.dir, '') }));
    throw err;
  }
  return [];
}

describe('a valid configuration', () => {
  it('loads with defaults filled in', async () => {
    const ws = workspace({ 'lineofsight.yaml': SERVICE, 'pipelines/payments.yaml': GOOD_PIPELINE });
    const config = await loadConfig(ws.config, {});
    expect(config.service.timezone).toBe('Europe/London');
    expect(config.service.financial_year_start_month).toBe(4);
    expect(config.pipelines.map((p) => p.id)).toEqual(['payments']);
    expect(config.pipelines[0]?.indicators[0]).toMatchObject({ id: 'FIN01', accumulation: 'year_to_date', decimals: 2, replaces: [] });
    expect(config.calendar.parse('2024-25').start).toBe('2024-04-01');
  });

  it('reads ${VAR} and ${VAR:-default} from the environment', async () => {
    const ws = workspace({
      'lineofsight.yaml': `${SERVICE}
  warehouse:
    client: pg
    connection: postgres://reporter:\${WAREHOUSE_PASSWORD}@\${WAREHOUSE_HOST:-db.internal}/dw
`,
      'pipelines/payments.yaml': GOOD_PIPELINE,
    });
    const config = await loadConfig(ws.config, { WAREHOUSE_PASSWORD: 's3cret' });
    expect(config.service.sources.warehouse).toMatchObject({ connection: 'postgres://reporter:s3cret@db.internal/dw' });
  });

  it('never puts environment text into a pipeline: its SQL stays as written', async () => {
    const ws = workspace({ 'lineofsight.yaml': SERVICE, 'pipelines/payments.yaml': GOOD_PIPELINE.replace('FROM invoices', "FROM invoices /* '${HOME}' */") });
    const config = await loadConfig(ws.config, { HOME: '/root' });
    expect(config.pipelines[0]?.query).toContain("'${HOME}'");
  });
});

describe('bad configuration is refused whole, every problem named with file, line and field', () => {
  const bad = (mutate: (pipeline: string) => string, service = SERVICE) => ({
    'lineofsight.yaml': service,
    'pipelines/payments.yaml': mutate(GOOD_PIPELINE),
  });

  it.each([
    ['invalid YAML', bad((p) => p.replace('frequency: monthly', 'frequency: [monthly')), '/pipelines/payments.yaml', 7, /invalid YAML/],
    ['a misspelt key', bad((p) => p.replace('    polarity:', '    polarty: higher_is_better\n    polarity:')), '/pipelines/payments.yaml', 17, /indicators\[0\]\.polarty: unknown key "polarty"/],
    ['a missing field', bad((p) => p.replace('    service: Finance\n', '')), '/pipelines/payments.yaml', 11, /indicators\[0\]\.service: is required but missing/],
    ['a missing frequency', bad((p) => p.replace('frequency: monthly\n', '')), '/pipelines/payments.yaml', 2, /^frequency: is required but missing/],
    ['an unknown source', bad((p) => p.replace('source: finance', 'source: ledger')), '/pipelines/payments.yaml', 4, /source: unknown source "ledger" \(sources in the service config: finance, exports\)/],
    ['a bad cron', bad((p) => p.replace('"0 6 * * *"', '"0 25 * * *"')), '/pipelines/payments.yaml', 5, /schedule: "0 25 \* \* \*" is not a valid cron/],
    ['an unknown period', bad((p) => p.replace('from: 2024-25', 'from: 2024-26')), '/pipelines/payments.yaml', 22, /targets\[0\]\.from: unknown period "2024-26"/],
    ['an unknown binding', bad((p) => p.replace(':period_end', ':perod_end')), '/pipelines/payments.yaml', 7, /query: unknown binding :perod_end/],
    ['a percentage without a denominator', bad((p) => p.replace('    denominator: paid\n', '')), '/pipelines/payments.yaml', 11, /indicators\[0\]: a percentage indicator needs "denominator"/],
    ['an aggregate on a database source', bad((p) => p.replace('numerator: on_time', 'numerator: { fn: count }')), '/pipelines/payments.yaml', 15, /on a database source, an input is a column/],
    ['overlapping targets', bad((p) => p.replace('    tolerance:', '      - { from: 2024-04, value: 96 }\n    tolerance:')), '/pipelines/payments.yaml', 23, /targets\[1\]: overlaps FIN01's target at line 22: both claim the same periods/],
    ['two tolerances', bad((p) => p.replace('percent: 5,', 'percent: 5, absolute: 2,')), '/pipelines/payments.yaml', 23, /exactly one of percent, absolute or amber_threshold/],
    ['a bad duration', bad((p) => p, SERVICE.replace('finance.sqlite }', 'finance.sqlite, query_timeout: soon }')), '/lineofsight.yaml', 5, /sources\.finance\.query_timeout: "soon" is not a duration/],
    ['a connection that is not a URL', bad((p) => p, `${SERVICE}  ledger: { client: mssql, connection: "sql01;user=sa" }\n`), '/lineofsight.yaml', 7, /sources\.ledger\.connection: not a connection URL \(expected e\.g\. mssql:\/\/user:password@host\/database\)/],
    ['an unknown timezone', bad((p) => p, `timezone: Europe/Londn\n${SERVICE}`), '/lineofsight.yaml', 1, /timezone: is not a known IANA timezone/],
    ['a missing environment variable', bad((p) => p, SERVICE.replace('pipelines_dir: {{dir}}', 'pipelines_dir: ${PIPELINES_HOME}')), '/lineofsight.yaml', 2, /^pipelines_dir: environment variable PIPELINES_HOME is not set/],
    ['an arrival rule on a historical pipeline', bad((p) => p.replace('indicators:', 'historical: true\narrival: { newest: "SELECT MAX(paid) FROM invoices" }\nindicators:')), '/pipelines/payments.yaml', 11, /^arrival: a historical pipeline never awaits data/],
    ['an arrival rule on a database without its query', bad((p) => p.replace('indicators:', 'arrival: { grace: 3d }\nindicators:')), '/pipelines/payments.yaml', 10, /^arrival: on a database, arrival needs newest/],
    ['a grace that is not whole days', bad((p) => p.replace('indicators:', 'arrival: { newest: "SELECT MAX(paid) FROM invoices", grace: 36h }\nindicators:')), '/pipelines/payments.yaml', 10, /^arrival\.grace: .*a whole number of days, e\.g\. "3d"/],
    ['a freshness check without a column or an arrival query', bad((p) => `${p}checks:\n  - { id: fresh, type: freshness, max_age: 3d }\n`), '/pipelines/payments.yaml', 25, /^checks\[0\]: a freshness check without a column ages the pipeline's newest record: give the pipeline arrival\.newest/],
    ['a freshness check without a column, narrowed', bad((p) => `${p.replace('indicators:', 'arrival: { newest: "SELECT MAX(paid) FROM invoices" }\nindicators:')}checks:\n  - { id: fresh, type: freshness, max_age: 3d, where: "paid IS NOT NULL" }\n`), '/pipelines/payments.yaml', 26, /^checks\[0\]\.where: a freshness check without a column ages the pipeline's newest record: it takes no where/],
    ['an arrival query on a CSV pipeline', { 'lineofsight.yaml': SERVICE, 'pipelines/spend.yaml': `id: spend\ntitle: Spend\nsource: exports\nschedule: "0 6 * * *"\nfrequency: monthly\ncsv: { files: "*.csv", fields: { paid: { header: Paid, type: date } }, date: paid }\narrival: { newest: "SELECT 1" }\nindicators:\n  - { id: S1, title: Rows, type: count, value: { fn: count }, polarity: none, service: Finance }\n` }, '/pipelines/spend.yaml', 7, /^arrival\.newest: a CSV pipeline's newest record is read from its date field/],
  ])('%s', async (_name, files, file, line, message) => {
    const problems = await problemsOf(files);
    const hit = problems.find((p) => message.test(`${p.path}: ${p.message}`));
    expect(hit, JSON.stringify(problems, null, 1)).toBeDefined();
    expect(hit?.file).toBe(file);
    if (line !== undefined) expect(hit?.line).toBe(line);
  });

  describe('in a targets file kept apart from the pipelines', () => {
    const WITH_TARGETS = `${SERVICE}targets_file: {{dir}}/targets.yaml\n`;
    const PIPELINE = GOOD_PIPELINE.replace('    denominator: paid\n', '    denominator: paid\n    replaces: [FIN01A]\n');
    const signed = 'signed_off_by: Cabinet, signed_off_on: 2025-03-10, rationale: Statutory 30 days';
    const withTargets = (targets: string) => ({ 'lineofsight.yaml': WITH_TARGETS, 'pipelines/payments.yaml': PIPELINE, 'targets.yaml': `targets:\n${targets}` });
    it.each([
      ['a target for an unknown indicator', `  - { indicator: FIN99, from: 2025-26, value: 97, ${signed} }\n`, 2, /^targets\[0\]\.indicator: no pipeline defines indicator "FIN99"/],
      ['a target for a replaced id', `  - { indicator: FIN01A, from: 2025-26, value: 97, ${signed} }\n`, 2, /^targets\[0\]\.indicator: indicator "FIN01A" was replaced by FIN01: set the target on FIN01/],
      ['a target overlapping one in the pipeline', `  - { indicator: FIN01, period: 2024-25, value: 96, ${signed} }\n  - { indicator: FIN01, from: 2024-25, value: 97, ${signed} }\n`, 3, /^targets\[1\]: overlaps FIN01's target at \/.*\/pipelines\/payments\.yaml:23: both claim the same periods/],
      ['a period the calendar does not know', `  - { indicator: FIN01, period: 2025-13, value: 97, ${signed} }\n`, 2, /^targets\[0\]\.period: /],
      ['neither period nor from', `  - { indicator: FIN01, value: 97, ${signed} }\n`, 2, /^targets\[0\]: a target names either "period"/],
      ['a target without a value', `  - { indicator: FIN01, from: 2025-26, ${signed} }\n`, 2, /^targets\[0\]\.value: is required but missing/],
      ['a misspelt key', `  - { indicator: FIN01, from: 2025-26, value: 97, signed_of_by: Cabinet }\n`, 2, /^targets\[0\]\.signed_of_by: unknown key/],
    ])('%s', async (_name, targets, line, message) => {
      const problems = await problemsOf(withTargets(targets));
      const hit = problems.find((p) => message.test(`${p.path}: ${p.message}`));
      expect(hit, JSON.stringify(problems, null, 1)).toBeDefined();
      expect(hit).toMatchObject({ file: '/targets.yaml', line });
    });

    it('a targets file that is not there is named', async () => {
      const problems = await problemsOf({ 'lineofsight.yaml': WITH_TARGETS, 'pipelines/payments.yaml': PIPELINE });
      expect(problems.map((p) => p.file)).toEqual(['/targets.yaml']);
    });

    it('adds its targets to the indicators they name, and remembers where each was set', async () => {
      const ws = workspace(withTargets(`  - { indicator: FIN01, period: 2025-26-Q1, value: 97, ${signed} }\n`));
      const config = await loadConfig(ws.config, {});
      const fin01 = config.pipelines[0]!.indicators[0]!;
      expect(fin01.targets.map((t) => t.period ?? t.from)).toEqual(['2024-25', '2025-26-Q1']);
      const [inPipeline, inFile] = fin01.targets.map((t) => config.targetOrigins.get(t)!);
      expect(inPipeline!.yaml.problem(inPipeline!.path, '')).toMatchObject({ file: `${ws.dir}/pipelines/payments.yaml`, line: 23 });
      expect(inFile!.yaml.problem(inFile!.path, '')).toMatchObject({ file: `${ws.dir}/targets.yaml`, line: 2 });
    });

    it('names the targets file, not the pipeline, in a governance finding about one of its targets', async () => {
      const ws = workspace(withTargets(`  - { indicator: FIN01, period: 2025-26-Q1, value: 97 }\n`));
      const config = await loadConfig(ws.config, {});
      const findings = locatedFindings(config, () => [config.calendar.parse('2025-04')]).filter((f) => f.kind === 'target_not_signed_off');
      expect(findings.map((f) => [f.where.file.replace(ws.dir, ''), f.where.line, f.message])).toEqual([['/targets.yaml', 2, "FIN01's target for 2025-26-Q1 is not signed off (signed_off_by and signed_off_on)"]]);
    });
  });

  it('reports every problem in every file at once', async () => {
    const problems = await problemsOf({
      'lineofsight.yaml': SERVICE,
      'pipelines/a.yaml': GOOD_PIPELINE.replace('source: finance', 'source: nowhere'),
      'pipelines/b.yaml': GOOD_PIPELINE.replace('id: payments', 'id: payments2').replace('"0 6 * * *"', '"often"'),
    });
    expect(problems.map((p) => `${p.file}:${p.line}: ${p.path}`)).toEqual([
      '/pipelines/a.yaml:4: source',
      '/pipelines/b.yaml:5: schedule',
      '/pipelines/b.yaml:11: indicators[0].id',
    ]);
    expect(problems[2]?.message).toMatch(/indicator id "FIN01" is already used in .*a\.yaml \(payments\.FIN01\)/);
  });

  it('checks the cron and source of a file whose keys are also wrong', async () => {
    const problems = await problemsOf({
      'lineofsight.yaml': SERVICE,
      'pipelines/a.yaml': GOOD_PIPELINE.replace('frequency: monthly', 'frequncy: monthly').replace('"0 6 * * *"', '"61 * * * *"').replace('source: finance', 'source: ledger'),
    });
    expect(problems.map((p) => `${p.line}: ${p.path}`).sort()).toEqual(['2: frequency', '4: source', '5: schedule', '6: frequncy']);
  });

  it('refuses a replaced id that another indicator still uses', async () => {
    const problems = await problemsOf({
      'lineofsight.yaml': SERVICE,
      'pipelines/a.yaml': GOOD_PIPELINE.replace('    owner:', '    replaces: [FIN09]\n    owner:'),
      'pipelines/b.yaml': GOOD_PIPELINE.replace('id: payments', 'id: other').replace('id: FIN01', 'id: FIN09'),
    });
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/indicator id "FIN09" is already used in .*a\.yaml/)]);
  });

  it('needs every CSV field by position when there is no header row', async () => {
    const csvPipeline = `id: spend\ntitle: Spend\nsource: exports\nschedule: "0 6 * * *"\nfrequency: monthly\ncsv:\n  files: "*.csv"\n  header_line: none\n  fields:\n    paid: { column: 1, type: date }\n    amount: { header: Amount, type: amount }\n    both: { header: Name, column: 3 }\n  date: paid\nindicators:\n  - { id: SP1, title: Spend, type: sum, value: { fn: sum, field: amount }, polarity: none, owner: A, service: B }\n`;
    const problems = await problemsOf({ 'lineofsight.yaml': SERVICE, 'pipelines/spend.yaml': csvPipeline });
    expect(problems.map((p) => `${p.line}: ${p.path}: ${p.message}`)).toEqual([
      '12: csv.fields.both: a field names either its header or its column (1 is the first)',
    ]);
    const noColumn = await problemsOf({ 'lineofsight.yaml': SERVICE, 'pipelines/spend.yaml': csvPipeline.replace('    both: { header: Name, column: 3 }\n', '') });
    expect(noColumn.map((p) => `${p.line}: ${p.path}: ${p.message}`)).toEqual(['11: csv.fields.amount: with header_line: none there is no header to find it by: give its column (1 is the first)']);
  });

  it('checks CSV pipelines against their declared fields', async () => {
    const problems = await problemsOf({
      'lineofsight.yaml': SERVICE,
      'pipelines/spend.yaml': `
id: spend
title: Spend
source: exports
schedule: "0 7 * * *"
frequency: monthly
csv:
  files: "*.csv"
  fields:
    paid: { header: Payment Date, type: date }
    amount: { header: Amount, type: amount }
  date: amount
  skip_when: [{ field: supplier, op: empty }]
indicators:
  - id: SP01
    title: Spend
    unit: "£"
    type: sum
    value: { fn: sum, field: amont }
    polarity: none
    owner: Finance Team
    service: Finance
`,
    });
    expect(problems.map((p) => `${p.line}: ${p.path}: ${p.message}`)).toEqual([
      '12: csv.date: field "amount" must have type date',
      '13: csv.skip_when[0].field: "supplier" is not one of the declared fields',
      '19: indicators[0].value.field: "amont" is not one of the declared csv fields',
    ]);
  });

  it('checks data-quality checks: unknown columns, sources and indicators, bad patterns, thresholds and ages', async () => {
    const withChecks = (checks: string) => GOOD_PIPELINE + `checks:\n${checks}`;
    const problems = await problemsOf({
      'lineofsight.yaml': SERVICE,
      'pipelines/payments.yaml': withChecks(`
  - { id: refs, type: not_null, table: invoices, column: "supplier name" }
  - { id: pat, type: pattern, table: invoices, column: ref, regex: "INV(" }
  - { id: thr, type: not_null, table: invoices, column: ref }
  - { id: fresh, type: freshness, table: invoices, column: paid, max_age: soon }
  - { id: ref, type: referential, table: invoices, column: cc, references: { source: nowhere, table: cost_centres, column: code } }
  - { id: jump, type: sudden_change, indicator: FIN99, threshold: 3 }
  - { id: notable, type: unique, columns: [ref] }
  - { id: typo, type: sql, query: "SELECT * FROM invoices WHERE paid >= :perod_start" }
  - { id: refs, type: row_count, table: invoices, min: 1 }
  - { id: share, type: sql, query: "SELECT 1", fail_when: "> 2%" }
  - { id: rng, type: range, table: invoices, date_column: paid, column: amount, min: 10, max: 5 }
  - { id: nob, type: range, table: invoices, date_column: paid, column: amount }
  - { id: keys, type: unique, table: invoices, date_column: paid, columns: [ref], key_columns: [ref, amount] }
`),
      'pipelines/refunds.yaml': withChecks(`
  - { id: thr, type: not_null, table: invoices, column: ref, fail_when: "more than 2" }
`).replace('id: payments', 'id: refunds').replace('id: FIN01', 'id: FIN02'),
    });
    expect(problems.map((p) => `${p.file === '/pipelines/refunds.yaml' ? 'refunds ' : ''}${p.line}: ${p.path}: ${p.message}`)).toEqual([
      '26: checks[0].column: "supplier name" is not a column name',
      '27: checks[1].regex: the regular expression does not compile: Invalid regular expression: /INV(/: Unterminated group',
      '29: checks[3].max_age: "soon" is not an age such as 48h, 3d or "1 working day"',
      '30: checks[4].references.source: "nowhere" is not a database source in the service config',
      '31: checks[5].indicator: unknown indicator "FIN99" (this pipeline computes FIN01)',
      '32: checks[6]: a unique check on a database needs "table"',
      '33: checks[7].query: unknown binding :perod_start (known: :period_start, :period_end, :fy_start, :fy_end, :period_id, :fy_id)',
      '34: checks[8].id: check id "refs" is used twice in this pipeline',
      '34: checks[8]: a row_count check counts the rows of a period: give date_column (or a where using :period_start and :period_end)',
      '35: checks[9].fail_when: a sql check counts no rows to take a share of: give a count, e.g. "> 0"',
      '36: checks[10].min: min 10 is above max 5',
      '37: checks[11]: a range check needs min, max or both',
      '38: checks[12].key_columns[1]: a unique check\'s sample is its failing keys: "amount" is not one of ref',
      'refunds 26: checks[0].fail_when: a threshold is a comparison and a count or share, e.g. "> 0" or ">= 2%"',
    ]);
  });
});

describe('validate reports every problem at once', () => {
  it('a broken service config hides no pipeline, target or duplicate; a schema error hides no duplicate id', async () => {
    const pipeline = (id: string, extra: string) =>
      `id: ${id}\ntitle: T\nsource: SOURCE\nschedule: "CRON"\nfrequency: FREQ\nquery: SELECT 1 AS x\nindicators:\n  - { id: A1, title: A, type: value, value: x, polarity: none, service: S${extra} }\n`;
    const ws = workspace({
      'lineofsight.yaml': 'pipelines_dir: {{dir}}/pipelines\ntargets_file: {{dir}}/targets.yaml\nstore: { client: sqlite, filename: ./s.sqlite, extra: 1 }\nsources:\n  db: { client: sqlite, connection: ./x.sqlite }\n',
      'pipelines/a.yaml': pipeline('a', ', targets: [{ period: 2024-13, value: 1 }]').replace('SOURCE', 'nowhere').replace('CRON', '0 99 * * *').replace('FREQ', 'monthly'),
      'pipelines/b.yaml': pipeline('a', '').replace('SOURCE', 'db').replace('CRON', '0 6 * * *').replace('FREQ', 'weekly'),
      'targets.yaml': 'targets:\n  - { indicator: NOPE, from: 2024-25, value: 3 }\n  - { indicator: A1, from: 2024-25, value: 3 }\n',
    });
    const err = (await loadConfig(ws.config, {}).catch((e: unknown) => e)) as ConfigError;
    const said = err.problems.map((p) => `${p.file.replace(ws.dir, '')}:${p.line}: ${p.path}: ${p.message}`);
    expect(said).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/lineofsight\.yaml:3: store\.extra: unknown key "extra"/),
        expect.stringMatching(/^\/pipelines\/a\.yaml:4: schedule: "0 99 \* \* \*" is not a valid cron expression/),
        expect.stringMatching(/^\/pipelines\/a\.yaml:3: source: unknown source "nowhere" \(sources in the service config: db\)/),
        expect.stringMatching(/^\/pipelines\/a\.yaml:8: indicators\[0\]\.targets\[0\]\.period: unknown period "2024-13"/),
        expect.stringMatching(/^\/pipelines\/b\.yaml:5: frequency: /),
        expect.stringMatching(/^\/pipelines\/b\.yaml:1: id: pipeline id "a" is already used by .*a\.yaml/),
        expect.stringMatching(/^\/pipelines\/b\.yaml:8: indicators\[0\]\.id: indicator id "A1" is already used in .*a\.yaml \(a\.A1\)/),
        expect.stringMatching(/^\/targets\.yaml:2: targets\[0\]\.indicator: no pipeline defines indicator "NOPE"/),
      ]),
    );
    expect(said).toHaveLength(8);
  });

  it('checks the risk register against the pipelines beside a broken service config', async () => {
    const { readFileSync } = await import('node:fs');
    const ws = workspace({
      'lineofsight.yaml': `${SERVICE}risks_file: {{dir}}/risks.yaml\nstore: { client: sqlite, filename: ./s.sqlite, extra: 1 }\n`.replace('store: { client: sqlite, filename: {{dir}}/store.sqlite }\n', ''),
      'pipelines/payments.yaml': GOOD_PIPELINE,
      'risks.yaml': readFileSync('config/risks.yaml', 'utf8'),
    });
    const err = (await loadService(ws.config, {}).catch((e: unknown) => e)) as ConfigError;
    const said = err.problems.map((p) => `${p.path}: ${p.message}`);
    expect(said).toContain('store.extra: unknown key "extra" (misspelt?)');
    expect(said.some((p) => /unknown indicator "FIN04" \(no pipeline computes it\)/.test(p))).toBe(true);
  });

  it('refuses a YAML alias bomb, naming its file', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const problems = await problemsOf({ 'lineofsight.yaml': SERVICE, 'pipelines/payments.yaml': GOOD_PIPELINE, 'pipelines/bomb.yaml': `${lines.join('\n')}\n` });
    expect(problems).toEqual([{ file: '/pipelines/bomb.yaml', path: '', message: expect.stringMatching(/^refused: Excessive alias count/) }]);
  });
});

describe('the whole service, loaded at once', () => {
  it('lists the problems of pipelines, RAG schemes and the risk register in one refusal', async () => {
    const ws = workspace({
      'lineofsight.yaml': `${SERVICE}risks_file: {{dir}}/risks.yaml\nrag: { scheme: traffic-lights }\n`,
      'pipelines/a.yaml': GOOD_PIPELINE.replace('source: finance', 'source: nowhere'),
      'pipelines/b.yaml': GOOD_PIPELINE.replace('id: payments', 'id: refunds').replace('id: FIN01', 'id: FIN02').replace('    tolerance:', '    rag: kent\n    tolerance:'),
      'risks.yaml': `tolerance_line: { score: 12 }\nrisks:\n  - { id: R1, title: Late payment, owner: Priya, clinic: Finance, inherent: { likelihood: B, impact: II }, current: { likelihood: Z, impact: II } }\n`,
    });
    const refusal = await loadService(ws.config, {}).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(ConfigError);
    const lines = (refusal as ConfigError).problems.map((p) => `${p.file.replace(ws.dir, '')}: ${p.path}: ${p.message}`);
    expect(lines).toEqual([
      expect.stringMatching(/^\/pipelines\/a\.yaml: source: unknown source "nowhere"/),
      expect.stringMatching(/^\/lineofsight\.yaml: rag\.scheme: unknown RAG scheme "traffic-lights"/),
      expect.stringMatching(/^\/pipelines\/b\.yaml: indicators\[0\]\.rag: unknown RAG scheme "kent"/),
      expect.stringMatching(/^\/risks\.yaml: risks\[0\]\.current\.likelihood: unknown likelihood band "Z"/),
    ]);
  });

  it('checks RAG schemes and the register even beside a service config that is not valid', async () => {
    const ws = workspace({
      'lineofsight.yaml': `${SERVICE}risks_file: {{dir}}/risks.yaml\nrag: { scheme: traffic-lights }\ntimezone: Mars/Olympus\n`,
      'pipelines/a.yaml': GOOD_PIPELINE,
      'risks.yaml': `tolerance_line: { score: 12 }\nrisks:\n  - { id: R1, title: Late payment, owner: Priya, clinic: Finance, inherent: { likelihood: B, impact: II }, current: { likelihood: Z, impact: II } }\n`,
    });
    const refusal = (await loadService(ws.config, {}).catch((err: unknown) => err)) as ConfigError;
    expect(refusal.problems.map((p) => p.path)).toEqual(['timezone', 'rag.scheme', 'risks[0].current.likelihood']);
  });

  it('names the email transport that writes files "files", and says so to a config that still says outbox', async () => {
    const files = (email: string) => ({ 'lineofsight.yaml': `${SERVICE}email: ${email}\n`, 'pipelines/payments.yaml': GOOD_PIPELINE });
    const ws = workspace(files('{ transport: files, files_dir: ./mail }'));
    expect((await loadConfig(ws.config, {})).service.email).toMatchObject({ transport: 'files', files_dir: './mail' });
    const problems = await problemsOf(files('{ transport: outbox, outbox_dir: ./outbox }'));
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual(['email.transport: transport "outbox" is now called "files"', 'email.outbox_dir: outbox_dir is now files_dir']);
  });
});
