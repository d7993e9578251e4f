import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { ABOVE_WORDS, CHECK_WORDS, DIRECTION_WORDS, QUALITY_WORDS, RAG_WORDS } from './codes.js';
import { serviceDashboard } from './layout.js';
import { inWords, joinedColumns, labelVariable, NO_THRESHOLDS, place, prom } from './panels.js';
import { shownInUnit, stateOf } from './promql.js';
import { SqlQueryBuilder } from './sqlQuery.js';

const ONE = '{indicator="$indicator"}';

/** One number of the indicator now, as a stat: five of them across the top. */
function now(span: number, title: string, description: string, expr: string, mappings?: dashboard.ValueMapping[]): stat.PanelBuilder {
  const panel = place(new stat.PanelBuilder(), { title, description, span, height: 4 })
    .withTarget(prom(expr, { now: 'series' }))
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.Value)
    .thresholds(NO_THRESHOLDS);
  if (mappings) panel.mappings(mappings).colorMode(common.BigValueColorMode.Background);
  else panel.colorMode(common.BigValueColorMode.None);
  return panel;
}

/**
 * The current revision of each period's value with what it was judged against. The AMBER band
 * is drawn only where the indicator's scheme bands by its tolerance (lineofsight_indicator_info's
 * tolerance_band label, as the metrics give it); the store keeps the tolerance for every scheme.
 */
const HISTORY = [
  'SELECT CAST(period_start AS timestamp) AS "time",',
  '  value AS "Value",',
  '  target AS "Target",',
  '  CASE WHEN ${tolerance_band:sqlstring} IN (\'floor\', \'both\') THEN target - tolerance_amount END AS "AMBER from",',
  '  CASE WHEN ${tolerance_band:sqlstring} IN (\'ceiling\', \'both\') THEN target + tolerance_amount END AS "AMBER to"',
  'FROM indicator_values',
  'WHERE indicator_id = ${indicator:sqlstring} AND superseded_at IS NULL AND $__timeFilter(period_start)',
  'ORDER BY 1',
].join('\n');

const JUDGEMENTS = [
  'SELECT period_id AS "Period", value AS "Value", target AS "Target", tolerance_amount AS "Tolerance", rag AS "RAG",',
  '  direction_previous AS "Direction", direction_last_year AS "On last year", data_quality AS "Data quality",',
  '  revision AS "Revision", recorded_at AS "Recorded", rag_explanation AS "Explanation"',
  'FROM indicator_values',
  'WHERE indicator_id = ${indicator:sqlstring} AND superseded_at IS NULL AND $__timeFilter(period_start)',
  'ORDER BY period_start DESC',
].join('\n');

export function indicatorDashboard() {
  return serviceDashboard({
    uid: 'lineofsight-indicator',
    title: 'lineofsight: indicator detail',
    description: 'One indicator: its history against target, the tolerance band, each period\'s judgement, its pipeline\'s data-quality checks and the risks that name it. For the indicator\'s owner and the improvement clinic.',
    from: 'now-3y',
  })
    .withVariable(labelVariable('indicator', 'Indicator', 'label_values(lineofsight_indicator_info, indicator)'))
    .withVariable(labelVariable('tolerance_band', 'Tolerance band', `label_values(lineofsight_indicator_info${ONE}, tolerance_band)`, { hidden: true }))
    .withVariable(labelVariable('pipeline', 'Pipeline', `label_values(lineofsight_indicator_info${ONE}, pipeline)`, { hidden: true }))
    .withPanel(now(5, 'Latest value', 'The latest value as at the latest complete month, in the indicator\'s unit (percentages in per cent). Reads lineofsight_indicator_value.', shownInUnit('lineofsight_indicator_value', ONE)))
    .withPanel(now(5, 'Target', 'The signed-off target the latest value was judged against. Reads lineofsight_indicator_target.', shownInUnit('lineofsight_indicator_target', ONE)))
    .withPanel(now(5, 'RAG', 'The RAG status of the latest value. Reads lineofsight_indicator_rag.', stateOf(`lineofsight_indicator_rag${ONE}`, ['indicator']), RAG_WORDS))
    .withPanel(now(5, 'Direction of travel', 'Against the previous period. Reads lineofsight_indicator_direction.', stateOf(`lineofsight_indicator_direction${ONE}`, ['indicator']), DIRECTION_WORDS))
    .withPanel(now(4, 'Data quality', 'The worst result of the checks on the latest value\'s data. Reads lineofsight_indicator_data_quality.', stateOf(`lineofsight_indicator_data_quality${ONE}`, ['indicator']), QUALITY_WORDS))
    .withPanel(
      place(new timeseries.PanelBuilder(), {
        title: '$indicator by period against target',
        description:
          'The current revision of each period\'s value (in the indicator\'s unit, percentages in per cent), the target in force for that period, and the AMBER band where the indicator\'s RAG scheme bands by its tolerance. ' +
          'Reads indicator_values from the store; the band\'s side from lineofsight_indicator_info.',
        span: 24,
        height: 10,
      })
        .withTarget(new SqlQueryBuilder(HISTORY, 'time_series'))
        .drawStyle(common.GraphDrawStyle.Line)
        .showPoints(common.VisibilityMode.Always)
        .spanNulls(false)
        .overrideByName('Target', [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } }, { id: 'color', value: { mode: 'fixed', fixedColor: 'green' } }])
        .overrideByName('AMBER from', [{ id: 'custom.lineStyle', value: { fill: 'dot' } }, { id: 'color', value: { mode: 'fixed', fixedColor: 'orange' } }, { id: 'custom.fillBelowTo', value: 'Target' }])
        .overrideByName('AMBER to', [{ id: 'custom.lineStyle', value: { fill: 'dot' } }, { id: 'color', value: { mode: 'fixed', fixedColor: 'orange' } }, { id: 'custom.fillBelowTo', value: 'Target' }]),
    )
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Each period\'s judgement',
        description: 'Each period\'s current value with its target, tolerance, RAG status and why, directions of travel, data quality and revision. Reads indicator_values from the store.',
        span: 24,
        height: 10,
      }).withTarget(new SqlQueryBuilder(JUDGEMENTS)),
    )
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Checks on its data',
        description: 'Each data-quality check of the indicator\'s pipeline (the built-in suspect-values check too) with its result for its latest period and the rows or values failing it. Reads lineofsight_check_status and lineofsight_check_failing.',
        span: 12,
        height: 8,
      })
        .withTarget(prom(stateOf('lineofsight_check_status{pipeline="$pipeline"}', ['check']), { refId: 'A', now: 'table' }))
        .withTarget(prom(stateOf('lineofsight_check_failing{pipeline="$pipeline"}', ['check']), { refId: 'B', now: 'table' }))
        .transformations(joinedColumns('check', [], { A: 'Result', B: 'Failing' }))
        .thresholds(NO_THRESHOLDS)
        .overrideByName('Result', inWords(CHECK_WORDS)),
    )
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Risks that name it',
        description: 'Each risk whose register entry or trigger names the indicator, with its owner, its score at its last recorded position and whether it stands above the tolerance line. Reads lineofsight_risk_indicator_info, lineofsight_risk_info, lineofsight_risk_score and lineofsight_risk_above_tolerance.',
        span: 12,
        height: 8,
      })
        .withTarget(prom(`${stateOf('lineofsight_risk_score', ['risk'])} * on (risk) group_left (title, owner) ${stateOf('lineofsight_risk_info', ['risk', 'title', 'owner'])} and on (risk) ${stateOf(`lineofsight_risk_indicator_info${ONE}`, ['risk'])}`, { refId: 'A', now: 'table' }))
        .withTarget(prom(`${stateOf('lineofsight_risk_above_tolerance', ['risk'])} and on (risk) ${stateOf(`lineofsight_risk_indicator_info${ONE}`, ['risk'])}`, { refId: 'B', now: 'table' }))
        .transformations(joinedColumns('risk', ['title', 'owner'], { A: 'Score', B: 'Above tolerance' }))
        .thresholds(NO_THRESHOLDS)
        .overrideByName('Above tolerance', inWords(ABOVE_WORDS)),
    );
}
