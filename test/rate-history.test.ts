import { describe, expect, it } from 'vitest';
import { FinancialCalendar } from '../src/calendar/periods.js';
import type { LoadedConfig } from '../src/config/load.js';
import { pipelineSchema, serviceConfigSchema } from '../src/config/schema.js';
import { rateHistory, type RatedValue, type SeriesPoint } from '../src/judging/rateHistory.js';
import { judgeOne } from '../src/judging/values.js';

const calendar = new FinancialCalendar(4);
const signed = { signed_off_by: 'Cabinet', signed_off_on: '2023-03-01', rationale: 'Top quartile' };
const indicator = (id: string, fields: Record<string, unknown>) => ({ id, title: id, type: 'value', value: 'v', owner: 'Sam', service: 'Housing', ...fields });

function configOf(frequency: string, indicators: Record<string, unknown>[]): LoadedConfig {
  const service = serviceConfigSchema.parse({ store: { client: 'sqlite', filename: 'unused.sqlite' }, sources: { db: { client: 'sqlite', connection: 'unused' } } });
  const pipeline = pipelineSchema.parse({ id: 'p', title: 'p', source: 'db', schedule: '0 6 * * *', frequency, query: 'SELECT 1 AS v', indicators });
  return { file: 'test', service, calendar, pipelines: [{ ...pipeline, file: 'p.yaml' }], yaml: new Map(), targetOrigins: new Map() };
}

const month = (offset: number) => calendar.range(calendar.parse('2023-04'), calendar.parse('2026-03'), 'month')[offset]!.id;
const statuses = (list: RatedValue[] | undefined) => list?.map((v) => `${v.periodId} ${v.status} ${v.direction ?? '-'}`);

describe('rating a whole stored history', () => {
  // One indicator per scheme and polarity the engine distinguishes, over three years of months.
  const config = configOf('monthly', [
    indicator('HIGH', { polarity: 'higher_is_better', targets: [{ from: '2023-24', value: 90, ...signed }] }),
    indicator('LOW', { polarity: 'lower_is_better', tolerance: { absolute: 3, reason: 'agreed' }, targets: [{ from: '2023-24', value: 90, ...signed }, { period: '2024-25', value: 85, ...signed }] }),
    indicator('ON', { polarity: 'on_target_is_best', tolerance: { amber_threshold: 95, green_band: 1, reason: 'agreed' }, targets: [{ from: '2024-25', value: 90, ...signed }] }),
    indicator('HAV', { polarity: 'higher_is_better', rag: 'havering', targets: [{ from: '2023-24', value: 90, ...signed }] }),
    indicator('KENT', { polarity: 'higher_is_better', rag: 'kent-floor', targets: [{ from: '2023-24', value: 90, floor: 85, ...signed }] }),
    indicator('LINC', { polarity: 'higher_is_better', rag: 'lincoln-stretch', targets: [{ from: '2023-24', value: 88, stretch: 94, range: [88, 92], ...signed }] }),
    indicator('CTX', { polarity: 'higher_is_better', rag: 'monitor' }),
    indicator('NONE', { polarity: 'none' }),
  ]);
  const ids = config.pipelines[0]!.indicators.map((i) => i.id);
  // Values wander over every band; every fifth is null, every seventh period is never stored.
  const stored: SeriesPoint[] = ids.flatMap((id, n) =>
    Array.from({ length: 36 }, (_, k) => ({ indicatorId: id, periodId: month(k), value: (k + n) % 5 === 0 ? null : 80 + ((k * 7 + n * 3) % 17) })).filter((_, k) => (k + n) % 7 !== 3),
  );
  const shuffled = stored.map((v, i) => ({ v, key: (i * 7919) % stored.length })).sort((a, b) => a.key - b.key).map((x) => x.v);

  it('gives every stored value the status and direction the per-value judgement gives, oldest first', () => {
    const rated = rateHistory(config, shuffled);
    for (const ind of config.pipelines[0]!.indicators) {
      const valueIn = (periodId: string) => stored.find((v) => v.indicatorId === ind.id && v.periodId === periodId)?.value ?? null;
      const expected = stored
        .filter((v) => v.indicatorId === ind.id)
        .map((v) => {
          const period = calendar.parse(v.periodId);
          const j = judgeOne(config, ind, period, v.value, valueIn(calendar.previous(period).id), valueIn(calendar.sameLastYear(period).id));
          return { periodId: v.periodId, status: j.rag, value: v.value, direction: j.directionPrevious };
        });
      expect(rated.get(ind.id), ind.id).toEqual(expected);
    }
  });

  it('covers every status the schemes give, so the comparison above means something', () => {
    const seen = new Set([...rateHistory(config, stored).values()].flat().map((v) => v.status));
    expect([...seen].sort()).toEqual(['AMBER', 'BLUE', 'GREEN', 'MISSING', 'MONITOR', 'NO_TARGET', 'RED']);
  });
});

describe('a stored history with gaps, replaced ids and strangers', () => {
  const config = configOf('monthly', [indicator('HR01', { polarity: 'higher_is_better', replaces: ['OLD1'], targets: [{ from: '2024-25', value: 90, ...signed }] })]);
  const at = (periodId: string, value: number | null, indicatorId = 'HR01'): SeriesPoint => ({ indicatorId, periodId, value });

  it.each([
    ['a null value is MISSING and has no direction', [at('2025-01', 95), at('2025-02', null), at('2025-03', 80)], ['2025-01 GREEN -', '2025-02 MISSING -', '2025-03 RED -']],
    ['a period never stored is no entry, and the next has nothing to compare', [at('2025-01', 95), at('2025-03', 80)], ['2025-01 GREEN -', '2025-03 RED -']],
    ['direction runs across the financial-year boundary', [at('2025-03', 80), at('2025-04', 88)], ['2025-03 RED -', '2025-04 AMBER improving']],
    ['no target before the first is in force', [at('2024-03', 80), at('2024-04', 80)], ['2024-03 NO_TARGET -', '2024-04 RED no change']],
    ["a replaced id's values continue its successor's history", [at('2025-01', 95, 'OLD1'), at('2025-02', 86)], ['2025-01 GREEN -', '2025-02 AMBER worsening']],
    ["the successor's own value stands where both hold one, whichever comes first", [at('2025-01', 95), at('2025-01', 10, 'OLD1'), at('2025-02', 20, 'OLD1'), at('2025-02', 96)], ['2025-01 GREEN -', '2025-02 GREEN improving']],
    ['values of ids no pipeline defines are left out', [at('2025-01', 95), at('2025-01', 10, 'GONE')], ['2025-01 GREEN -']],
  ])('%s', (_, series, expected) => {
    expect(statuses(rateHistory(config, series).get('HR01'))).toEqual(expected);
    expect([...rateHistory(config, series).keys()]).toEqual(['HR01']);
  });

  it('gives a year-to-date value no direction against the previous period where its year restarts', () => {
    const ytd = configOf('quarterly', [indicator('YTD', { polarity: 'higher_is_better', accumulation: 'year_to_date', targets: [{ from: '2023-24', value: 90, ...signed }] })]);
    const series = [['2023-24-Q4', 95], ['2024-25-Q1', 80], ['2024-25-Q2', 85], ['2024-25-Q4', 90], ['2025-26-Q1', 70]].map(([periodId, value]) => at(periodId as string, value as number, 'YTD'));
    expect(statuses(rateHistory(ytd, series).get('YTD'))).toEqual(['2023-24-Q4 GREEN -', '2024-25-Q1 RED -', '2024-25-Q2 RED improving', '2024-25-Q4 GREEN -', '2025-26-Q1 RED -']);
  });

  it('orders quarters across years as their periods run', () => {
    const quarterly = configOf('quarterly', [indicator('Q1', { polarity: 'lower_is_better', tolerance: { absolute: 2, reason: 'agreed' }, targets: [{ from: '2023-24', value: 10, ...signed }] })]);
    const series = ['2025-26-Q1', '2024-25-Q4', '2024-25-Q1', '2024-25-Q3'].map((periodId, i) => at(periodId, 10 + i, 'Q1'));
    expect(statuses(rateHistory(quarterly, series).get('Q1'))).toEqual(['2024-25-Q1 AMBER -', '2024-25-Q3 RED -', '2024-25-Q4 AMBER improving', '2025-26-Q1 GREEN improving']);
  });
});

describe('an indicator marked as never rated', () => {
  it.each(['monitor', 'contextual', 'data-only'])('rag: %s is MONITOR, with a direction of travel all the same', (mark) => {
    const config = configOf('monthly', [indicator('CTX', { polarity: 'higher_is_better', rag: mark, targets: [{ from: '2023-24', value: 90, ...signed }] })]);
    const series = [{ indicatorId: 'CTX', periodId: '2025-01', value: 80 }, { indicatorId: 'CTX', periodId: '2025-02', value: 95 }];
    expect(statuses(rateHistory(config, series).get('CTX'))).toEqual(['2025-01 MONITOR -', '2025-02 MONITOR improving']);
  });
});
