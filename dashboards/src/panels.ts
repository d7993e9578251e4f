import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { PROMETHEUS } from './datasources.js';
import { SqlQueryBuilder } from './sqlQuery.js';

/**
 * A PromQL query of the Prometheus data source: `now`, the value at the dashboard's end, for what
 * stands now (a range query's last point could be a series since gone, a value since unknown),
 * as a table when its labels are columns; else a range query, for graphs.
 */
export function prom(expr: string, o: { refId?: string; legend?: string; now?: 'table' | 'series' } = {}): prometheus.DataqueryBuilder {
  const q = new prometheus.DataqueryBuilder().datasource(PROMETHEUS).refId(o.refId ?? 'A').expr(expr);
  if (o.legend) q.legendFormat(o.legend);
  if (o.now) q.instant().format(o.now === 'table' ? prometheus.PromQueryFormat.Table : prometheus.PromQueryFormat.TimeSeries);
  else q.range();
  return q;
}

/** What every panel must say: its title, and what it shows and which metric or view it reads. */
export interface Described {
  title: string;
  description: string;
  span: number;
  height: number;
}

/** Gives a panel its words and its place; the dashboard lays panels out left to right, row by row. */
export function place<P extends { title(t: string): P; description(d: string): P; span(w: number): P; height(h: number): P }>(panel: P, d: Described): P {
  return panel.title(d.title).description(d.description).span(d.span).height(d.height);
}

/** A variable listing the values of a label of a metric in Prometheus. */
export function labelVariable(name: string, label: string, query: string, o: { multi?: boolean; hidden?: boolean; regexAll?: boolean } = {}): dashboard.QueryVariableBuilder {
  const v = new dashboard.QueryVariableBuilder(name).label(label).datasource(PROMETHEUS).query(query).refresh(dashboard.VariableRefresh.OnTimeRangeChanged).sort(dashboard.VariableSort.AlphabeticalAsc);
  if (o.multi) {
    v.multi(true).includeAll(true);
    // In PromQL "All" as `.*` also matches an empty label (an indicator with no clinic); SQL
    // panels instead take All as the list of every value, quoted.
    if (o.regexAll) v.allValue('.*');
  }
  if (o.hidden) v.hide(dashboard.VariableHide.HideVariable);
  return v;
}

/** A table column's coded values shown as their words on their colours. */
export function inWords(mappings: dashboard.ValueMapping[]): dashboard.DynamicConfigValue[] {
  return [
    { id: 'mappings', value: mappings },
    { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorBackground } },
  ];
}

/**
 * Instant table queries joined into one row per `key`: each query's value column `Value #<refId>`
 * renamed to its heading, every other column but the labels named dropped.
 */
export function joinedColumns(key: string, labels: readonly string[], headings: Readonly<Record<string, string>>): dashboard.DataTransformerConfig[] {
  const values = Object.keys(headings).map((refId) => `Value #${refId}`);
  return [
    { id: 'joinByField', options: { byField: key, mode: 'outer' } },
    { id: 'filterFieldsByName', options: { include: { names: [key, ...labels, ...values] } } },
    {
      id: 'organize',
      options: {
        indexByName: Object.fromEntries([key, ...labels, ...values].map((name, i) => [name, i])),
        renameByName: Object.fromEntries(Object.entries(headings).map(([refId, heading]) => [`Value #${refId}`, heading])),
      },
    },
  ];
}

/** Grafana's default thresholds, which colour a value green unless a mapping colours it. */
export const NO_THRESHOLDS = new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([{ value: null, color: 'text' }]);

/**
 * Counts over time from the store, a bar per interval with its series stacked (they add up to a
 * whole), each series coloured as `colours` says where it names one.
 */
export function stackedCounts(d: Described, sql: string, colours: Readonly<Record<string, string>> = {}): timeseries.PanelBuilder {
  const panel = place(new timeseries.PanelBuilder(), d)
    .withTarget(new SqlQueryBuilder(sql, 'time_series'))
    .drawStyle(common.GraphDrawStyle.Bars)
    .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
    .fillOpacity(80)
    .decimals(0);
  return colouredBy(panel, colours);
}

/** Each series named a fixed colour: the same colour for an outcome or state on every panel. */
export function colouredBy<P extends { overrideByName(name: string, properties: { id: string; value: unknown }[]): P }>(panel: P, colours: Readonly<Record<string, string>>): P {
  for (const [series, colour] of Object.entries(colours)) panel.overrideByName(series, [{ id: 'color', value: { mode: 'fixed', fixedColor: colour } }]);
  return panel;
}
