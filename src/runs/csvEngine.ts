import { periodBindings } from '../calendar/bindings.js';
import type { FinancialCalendar, Period } from '../calendar/periods.js';
import type { LoadedPipeline } from '../config/load.js';
import type { Aggregation, CheckTotal, CsvSourceConfig, IndicatorInput } from '../config/schema.js';
import { computeIndicator, toNumber, type ComputedValue, type IndicatorInputs } from '../indicators/compute.js';
import { INPUT_KEYS, windowOf, type Window } from '../indicators/window.js';
import { CsvChecks } from '../quality/csv/index.js';
import { checkMalformedLimit, combine, MalformedRowsError, readCsv, type CsvReadResult, type PeriodMalformed } from '../sources/csv/index.js';
import type { RunContext } from './context.js';
import type { Engine } from './engine.js';

/** Every distinct aggregate the pipeline needs, so one pass over the files serves all of them. */
class Aggregates {
  readonly list: Aggregation[] = [];
  private readonly byKey = new Map<string, number>();

  add(a: Aggregation): number {
    const key = JSON.stringify(a);
    let i = this.byKey.get(key);
    if (i === undefined) {
      i = this.list.push(a) - 1;
      this.byKey.set(key, i);
    }
    return i;
  }
}

function monthsOf(calendar: FinancialCalendar, w: Window): string[] {
  const ids: string[] = [];
  for (let m = calendar.containing(w.start, 'month'); m.start < w.end; m = calendar.next(m)) ids.push(m.id);
  return ids;
}

/**
 * A CSV pipeline: its files are read once, whatever the number of periods, and the same pass
 * computes every aggregate and observes every row-level check.
 */
export async function csvEngine(ctx: RunContext, pipeline: LoadedPipeline, source: CsvSourceConfig): Promise<Engine> {
  const calendar = ctx.config.calendar;
  const aggregates = new Aggregates();
  const rowsIndex = aggregates.add({ fn: 'count', where: [] });
  const inputIndex = new Map<IndicatorInput | CheckTotal, number>();
  for (const indicator of pipeline.indicators) {
    for (const key of INPUT_KEYS) {
      const input = indicator[key];
      if (input !== undefined && typeof input === 'object') inputIndex.set(input, aggregates.add(input));
    }
  }
  for (const check of pipeline.checks) {
    if (check.type !== 'reconciliation') continue;
    for (const total of [check.left, check.right]) if (total.aggregate) inputIndex.set(total, aggregates.add(total.aggregate));
  }
  const checks = new CsvChecks(pipeline.checks, pipeline.csv!, calendar);

  let read: CsvReadResult | undefined;
  let failure: string | undefined;
  try {
    read = await readCsv({
      directory: source.directory,
      spec: pipeline.csv!,
      aggregates: aggregates.list,
      observers: [checks.observer],
      calendar,
      // Already names the pipeline.
      logger: ctx.logger,
      timeZone: ctx.config.service.timezone,
    });
  } catch (err) {
    failure = (err as Error).message;
  }
  const result = (): CsvReadResult => {
    if (!read) throw new Error(failure);
    return read;
  };

  const total = async (t: CheckTotal, period: Period, months: string[]): Promise<number | null> => {
    if (t.aggregate) return combine(result(), months, inputIndex.get(t)!);
    if (!t.source || !t.query) throw new Error('a reconciliation total on a CSV pipeline names an aggregate, or a database source and a query');
    const row = await ctx.sources.sql(t.source).aggregate(t.query, periodBindings(calendar, period, period));
    return toNumber(Object.values(row)[0], `total from source ${t.source}`);
  };

  return {
    newestRecord: async () => {
      const r = result();
      // Rows that came with no date to read are data that arrived broken, not data still to come.
      if (r.newest === undefined && r.rows.malformed > 0) {
        const first = r.malformed[0];
        throw new MalformedRowsError(
          `the files hold ${r.rows.malformed} malformed row${r.rows.malformed === 1 ? '' : 's'} and no readable ${pipeline.csv!.date}, so it cannot be told whether any period's data has arrived${first ? `; the first, ${first.file} line ${first.line}: ${first.message}` : ''}`,
          0,
          r.rows.malformed,
        );
      }
      return r.newest;
    },
    async compute(period) {
      const r = result();
      const periodMonths = monthsOf(calendar, period);
      const rowsRead = combine(r, periodMonths, rowsIndex) ?? 0;
      // Rows left out of any month the period's values read (the year to date, for such an
      // indicator) are weighed against the data rows of those months.
      const windows = pipeline.indicators.map((indicator) => monthsOf(calendar, windowOf(calendar, indicator, period)));
      const valueMonths = [...new Set(windows.flat())];
      const malformed = r.malformedRows.inMonths(valueMonths);
      checkMalformedLimit(pipeline.csv!.max_malformed, period.id, combine(r, valueMonths, rowsIndex) ?? 0, malformed, rowsRead);
      // Months the files do not hold are no evidence that values changed: before the files' first
      // month (an export archived out of the folder), or any month without rows in a published
      // archive. Nothing is stored for such a period, so earlier values stand. In a live export,
      // once its data has arrived (runs/arrival.ts), a month without rows is a real 0.
      const held = (months: readonly string[]) => (pipeline.historical ? months.some((m) => r.months.has(m)) : !beforeFiles(r, months));
      const noRows = !held(periodMonths);
      const values = pipeline.indicators.map((indicator, i): ComputedValue => {
        const months = windows[i]!;
        if (!held(months)) return { indicatorId: indicator.id, value: null, numerator: null, denominator: null, reason: `no rows in the CSV files for ${period.id}` };
        const inputs: IndicatorInputs = {};
        for (const key of INPUT_KEYS) {
          const input = indicator[key];
          if (input === undefined) continue;
          inputs[key] = typeof input === 'number' ? input : combine(r, months, inputIndex.get(input)!);
        }
        return { indicatorId: indicator.id, ...computeIndicator(indicator, inputs) };
      });
      const warnings = [
        ...(malformed.count ? [malformedWarning(period.id, malformed)] : []),
        ...r.unread.map((u) => `left out ${u.file}, which could not be read: ${u.message}`),
      ];
      return { values, rowsRead, rowsRejected: malformed.count, noRows, warnings };
    },
    async measure(check, period, clock) {
      result();
      const months = monthsOf(calendar, period);
      return checks.outcome(check, months, monthsOf(calendar, calendar.sameLastYear(period)), {
        ...clock,
        total: (side) => total(side, period, months),
        sourceFor: (name) => ctx.sources.sql(name),
        newestRecord: () => result().newest,
      });
    },
  };
}

function malformedWarning(periodId: string, malformed: PeriodMalformed): string {
  const first = malformed.first;
  return `${malformed.count} malformed row${malformed.count === 1 ? '' : 's'} left out of ${periodId}${first ? `, the first ${first.file} line ${first.line}: ${first.message}` : ''}`;
}

/** Whether the months (ids, in order) all come before the files' first month. */
function beforeFiles(r: CsvReadResult, months: readonly string[]): boolean {
  const first = r.months.keys().next();
  return first.done || months[months.length - 1]! < first.value;
}
