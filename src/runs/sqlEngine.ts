import { periodBindings } from '../calendar/bindings.js';
import type { LoadedPipeline } from '../config/load.js';
import type { IndicatorConfig } from '../config/schema.js';
import { computeIndicator, toNumber, type ComputedValue, type IndicatorInputs } from '../indicators/compute.js';
import { INPUT_KEYS, windowOf, type Window } from '../indicators/window.js';
import { runSqlCheck } from '../quality/sql/index.js';
import type { RunContext } from './context.js';
import type { Engine } from './engine.js';

/** A database pipeline: one aggregate query per window; checks run inside the database. */
export function sqlEngine(ctx: RunContext, pipeline: LoadedPipeline): Engine {
  const calendar = ctx.config.calendar;
  const db = ctx.sources.sql(pipeline.source);
  const arrival = pipeline.arrival?.newest;
  let newest: Promise<unknown> | undefined;
  const newestRecord = () => (newest ??= arrival === undefined ? Promise.resolve(undefined) : db.newestRecord(arrival));
  return {
    newestRecord,
    async compute(period) {
      const windows = new Map<string, Window>();
      for (const indicator of pipeline.indicators) {
        const w = windowOf(calendar, indicator, period);
        windows.set(`${w.start}/${w.end}`, w);
      }
      const rows = new Map<string, Record<string, unknown>>();
      for (const [key, w] of windows) rows.set(key, await db.aggregate(pipeline.query!, periodBindings(calendar, period, w)));
      const values = pipeline.indicators.map((indicator) => {
        const w = windowOf(calendar, indicator, period);
        return valueFromRow(indicator, rows.get(`${w.start}/${w.end}`)!);
      });
      return { values, rowsRead: rows.size, rowsRejected: 0 };
    },
    measure(check, period, clock) {
      const lastYear = calendar.sameLastYear(period);
      return runSqlCheck(check, {
        source: db,
        sourceFor: (name) => ctx.sources.sql(name),
        bindings: periodBindings(calendar, period, period),
        lastYear: periodBindings(calendar, lastYear, lastYear),
        newestRecord,
        ...clock,
      });
    },
  };
}

function valueFromRow(indicator: IndicatorConfig, row: Record<string, unknown>): ComputedValue {
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
  try {
    return { indicatorId: indicator.id, ...computeIndicator(indicator, inputs) };
  } catch (err) {
    const columns = INPUT_KEYS.flatMap((key) => (typeof indicator[key] === 'string' ? [`${key} "${indicator[key]}"`] : []));
    throw new Error(`indicator ${indicator.id} (${columns.join(', ')}): ${(err as Error).message}`);
  }
}
