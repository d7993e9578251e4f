import type { LocalDate } from '../calendar/localDate.js';
import { periodBindings } from '../calendar/bindings.js';
import type { FinancialCalendar, Period } from '../calendar/periods.js';
import type { LoadedConfig, LoadedPipeline } from '../config/load.js';
import type { Aggregation, IndicatorConfig, IndicatorInput } from '../config/schema.js';
import { computeIndicator, toNumber, type IndicatorInputs } from '../indicators/compute.js';
import type { Logger } from '../log.js';
import { combine, readCsv, type CsvReadResult } from '../sources/csv/index.js';
import type { SourceRegistry } from '../sources/registry.js';
import type { RecordedRun, Store, ValueRecord } from '../store/store.js';

export interface RunContext {
  config: LoadedConfig;
  store: Store;
  sources: SourceRegistry;
  logger: Logger;
  now?: () => Date;
}

/** The outcome of computing one pipeline for one period. */
export interface PeriodRun {
  pipelineId: string;
  period: Period;
  outcome: 'succeeded' | 'failed';
  error: string | null;
  runId: number;
  values: ValueRecord[];
  rowsRead: number;
  rowsRejected: number;
  change: RecordedRun | null;
}

interface Window {
  start: LocalDate;
  end: LocalDate;
}

const INPUT_KEYS = ['value', 'numerator', 'denominator'] as const;

/** The interval an indicator is computed over: its period, or the year to date. */
function windowOf(calendar: FinancialCalendar, indicator: IndicatorConfig, period: Period): Window {
  return indicator.accumulation === 'year_to_date' ? calendar.yearToDate(period) : { start: period.start, end: period.end };
}

/** What one period's computation yields before it is stored. */
interface Computed {
  values: ValueRecord[];
  rowsRead: number;
  rowsRejected: number;
}

/**
 * Computes a pipeline for each period and records every period as a run. A period whose source
 * fails is recorded as a failed run and leaves stored values untouched; it does not stop the
 * other periods, and a failing pipeline never throws to its caller.
 */
export async function runPipeline(ctx: RunContext, pipeline: LoadedPipeline, periods: Period[]): Promise<PeriodRun[]> {
  const now = ctx.now ?? (() => new Date());
  const log = ctx.logger.child({ pipeline: pipeline.id });
  const source = ctx.config.service.sources[pipeline.source];
  const out: PeriodRun[] = [];

  let perPeriod: (period: Period) => Promise<Computed>;
  if (source?.client === 'csv') {
    const startedAt = now();
    let read: CsvReadResult | undefined;
    let csvError: string | undefined;
    const aggregates = csvAggregates(pipeline);
    try {
      read = await readCsv({
        directory: source.directory,
        spec: pipeline.csv!,
        aggregates: aggregates.list,
        calendar: ctx.config.calendar,
        logger: log,
      });
    } catch (err) {
      csvError = (err as Error).message;
    }
    perPeriod = async (period) => {
      if (!read) throw new Error(csvError);
      return computeFromCsv(ctx.config.calendar, pipeline, period, read, aggregates);
    };
    log.debug({ ms: now().getTime() - startedAt.getTime() }, 'csv pass finished');
  } else {
    const db = ctx.sources.sql(pipeline.source);
    perPeriod = async (period) => {
      const windows = new Map<string, Window>();
      for (const indicator of pipeline.indicators) {
        const w = windowOf(ctx.config.calendar, indicator, period);
        windows.set(`${w.start}/${w.end}`, w);
      }
      const rows = new Map<string, Record<string, unknown>>();
      for (const [key, w] of windows) {
        rows.set(key, await db.aggregate(pipeline.query!, periodBindings(ctx.config.calendar, period, w)));
      }
      const values = pipeline.indicators.map((indicator) => {
        const w = windowOf(ctx.config.calendar, indicator, period);
        return valueFromRow(indicator, rows.get(`${w.start}/${w.end}`)!);
      });
      return { values, rowsRead: rows.size, rowsRejected: 0 };
    };
  }

  for (const period of periods) {
    const startedAt = now();
    const base = { pipelineId: pipeline.id, periodId: period.id, periodStart: period.start, periodEnd: period.end, startedAt };
    try {
      const computed = await perPeriod(period);
      const finishedAt = now();
      const change = await ctx.store.recordRun(
        { ...base, finishedAt, outcome: 'succeeded', error: null, rowsRead: computed.rowsRead, rowsRejected: computed.rowsRejected },
        computed.values,
      );
      log.info({ period: period.id, run: change.runId, added: change.added, revised: change.revised }, 'run succeeded');
      out.push({ ...computed, pipelineId: pipeline.id, period, outcome: 'succeeded', error: null, runId: change.runId, change });
    } catch (err) {
      const error = (err as Error).message;
      const runId = await ctx.store.recordFailedRun({ ...base, finishedAt: now(), outcome: 'failed', error, rowsRead: 0, rowsRejected: 0 });
      log.error({ period: period.id, run: runId, err: error }, 'run failed');
      out.push({ pipelineId: pipeline.id, period, outcome: 'failed', error, runId, values: [], rowsRead: 0, rowsRejected: 0, change: null });
    }
  }
  return out;
}

function valueFromRow(indicator: IndicatorConfig, row: Record<string, unknown>): ValueRecord {
  const inputs: IndicatorInputs = {};
  for (const key of INPUT_KEYS) {
    const input = indicator[key];
    if (input === undefined) continue;
    if (typeof input === 'number') {
      inputs[key] = input;
      continue;
    }
    const column = input as string;
    const found = column in row ? column : Object.keys(row).find((k) => k.toLowerCase() === column.toLowerCase());
    if (found === undefined) {
      throw new Error(`indicator ${indicator.id}: the query returned no column "${column}" (it returned: ${Object.keys(row).join(', ')})`);
    }
    inputs[key] = toNumber(row[found], `indicator ${indicator.id}: column "${column}"`);
  }
  return { indicatorId: indicator.id, ...computeIndicator(indicator, inputs) };
}

interface CsvAggregates {
  list: Aggregation[];
  /** For each indicator and input key, the index of its aggregate in `list`. */
  index: Map<IndicatorInput, number>;
  /** Index of a plain row count, for run row counts. */
  rows: number;
}

/** Every distinct aggregate the pipeline's indicators need, so one pass over the files serves all. */
function csvAggregates(pipeline: LoadedPipeline): CsvAggregates {
  const list: Aggregation[] = [];
  const byKey = new Map<string, number>();
  const add = (a: Aggregation): number => {
    const key = JSON.stringify(a);
    let i = byKey.get(key);
    if (i === undefined) {
      i = list.push(a) - 1;
      byKey.set(key, i);
    }
    return i;
  };
  const rows = add({ fn: 'count', where: [] });
  const index = new Map<IndicatorInput, number>();
  for (const indicator of pipeline.indicators) {
    for (const key of INPUT_KEYS) {
      const input = indicator[key];
      if (input !== undefined && typeof input === 'object') index.set(input, add(input));
    }
  }
  return { list, index, rows };
}

function monthsOf(calendar: FinancialCalendar, w: Window): string[] {
  const ids: string[] = [];
  for (let m = calendar.containing(w.start, 'month'); m.start < w.end; m = calendar.next(m)) ids.push(m.id);
  return ids;
}

function computeFromCsv(calendar: FinancialCalendar, pipeline: LoadedPipeline, period: Period, read: CsvReadResult, aggregates: CsvAggregates): Computed {
  const periodMonths = monthsOf(calendar, period);
  const rowsRead = combine(read, periodMonths, aggregates.rows) ?? 0;
  const values = pipeline.indicators.map((indicator): ValueRecord => {
    const months = monthsOf(calendar, windowOf(calendar, indicator, period));
    if (!months.some((m) => read.months.has(m))) {
      return { indicatorId: indicator.id, value: null, numerator: null, denominator: null, reason: `no rows in the CSV files for ${period.id}` };
    }
    const inputs: IndicatorInputs = {};
    for (const key of INPUT_KEYS) {
      const input = indicator[key];
      if (input === undefined) continue;
      inputs[key] = typeof input === 'number' ? input : combine(read, months, aggregates.index.get(input)!);
    }
    return { indicatorId: indicator.id, ...computeIndicator(indicator, inputs) };
  });
  return { values, rowsRead, rowsRejected: read.rows.malformed };
}
