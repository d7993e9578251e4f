import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { ABOVE_WORDS } from './codes.js';
import { serviceDashboard } from './layout.js';
import { inWords, joinedColumns, NO_THRESHOLDS, place, prom } from './panels.js';
import { stateOf } from './promql.js';
import { SqlQueryBuilder } from './sqlQuery.js';

/** Marks a cell above the tolerance line, in its text, which is what a table cell can colour by. */
const ABOVE = '▲';

/**
 * Every cell of the matrix the risks were last assessed on, most severe first, with the register's
 * risks whose last recorded position is in it (a risk since retired keeps its history, not a
 * place): one row per cell, which the panel turns into the matrix.
 */
const MATRIX = [
  'SELECT c.likelihood || \' \' || c.likelihood_label AS "Likelihood", c.impact || \' \' || c.impact_label AS "Impact",',
  `  concat_ws(' ', CASE WHEN c.above_tolerance THEN '${ABOVE}' END, string_agg(p.risk_id, ', ' ORDER BY p.risk_id)) AS "Risks"`,
  'FROM risk_matrix_cells c',
  'LEFT JOIN risk_positions p ON p.likelihood = c.likelihood AND p.impact = c.impact',
  '  AND p.id = (SELECT max(latest.id) FROM risk_positions latest WHERE latest.risk_id = p.risk_id)',
  '  AND p.risk_id IN (SELECT risk_id FROM risk_register)',
  'GROUP BY c.likelihood, c.likelihood_label, c.likelihood_rank, c.impact, c.impact_label, c.impact_rank, c.above_tolerance',
  'ORDER BY c.likelihood_rank, c.impact_rank',
].join('\n');

/** Each move of a risk's position, with the evidence that moved it. */
const MOVES = [
  'SELECT assessed_at AS "Assessed", risk_id AS "Risk", likelihood || \'/\' || impact AS "Cell", score AS "Score",',
  '  CASE WHEN above_tolerance THEN 1 ELSE 0 END AS "Above tolerance", triggered AS "Moved by triggers", evidence AS "Evidence"',
  'FROM risk_positions',
  'WHERE $__timeFilter(assessed_at)',
  'ORDER BY assessed_at DESC, id DESC',
].join('\n');

const RISK_INFO = stateOf('lineofsight_risk_info', ['risk', 'title', 'owner', 'clinic']);

export function riskDashboard() {
  return serviceDashboard({
    uid: 'lineofsight-risk',
    title: 'lineofsight: risk',
    description: 'The risk register on the council\'s matrix: where each risk stands now, which stand above the tolerance line, and every move with its evidence. For risk owners, the improvement clinics and the audit committee.',
    from: 'now-1y',
  })
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Risk matrix',
        description:
          `Likelihood (rows, most likely first) by impact (columns, most severe first), with the risks whose last recorded position is in each cell. Cells above the council's tolerance line are red and marked ${ABOVE}. ` +
          'Reads the risk_matrix_cells, risk_positions and risk_register tables of the store.',
        span: 12,
        height: 10,
      })
        .withTarget(new SqlQueryBuilder(MATRIX))
        .withTransformation({ id: 'groupingToMatrix', options: { columnField: 'Impact', rowField: 'Likelihood', valueField: 'Risks', emptyValue: 'empty' } })
        .mappings([
          { type: dashboard.MappingType.RegexToText, options: { pattern: `^${ABOVE}.*`, result: { color: 'red', index: 0 } } },
          { type: dashboard.MappingType.RegexToText, options: { pattern: '.*', result: { color: 'green', index: 1 } } },
        ])
        .cellOptions({ type: common.TableCellDisplayMode.ColorBackground })
        .overrideByName('Likelihood\\Impact', [{ id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.Auto } }, { id: 'mappings', value: [] }])
        .thresholds(NO_THRESHOLDS),
    )
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Risks above the tolerance line',
        description: 'Risks whose last recorded position stands above the tolerance line: exceptions for their owners and clinics. Reads lineofsight_risk_above_tolerance, lineofsight_risk_score, lineofsight_risk_likelihood, lineofsight_risk_impact and lineofsight_risk_info.',
        span: 12,
        height: 10,
      })
        .withTarget(prom(`${stateOf('lineofsight_risk_score', ['risk'])} * on (risk) group_left (title, owner, clinic) ${RISK_INFO} and on (risk) (${stateOf('lineofsight_risk_above_tolerance', ['risk'])} == 1)`, { refId: 'A', now: 'table' }))
        .withTarget(prom(`${stateOf('lineofsight_risk_likelihood', ['risk'])} and on (risk) (${stateOf('lineofsight_risk_above_tolerance', ['risk'])} == 1)`, { refId: 'B', now: 'table' }))
        .withTarget(prom(`${stateOf('lineofsight_risk_impact', ['risk'])} and on (risk) (${stateOf('lineofsight_risk_above_tolerance', ['risk'])} == 1)`, { refId: 'C', now: 'table' }))
        .transformations(joinedColumns('risk', ['title', 'owner', 'clinic'], { A: 'Score', B: 'Likelihood score', C: 'Impact score' }))
        .sortBy([new common.TableSortByFieldStateBuilder().displayName('Score').desc(true)]),
    )
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Every risk now',
        description: 'Each risk of the register at its last recorded position: score, likelihood and impact scores, and its side of the tolerance line. Reads lineofsight_risk_score, lineofsight_risk_likelihood, lineofsight_risk_impact, lineofsight_risk_above_tolerance and lineofsight_risk_info.',
        span: 24,
        height: 9,
      })
        .withTarget(prom(`${stateOf('lineofsight_risk_score', ['risk'])} * on (risk) group_left (title, owner, clinic) ${RISK_INFO}`, { refId: 'A', now: 'table' }))
        .withTarget(prom(stateOf('lineofsight_risk_likelihood', ['risk']), { refId: 'B', now: 'table' }))
        .withTarget(prom(stateOf('lineofsight_risk_impact', ['risk']), { refId: 'C', now: 'table' }))
        .withTarget(prom(stateOf('lineofsight_risk_above_tolerance', ['risk']), { refId: 'D', now: 'table' }))
        .transformations(joinedColumns('risk', ['title', 'owner', 'clinic'], { A: 'Score', B: 'Likelihood score', C: 'Impact score', D: 'Above tolerance' }))
        .thresholds(NO_THRESHOLDS)
        .overrideByName('Above tolerance', inWords(ABOVE_WORDS))
        .sortBy([new common.TableSortByFieldStateBuilder().displayName('Score').desc(true)]),
    )
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Moves of position',
        description: 'Every recorded move of a risk\'s position in the time range: the cell, score, side of the tolerance line, whether triggers moved it, and the evidence. Reads the risk_positions table of the store.',
        span: 24,
        height: 10,
      })
        .withTarget(new SqlQueryBuilder(MOVES))
        .thresholds(NO_THRESHOLDS)
        .overrideByName('Above tolerance', inWords(ABOVE_WORDS)),
    );
}
