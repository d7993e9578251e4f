import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadService } from '../src/app/service.js';
import { withService } from '../src/app/open.js';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { scheduleInterval } from '../src/calendar/schedule.js';
import type { LoadedConfig } from '../src/config/load.js';
import { indicatorSchema, pipelineSchema, serviceConfigSchema, SUSPECT_VALUES_CHECK } from '../src/config/schema.js';
import { silentLogger } from '../src/logger.js';
import { CHECK_CODES, DIRECTION_CODES, QUALITY_CODES, RAG_CODES } from '../src/metrics/codes.js';
import { Family, labelsText } from '../src/metrics/exposition.js';
import { configHash, processRegistry } from '../src/metrics/processMetrics.js';
import { Scraper } from '../src/metrics/scrape.js';
import { readState, type ServiceState } from '../src/metrics/state.js';
import { newMessageId } from '../src/notify/outbox.js';
import { Store } from '../src/store/store.js';
import { stateFamilies } from '../src/metrics/stateFamilies.js';
import { RULE_STATUSES, thisOrWorse } from '../src/rag/scale.js';
import type { RagStatus } from '../src/rag/scale.js';
import { bearerMatches } from '../src/server/auth.js';
import { workspace } from './helpers/workspace.js';

describe('the exposition format', () => {
  it.each([
    ['plain', 'HR01', 'm{indicator="HR01"} 1'],
    ['a double quote', 'Say "hi"', 'm{indicator="Say \\"hi\\""} 1'],
    ['a backslash', 'a\\b', 'm{indicator="a\\\\b"} 1'],
    ['a newline', 'one\ntwo', 'm{indicator="one\\ntwo"} 1'],
    ['all three', '"\\\n', 'm{indicator="\\"\\\\\\n"} 1'],
  ])('escapes %s in a label value', (_what, value, line) => {
    expect(new Family('m', 'help').sample(labelsText({ indicator: value }), 1).toString().split('\n')[2]).toBe(line);
  });

  it('writes no sample for a value not known, never a 0', () => {
    const f = new Family('m', 'help').sample(labelsText({ a: 'x' }), null).sample(labelsText({ a: 'y' }), 0);
    expect(f.size).toBe(1);
    expect(f.toString()).toBe('# HELP m help\n# TYPE m gauge\nm{a="y"} 0\n');
  });

  it('escapes HELP text and writes the values JSON has no words for', () => {
    expect(new Family('m', 'a\\b\nc').sample(labelsText({}), Number.POSITIVE_INFINITY).sample(labelsText({ x: '1' }), Number.NaN).toString()).toBe('# HELP m a\\\\b\\nc\n# TYPE m gauge\nm +Inf\nm{x="1"} NaN\n');
  });
});

describe('the codes', () => {
  it('give worse RAG statuses higher codes, so "AMBER or worse" is one comparison in any scheme', () => {
    for (const status of RULE_STATUSES) {
      const worse = new Set(thisOrWorse(status));
      for (const other of RULE_STATUSES) expect(RAG_CODES[other] >= RAG_CODES[status], `${other} vs ${status}`).toBe(worse.has(other));
    }
  });

  it.each([['RAG', RAG_CODES], ['direction', DIRECTION_CODES], ['quality', QUALITY_CODES], ['check', CHECK_CODES]])('give each %s word its own number', (_what, codes) => {
    expect(new Set(Object.values(codes)).size).toBe(Object.keys(codes).length);
  });

  it('keep every status that is never rated below every rated one', () => {
    for (const unrated of ['NO_TARGET', 'MONITOR', 'MISSING', 'NOT_JUDGED'] as const) expect(RAG_CODES[unrated]).toBeLessThan(0);
  });
});

const calendar = new FinancialCalendar(4);
const service = serviceConfigSchema.parse({});
const indicator = (id: string, extra: Record<string, unknown>) =>
  indicatorSchema.parse({ id, title: `Indicator ${id}`, type: 'value', value: 'v', service: 'Finance', ...extra });

/** One indicator at March 2026, with `value` stored there judged as `judgement` says (nothing stored when both are absent). */
function stateWith(ind: ReturnType<typeof indicator>, value: number | null, judgement: { target: number | null; toleranceAmount: number | null; rag: RagStatus } | undefined): ServiceState {
  const period = calendar.parse('2026-03');
  const stored = value === null && !judgement ? undefined : {
    indicatorId: ind.id, periodId: period.id, value, dataQuality: 'warned' as const, recordedAt: '2026-04-02T06:00:00.000Z',
    target: judgement?.target ?? null, toleranceAmount: judgement?.toleranceAmount ?? null, rag: judgement?.rag ?? null, directionPrevious: 'worsening', directionLastYear: null,
  };
  // Computed again by a later run that found the same value: recorded once, computed twice.
  return { indicators: [{ indicator: ind, pipelineId: 'p', period, value: stored, computedAt: stored ? '2026-05-02T06:00:00.000Z' : null }], checks: [], unresolved: [], risks: [], pipelines: [], outbox: new Map() };
}

const configWith = (scheme: string) => ({ file: 'x', service: { ...service, rag: { ...service.rag, scheme } }, calendar, pipelines: [], yaml: new Map(), targetOrigins: new Map() }) as LoadedConfig;

function familiesOf(state: ServiceState, scheme = 'tolerance-5pc'): Map<string, number> {
  const text = stateFamilies(state, { config: configWith(scheme), register: undefined, scheduleIntervals: new Map() });
  return new Map(text.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('lineofsight_failed') && !l.startsWith('lineofsight_outbox')).map((l) => [l.slice(0, l.indexOf('{')), Number(l.slice(l.lastIndexOf(' ') + 1))]));
}

describe('the state of an indicator', () => {
  it.each([
    ['higher is better', 'higher_is_better', { floor: 95 }],
    ['lower is better', 'lower_is_better', { ceiling: 105 }],
    ['on target is best', 'on_target_is_best', { floor: 95, ceiling: 105 }],
    ['no polarity', 'none', {}],
  ])('%s: the tolerance bounds the scheme defines', (_what, polarity, bounds) => {
    const f = familiesOf(stateWith(indicator('X1', { polarity }), 97, { target: 100, toleranceAmount: 5, rag: 'AMBER' }));
    expect(f.get('lineofsight_indicator_tolerance_floor')).toBe((bounds as { floor?: number }).floor);
    expect(f.get('lineofsight_indicator_tolerance_ceiling')).toBe((bounds as { ceiling?: number }).ceiling);
  });

  it.each(['belfast', 'havering', 'kent-floor', 'barnet-4', 'lincoln-stretch'])('%s: no tolerance bounds, since its AMBER is not target -/+ tolerance', (scheme) => {
    const f = familiesOf(stateWith(indicator('S1', { polarity: 'on_target_is_best' }), 97, { target: 100, toleranceAmount: 5, rag: 'AMBER' }), scheme);
    expect(f.has('lineofsight_indicator_tolerance_floor')).toBe(false);
    expect(f.has('lineofsight_indicator_tolerance_ceiling')).toBe(false);
    expect(f.get('lineofsight_indicator_target')).toBe(100);
  });

  it.each([
    ['tolerance-5pc', 'higher_is_better', {}, 'floor', 'false'],
    ['tolerance-5pc', 'higher_is_better', { unit: '%' }, 'floor', 'true'],
    ['tolerance-5pc', 'lower_is_better', {}, 'ceiling', 'false'],
    ['tolerance-5pc', 'on_target_is_best', {}, 'both', 'false'],
    ['tolerance-5pc', 'none', {}, 'none', 'false'],
    ['tolerance-5pc', 'higher_is_better', { rag: 'monitor' }, 'none', 'false'],
    ['belfast', 'higher_is_better', {}, 'none', 'false'],
    ['kent-floor', 'lower_is_better', { unit: '%' }, 'none', 'true'],
  ])('%s, %s %j: tolerance_band="%s" and percentage="%s" on its info series, with nothing stored yet', (scheme, polarity, extra, band, percentage) => {
    const text = stateFamilies(stateWith(indicator('B1', { polarity, ...extra }), null, undefined), { config: configWith(scheme), register: undefined, scheduleIntervals: new Map() });
    expect(text).toMatch(new RegExp(`^lineofsight_indicator_info\\{indicator="B1",.*,percentage="${percentage}",tolerance_band="${band}"\\} 1$`, 'm'));
  });

  it('gives an indicator computed as a percentage as a ratio, whatever its unit says', () => {
    const f = familiesOf(stateWith(indicator('P2', { polarity: 'higher_is_better', type: 'percentage', numerator: 'a', denominator: 'b', value: undefined }), 88, { target: 90, toleranceAmount: 4.5, rag: 'AMBER' }));
    expect(f.get('lineofsight_indicator_value')).toBeCloseTo(0.88, 12);
    expect(f.get('lineofsight_indicator_tolerance_floor')).toBeCloseTo(0.855, 12);
  });

  it('gives a percentage, its target and its bounds as ratios 0-1, other units as they are', () => {
    const pct = familiesOf(stateWith(indicator('P1', { polarity: 'higher_is_better', unit: '%' }), 93.5, { target: 95, toleranceAmount: 4.75, rag: 'AMBER' }));
    expect(pct.get('lineofsight_indicator_value')).toBeCloseTo(0.935, 12);
    expect(pct.get('lineofsight_indicator_target')).toBeCloseTo(0.95, 12);
    expect(pct.get('lineofsight_indicator_tolerance_floor')).toBeCloseTo(0.9025, 12);
    const days = familiesOf(stateWith(indicator('D1', { polarity: 'lower_is_better', unit: 'days' }), 12, { target: 10, toleranceAmount: 0.5, rag: 'RED' }));
    expect(days.get('lineofsight_indicator_value')).toBe(12);
    expect(days.get('lineofsight_indicator_rag')).toBe(RAG_CODES.RED);
    expect(days.get('lineofsight_indicator_direction')).toBe(DIRECTION_CODES.worsening);
    expect(days.get('lineofsight_indicator_data_quality')).toBe(QUALITY_CODES.warned);
    expect(days.get('lineofsight_indicator_computed_timestamp_seconds')).toBe(Date.parse('2026-05-02T06:00:00Z') / 1000);
    // March 2026 ended at midnight London time, by then BST.
    expect(days.get('lineofsight_indicator_period_end_timestamp_seconds')).toBe(Date.parse('2026-04-01T00:00:00+01:00') / 1000);
  });

  it('gives an indicator with nothing stored its RAG (MISSING) and period, and no value, target or bounds', () => {
    const f = familiesOf(stateWith(indicator('M1', { polarity: 'higher_is_better' }), null, undefined));
    expect(f.get('lineofsight_indicator_rag')).toBe(RAG_CODES.MISSING);
    expect([...f.keys()].sort()).toEqual(['lineofsight_indicator_info', 'lineofsight_indicator_period_end_timestamp_seconds', 'lineofsight_indicator_rag']);
  });
});

describe('the state of the outbox', () => {
  it('counts the store\'s messages in every state, 0 where none', async () => {
    const store = new Store({ client: 'sqlite', filename: path.join(mkdtempSync(path.join(os.tmpdir(), 'los-outbox-')), 'store.sqlite') });
    try {
      await store.migrate();
      const at = new Date('2026-04-02T06:00:00Z');
      const message = (n: number) => ({ kind: 'digest' as const, to: { address: `p${n}@example.gov.uk`, name: 'P' }, from: 'lineofsight <l@example.gov.uk>', messageId: newMessageId('l@example.gov.uk'), subject: 's', html: 'h', text: 't' });
      await store.outbox.write([1, 2, 3, 4].map(message), at);
      const [first, second] = await store.outbox.claim('me', at, new Date(at.getTime() + 60_000), 2);
      await store.outbox.sent([first!.id], 'me', at);
      const state = await readState(store, configWith('tolerance-5pc'), undefined, '2026-04-02');
      const lines = stateFamilies(state, { config: configWith('tolerance-5pc'), register: undefined, scheduleIntervals: new Map() }).split('\n').filter((l) => l.startsWith('lineofsight_outbox'));
      expect(second).toBeDefined();
      expect(lines).toEqual(['lineofsight_outbox_messages{state="pending"} 2', 'lineofsight_outbox_messages{state="sending"} 1', 'lineofsight_outbox_messages{state="sent"} 1', 'lineofsight_outbox_messages{state="failed"} 0']);
    } finally {
      await store.close();
    }
  });
});

describe('the state of the checks', () => {
  it("shows each check of a pipeline, the built-in suspect-values one too, and not one since taken out", () => {
    const pipeline = {
      ...pipelineSchema.parse({ id: 'p', title: 'P', source: 'db', schedule: '0 6 * * *', frequency: 'monthly', query: 'SELECT 1 AS v', indicators: [{ id: 'P1', title: 'P', type: 'value', value: 'v', polarity: 'higher_is_better', service: 'S' }], checks: [{ id: 'present', type: 'not_null', table: 't', date_column: 'd', column: 'c' }] }),
      file: 'p.yaml',
    };
    const config = { file: 'x', service, calendar, pipelines: [pipeline], yaml: new Map(), targetOrigins: new Map() } as LoadedConfig;
    const check = (checkId: string, status: 'passed' | 'failed') => ({ checkId, pipelineId: 'p', periodId: '2026-03', status, failing: status === 'failed' ? 2 : 0 });
    const state: ServiceState = { indicators: [], checks: [check('present', 'failed'), check(SUSPECT_VALUES_CHECK, 'passed'), check('retired', 'failed')], unresolved: [], risks: [], pipelines: [], outbox: new Map() };
    const lines = stateFamilies(state, { config, register: undefined, scheduleIntervals: new Map() }).split('\n').filter((l) => l.startsWith('lineofsight_check_'));
    expect(lines).toEqual([
      'lineofsight_check_status{check="present",pipeline="p"} 2',
      `lineofsight_check_status{check="${SUSPECT_VALUES_CHECK}",pipeline="p"} 0`,
      'lineofsight_check_failing{check="present",pipeline="p"} 2',
      `lineofsight_check_failing{check="${SUSPECT_VALUES_CHECK}",pipeline="p"} 0`,
    ]);
  });
});

describe("a pipeline's schedule interval", () => {
  it.each([
    ['0 6 * * *', 'UTC', 24 * 3600],
    ['*/5 * * * *', 'UTC', 300],
    ['0 7 * * 1-5', 'UTC', 72 * 3600],
    ['0 6 1 * *', 'UTC', 31 * 24 * 3600],
    ['0 6 * * *', 'Europe/London', 25 * 3600],
  ])('%s in %s: the longest gap between runs', (schedule, timeZone, seconds) => {
    expect(scheduleInterval(schedule, timeZone)).toBe(seconds);
  });
});

describe('the bearer token', () => {
  it.each([
    ['Bearer s3cret', true],
    ['bearer s3cret', true],
    ['Bearer  s3cret ', true],
    ['Bearer s3cre', false],
    ['Bearer s3cretx', false],
    ['Basic s3cret', false],
    ['s3cret', false],
    ['Bearer', false],
    ['', false],
    [undefined, false],
  ])('%j is %s', (header, ok) => {
    expect(bearerMatches(header, 's3cret')).toBe(ok);
  });
});

describe('the config hash', () => {
  const files = (target: number) => ({
    'lineofsight.yaml': 'pipelines_dir: {{dir}}/pipelines\nstore: { client: sqlite, filename: "{{dir}}/store.sqlite" }\nsources:\n  db: { client: sqlite, connection: "{{dir}}/db.sqlite" }\n',
    'pipelines/p.yaml': `id: p\ntitle: P\nsource: db\nschedule: "0 6 * * *"\nfrequency: monthly\nquery: SELECT 1 AS v\nindicators:\n  - { id: P1, title: P, type: value, value: v, polarity: higher_is_better, service: S, targets: [{ from: 2025-26, value: ${target}, signed_off_by: Cabinet, signed_off_on: 2025-03-01, rationale: agreed }] }\n`,
  });

  it('is the same for the same files, and changes when a pipeline does', async () => {
    const a = workspace(files(90));
    const first = await loadService(a.config);
    const again = await loadService(a.config);
    expect(configHash(again.config, again.register)).toBe(configHash(first.config, first.register));
    writeFileSync(a.file('pipelines/p.yaml'), files(91)['pipelines/p.yaml']);
    const changed = await loadService(a.config);
    expect(configHash(changed.config, changed.register)).not.toBe(configHash(first.config, first.register));
  });

  it('is not changed by a secret from the environment, which it never sees', async () => {
    const ws = workspace({ ...files(90), 'lineofsight.yaml': `${files(90)['lineofsight.yaml']}email:\n  transport: smtp\n  smtp: { host: mail, password: "\${MAIL_PASSWORD}" }\n` });
    const one = await loadService(ws.config, { MAIL_PASSWORD: 'first' });
    const two = await loadService(ws.config, { MAIL_PASSWORD: 'second' });
    expect(configHash(one.config, one.register)).toBe(configHash(two.config, two.register));
  });
});

describe('the scraper', () => {
  it('builds the text afresh when the day rolls over, with nothing else changed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'los-scrape-'));
    const ws = workspace({
      'lineofsight.yaml': `pipelines_dir: {{dir}}/pipelines\nstore: { client: sqlite, filename: "${dir}/store.sqlite" }\nsources:\n  db: { client: sqlite, connection: "{{dir}}/db.sqlite" }\n`,
      'pipelines/p.yaml': 'id: p\ntitle: P\nsource: db\nschedule: "0 6 * * *"\nfrequency: monthly\nquery: SELECT 1 AS v\nindicators:\n  - { id: P1, title: P, type: value, value: v, polarity: higher_is_better, service: S }\n',
    });
    const service = await loadService(ws.config);
    await withService(service, async (open) => {
      let queries = 0;
      open.store.onQuery(() => queries++);
      let day = '2026-04-30';
      const { registry, storeUp } = processRegistry(service.config, service.register);
      const scraper = new Scraper({ store: open.store, config: service.config, register: undefined, scheduleIntervals: new Map(), today: () => day, logger: silentLogger }, registry, storeUp);
      const periodEnd = async () => /lineofsight_indicator_period_end_timestamp_seconds\{indicator="P1"\} (\d+)/.exec(Buffer.concat(await scraper.metrics()).toString())![1];
      const april = await periodEnd();
      const cold = queries;
      expect(await periodEnd()).toBe(april);
      expect(queries - cold).toBe(1);
      day = '2026-05-01';
      const warm = queries;
      const may = await periodEnd();
      expect(queries - warm).toBeGreaterThan(1);
      // As at 30 April the latest complete month is March, ended 1 April; on 1 May it is April.
      expect(Number(may) - Number(april)).toBe(30 * 24 * 3600);
    }, { logger: silentLogger });
  });
});
