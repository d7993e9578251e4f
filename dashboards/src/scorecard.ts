import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { DIRECTION_WORDS, QUALITY_WORDS, RAG_WORDS, ragSeriesOverrides } from './codes.js';
import { serviceDashboard } from './layout.js';
import { inWords, joinedColumns, labelVariable, NO_THRESHOLDS, place, prom } from './panels.js';
import { indicatorInfo, shownInUnit, stateOf } from './promql.js';

const CHOSEN = '{service=~"$service", clinic=~"$clinic", priority=~"$priority"}';
const chosen = indicatorInfo(CHOSEN);
const rag = stateOf('lineofsight_indicator_rag', ['indicator']);

/** Each RAG status's count of the chosen indicators, by one of their labels, as a stacked bar per value of it. */
function ragBy(label: 'priority' | 'perspective', span: number): barchart.PanelBuilder {
  const panel = place(new barchart.PanelBuilder(), {
    title: `RAG status by ${label}`,
    description:
      `How many of the chosen indicators stand at each RAG status now, by their ${label}. ` +
      `Reads lineofsight_indicator_rag (the code of the latest value's status) joined to lineofsight_indicator_info for the ${label}.`,
    span,
    height: 9,
  })
    // Prometheus drops an empty label, so indicators with no ${label} would form a row with no name.
    .withTarget(prom(`count_values by (${label}) ("rag", label_replace(${rag} * on (indicator) group_left (${label}) ${chosen}, "${label}", "(none)", "${label}", ""))`, { now: 'table' }))
    // One row per value of the label, one column per status code; codes with no indicator count 0.
    .withTransformation({ id: 'groupingToMatrix', options: { columnField: 'rag', rowField: label, valueField: 'Value', emptyValue: 'zero' } })
    .xField(`${label}\\rag`)
    .stacking(common.StackingMode.Normal)
    .orientation(common.VizOrientation.Horizontal)
    .showValue(common.VisibilityMode.Auto)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .decimals(0);
  for (const o of ragSeriesOverrides()) panel.overrideByName(o.name, o.properties);
  return panel;
}

export function scorecardDashboard() {
  return serviceDashboard({
    uid: 'lineofsight-scorecard',
    title: 'lineofsight: corporate scorecard',
    description: 'Every indicator as at the latest complete month: RAG, target, direction of travel and data quality. For the performance team and the corporate leadership team.',
    from: 'now-24h',
  })
    .withVariable(labelVariable('service', 'Service', 'label_values(lineofsight_indicator_info, service)', { multi: true, regexAll: true }))
    .withVariable(labelVariable('clinic', 'Improvement clinic', 'label_values(lineofsight_indicator_info, clinic)', { multi: true, regexAll: true }))
    .withVariable(labelVariable('priority', 'Corporate priority', 'label_values(lineofsight_indicator_info, priority)', { multi: true, regexAll: true }))
    .withPanel(
      (() => {
        const panel = place(new stat.PanelBuilder(), {
          title: 'Indicators at each RAG status',
          description: 'The chosen indicators counted by the RAG status of their latest value (never rated: no target, monitor only, missing). Reads lineofsight_indicator_rag and lineofsight_indicator_info.',
          span: 24,
          height: 4,
        })
          .withTarget(prom(`count_values ("rag", ${rag} and on (indicator) ${chosen})`, { legend: '{{rag}}', now: 'series' }))
          .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
          .colorMode(common.BigValueColorMode.Background)
          .graphMode(common.BigValueGraphMode.None)
          .textMode(common.BigValueTextMode.ValueAndName)
          .decimals(0);
        for (const o of ragSeriesOverrides()) panel.overrideByName(o.name, o.properties);
        return panel;
      })(),
    )
    .withPanel(ragBy('priority', 12))
    .withPanel(ragBy('perspective', 12))
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Indicators',
        description:
          'Each chosen indicator\'s latest value and the target it was judged against (percentages in per cent), its RAG status, direction of travel against the previous period and the same period last year, and its data quality. ' +
          'Reads lineofsight_indicator_value, lineofsight_indicator_target, lineofsight_indicator_rag, lineofsight_indicator_direction, lineofsight_indicator_direction_last_year and lineofsight_indicator_data_quality, joined to lineofsight_indicator_info.',
        span: 24,
        height: 16,
      })
        .withTarget(prom(`${shownInUnit('lineofsight_indicator_value')} * on (indicator) group_left (title, unit, service, clinic, priority, perspective) ${chosen}`, { refId: 'A', now: 'table' }))
        .withTarget(prom(`(${shownInUnit('lineofsight_indicator_target')}) and on (indicator) ${chosen}`, { refId: 'B', now: 'table' }))
        .withTarget(prom(`${rag} and on (indicator) ${chosen}`, { refId: 'C', now: 'table' }))
        .withTarget(prom(`${stateOf('lineofsight_indicator_direction', ['indicator'])} and on (indicator) ${chosen}`, { refId: 'D', now: 'table' }))
        .withTarget(prom(`${stateOf('lineofsight_indicator_direction_last_year', ['indicator'])} and on (indicator) ${chosen}`, { refId: 'E', now: 'table' }))
        .withTarget(prom(`${stateOf('lineofsight_indicator_data_quality', ['indicator'])} and on (indicator) ${chosen}`, { refId: 'F', now: 'table' }))
        .transformations(
          joinedColumns('indicator', ['title', 'unit', 'service', 'clinic', 'priority', 'perspective'], {
            A: 'Value',
            B: 'Target',
            C: 'RAG',
            D: 'Direction',
            E: 'On last year',
            F: 'Data quality',
          }),
        )
        .thresholds(NO_THRESHOLDS)
        .overrideByName('RAG', inWords(RAG_WORDS))
        .overrideByName('Direction', inWords(DIRECTION_WORDS))
        .overrideByName('On last year', inWords(DIRECTION_WORDS))
        .overrideByName('Data quality', inWords(QUALITY_WORDS))
        .sortBy([new common.TableSortByFieldStateBuilder().displayName('RAG').desc(true)])
        .filterable(true),
    );
}
