import * as common from '@grafana/grafana-foundation-sdk/common';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { CHECK_WORDS } from './codes.js';
import { serviceDashboard } from './layout.js';
import { inWords, labelVariable, NO_THRESHOLDS, place, prom, stackedCounts } from './panels.js';
import { stateOf } from './promql.js';
import { SqlQueryBuilder } from './sqlQuery.js';

/** The open entries of the failed-check log, worst and oldest first, as the CLI's `checks` lists them. */
const OPEN_LOG = [
  'SELECT id AS "Entry", check_id AS "Check", check_type AS "Type", pipeline_id AS "Pipeline", source AS "Source",',
  '  period_id AS "Period", severity AS "Severity", failing_count AS "Failing", failing_share AS "Failing %",',
  '  consecutive_failures AS "Runs failing", json_array_length(CAST(sample AS json)) AS "Sample rows",',
  '  first_failed_at AS "First failed", last_failed_at AS "Last failed",',
  '  EXTRACT(EPOCH FROM (now() - first_failed_at)) AS "Age", message AS "Message"',
  'FROM failed_check_log',
  'WHERE status = \'open\' AND pipeline_id IN (${pipeline:sqlstring})',
  'ORDER BY severity = \'error\' DESC, first_failed_at, id',
].join('\n');

/** Every entry ever logged, counted by the period its data belongs to: where the bad months were. */
const BY_PERIOD = [
  'SELECT CAST(period_start AS timestamp) AS "time", severity AS "metric", count(*) AS "value"',
  'FROM failed_check_log',
  'WHERE $__timeFilter(period_start) AND pipeline_id IN (${pipeline:sqlstring})',
  'GROUP BY 1, 2',
  'ORDER BY 1, 2',
].join('\n');

/** The built-in check's findings: values that look like missing or copied data. */
const SUSPECT = [
  'SELECT period_id AS "Period", pipeline_id AS "Pipeline", status AS "Status", failing_count AS "Values",',
  '  message AS "Why", sample AS "Values found", first_failed_at AS "First failed", resolved_at AS "Resolved"',
  'FROM failed_check_log',
  'WHERE check_type = \'suspect_values\' AND pipeline_id IN (${pipeline:sqlstring}) AND $__timeFilter(period_start)',
  'ORDER BY period_start DESC, pipeline_id',
].join('\n');

const PIPELINES = '{pipeline=~"$pipeline"}';

export function dataQualityDashboard() {
  return serviceDashboard({
    uid: 'lineofsight-data-quality',
    title: 'lineofsight: data quality',
    description: 'The failed-check log as data-quality leads work through it: open entries with their samples and age, failures by period, and suspect values. For data-quality leads and data owners.',
    from: 'now-3y',
  })
    .withVariable(labelVariable('pipeline', 'Pipeline', 'label_values(lineofsight_check_status, pipeline)', { multi: true }))
    .withPanel(
      place(new stat.PanelBuilder(), {
        title: 'Unresolved entries',
        description: 'Entries of the failed-check log not yet resolved, by severity and whether a data-quality lead has acknowledged them. Reads lineofsight_failed_check_entries.',
        span: 8,
        height: 5,
      })
        .withTarget(prom(`sum by (severity, status) (${stateOf(`lineofsight_failed_check_entries${PIPELINES}`, ['pipeline', 'severity', 'status'])})`, { legend: '{{severity}} {{status}}', now: 'series' }))
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .graphMode(common.BigValueGraphMode.None)
        .textMode(common.BigValueTextMode.ValueAndName)
        .colorMode(common.BigValueColorMode.Value)
        .thresholds(NO_THRESHOLDS)
        .decimals(0),
    )
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Checks now',
        description: 'Each check\'s result for its latest period and the rows or values failing it, the built-in suspect-values check too. Reads lineofsight_check_status and lineofsight_check_failing.',
        span: 16,
        height: 5,
      })
        .withTarget(prom(stateOf(`lineofsight_check_status${PIPELINES}`, ['check', 'pipeline']), { refId: 'A', now: 'table' }))
        .withTarget(prom(stateOf(`lineofsight_check_failing${PIPELINES}`, ['check', 'pipeline']), { refId: 'B', now: 'table' }))
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation({ id: 'organize', options: { excludeByName: { Time: true }, renameByName: { check: 'Check', pipeline: 'Pipeline', 'Value #A': 'Result', 'Value #B': 'Failing' } } })
        .thresholds(NO_THRESHOLDS)
        .overrideByName('Result', inWords(CHECK_WORDS))
        .sortBy([new common.TableSortByFieldStateBuilder().displayName('Result').desc(true)]),
    )
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Open failed-check log',
        description:
          'Every open entry of the failed-check log: the check, its pipeline and source, the period, severity, how many rows fail and what share, for how many runs, how many sample rows are kept (lineofsight checks show <id> prints them), and how long it has been open. ' +
          'Reads the failed_check_log view of the store.',
        span: 24,
        height: 12,
      })
        .withTarget(new SqlQueryBuilder(OPEN_LOG))
        .overrideByName('Age', [{ id: 'unit', value: 'dtdurations' }])
        .overrideByName('Failing %', [{ id: 'unit', value: 'percent' }, { id: 'decimals', value: 1 }])
        .overrideByName('Severity', [{ id: 'mappings', value: [{ type: 'value', options: { error: { color: 'red', index: 0 }, warn: { color: 'orange', index: 1 } } }] }, { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorText } }])
        .filterable(true),
    )
    .withPanel(
      stackedCounts(
        {
          title: 'Failed checks by period',
          description: 'Entries ever logged (open, acknowledged or resolved), by the period their data belongs to and their severity: the months whose data was bad. Reads the failed_check_log view of the store.',
          span: 12,
          height: 9,
        },
        BY_PERIOD,
        { error: 'red', warn: 'orange' },
      ),
    )
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Suspect values',
        description: 'Values the built-in suspect-values check questioned (0 far from the last six, or the last value exactly repeated), with why and the values found, open or since resolved. Reads the failed_check_log view of the store (check_type suspect_values).',
        span: 12,
        height: 9,
      }).withTarget(new SqlQueryBuilder(SUSPECT)),
    );
}
