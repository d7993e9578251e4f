import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { serviceDashboard } from './layout.js';
import { colouredBy, labelVariable, NO_THRESHOLDS, place, prom, stackedCounts } from './panels.js';
import { stateOf } from './promql.js';
import { SqlQueryBuilder } from './sqlQuery.js';

const CHOSEN = '{pipeline=~"$pipeline"}';
const IN_CHOSEN = 'pipeline_id IN (${pipeline:sqlstring})';

const OUTCOME_COLOURS = { succeeded: 'green', failed: 'red', awaiting: 'blue' } as const;
const MESSAGE_COLOURS = { pending: 'blue', sending: 'yellow', sent: 'green', failed: 'red' } as const;

/** Runs started in each interval by every process on the store, a series per value of `series`. */
const perInterval = (series: string, value: string): string =>
  [
    `SELECT $__timeGroupAlias(started_at, $__interval), ${series} AS "metric", ${value} AS "value"`,
    'FROM runs',
    `WHERE $__timeFilter(started_at) AND ${IN_CHOSEN}`,
    'GROUP BY 1, 2',
    'ORDER BY 1, 2',
  ].join('\n');

const RUNS_BY_OUTCOME = perInterval('outcome', 'count(*)');

const DURATIONS = [
  'SELECT started_at AS "time", pipeline_id AS "metric", EXTRACT(EPOCH FROM (finished_at - started_at)) AS "value"',
  'FROM runs',
  `WHERE $__timeFilter(started_at) AND ${IN_CHOSEN}`,
  'ORDER BY 1, 2',
].join('\n');

const ROWS_READ = perInterval('pipeline_id', 'sum(rows_read)');

/** Runs whose source had rows it could not read: each a warning for the run, or its failure. */
const MALFORMED = [
  'SELECT started_at AS "Started", pipeline_id AS "Pipeline", period_id AS "Period", outcome AS "Outcome",',
  '  rows_read AS "Rows read", rows_rejected AS "Malformed rows", COALESCE(error, warnings) AS "What the run said"',
  'FROM runs',
  `WHERE rows_rejected > 0 AND $__timeFilter(started_at) AND ${IN_CHOSEN}`,
  'ORDER BY started_at DESC, id DESC',
].join('\n');

const FAILED = [
  'SELECT started_at AS "Started", pipeline_id AS "Pipeline", period_id AS "Period", error AS "Error"',
  'FROM runs',
  `WHERE outcome = 'failed' AND $__timeFilter(started_at) AND ${IN_CHOSEN}`,
  'ORDER BY started_at DESC, id DESC',
].join('\n');

/** Each period whose latest run found its data not yet in, and what the source's newest record was. */
const AWAITING = [
  'SELECT r.pipeline_id AS "Pipeline", r.period_id AS "Period", r.newest_record AS "Newest record", r.finished_at AS "Last looked", r.reason AS "Why"',
  'FROM runs r',
  `WHERE r.outcome = 'awaiting' AND r.${IN_CHOSEN}`,
  '  AND r.id = (SELECT max(latest.id) FROM runs latest WHERE latest.pipeline_id = r.pipeline_id AND latest.period_id = r.period_id)',
  'ORDER BY r.pipeline_id, r.period_start',
].join('\n');

export function pipelineHealthDashboard() {
  return serviceDashboard({
    uid: 'lineofsight-pipeline-health',
    title: 'lineofsight: pipeline health',
    description: 'Whether the data is flowing: each pipeline\'s latest run, the age of its last success, periods awaiting data, runs by outcome, durations, rows read and malformed rows. For the performance team and IT operations.',
    from: 'now-7d',
  })
    .withVariable(labelVariable('pipeline', 'Pipeline', 'label_values(lineofsight_pipeline_last_run_timestamp_seconds, pipeline)', { multi: true }))
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Latest run',
        description: 'The outcome of each pipeline\'s latest run, of whichever period. Reads lineofsight_pipeline_last_run_outcome.',
        span: 8,
        height: 9,
      })
        .withTarget(prom(`${stateOf(`lineofsight_pipeline_last_run_outcome${CHOSEN}`, ['pipeline', 'outcome'])} == 1`, { now: 'table' }))
        .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, Value: true }, renameByName: { pipeline: 'Pipeline', outcome: 'Outcome' } } })
        .overrideByName('Outcome', [
          { id: 'mappings', value: [{ type: dashboard.MappingType.ValueToText, options: Object.fromEntries(Object.entries(OUTCOME_COLOURS).map(([o, color], index) => [o, { color, index }])) }] },
          { id: 'custom.cellOptions', value: { type: common.TableCellDisplayMode.ColorBackground } },
        ]),
    )
    .withPanel(
      place(new bargauge.PanelBuilder(), {
        title: 'Age of the last success',
        description:
          'How long since each pipeline\'s latest successful run finished, "never" for one that has not succeeded; the longest gap of its schedule is beside it in lineofsight_pipeline_schedule_interval_seconds, and the stale alert fires at that gap and an hour. ' +
          'Reads lineofsight_pipeline_last_success_timestamp_seconds.',
        span: 8,
        height: 9,
      })
        .withTarget(
          prom(
            `(time() - ${stateOf(`lineofsight_pipeline_last_success_timestamp_seconds${CHOSEN}`, ['pipeline'])}) or on (pipeline) (${stateOf(`lineofsight_pipeline_schedule_interval_seconds${CHOSEN}`, ['pipeline'])} * 0 - 1)`,
            { legend: '{{pipeline}}', now: 'series' },
          ),
        )
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .displayMode(common.BarGaugeDisplayMode.Basic)
        .orientation(common.VizOrientation.Horizontal)
        .unit('dtdurations')
        .mappings([{ type: dashboard.MappingType.ValueToText, options: { '-1': { text: 'never', color: 'red', index: 0 } } }])
        .thresholds(NO_THRESHOLDS),
    )
    .withPanel(
      place(new bargauge.PanelBuilder(), {
        title: 'Periods awaiting data',
        description: 'How many of each pipeline\'s periods its latest run found with the data not yet in. Reads lineofsight_pipeline_periods_awaiting.',
        span: 8,
        height: 9,
      })
        .withTarget(prom(stateOf(`lineofsight_pipeline_periods_awaiting${CHOSEN}`, ['pipeline']), { legend: '{{pipeline}}', now: 'series' }))
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .displayMode(common.BarGaugeDisplayMode.Basic)
        .orientation(common.VizOrientation.Horizontal)
        .decimals(0)
        .thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([{ value: null, color: 'green' }, { value: 1, color: 'blue' }])),
    )
    .withPanel(colouredBy(
      place(new bargauge.PanelBuilder(), {
        title: 'Exception emails',
        description:
          'Messages in the outbox by state: pending (written, or waiting to be tried again after the SMTP server could not take them), sending (a process holds them), sent, failed (a 5xx reply or too long unsent; reported to the performance team, sent again by lineofsight outbox retry). ' +
          'The backlog alert fires when some have waited an hour. Reads lineofsight_outbox_messages.',
        span: 24,
        height: 5,
      })
        .withTarget(prom(stateOf('lineofsight_outbox_messages', ['state']), { legend: '{{state}}', now: 'series' }))
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .displayMode(common.BarGaugeDisplayMode.Basic)
        .orientation(common.VizOrientation.Vertical)
        .decimals(0)
        .thresholds(NO_THRESHOLDS),
      MESSAGE_COLOURS,
    ))
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'What is awaited',
        description: 'Each period whose latest run found its data not yet in, with the newest record the source had and why. Reads the runs table of the store.',
        span: 24,
        height: 6,
      }).withTarget(new SqlQueryBuilder(AWAITING)),
    )
    .withPanel(
      stackedCounts(
        {
          title: 'Runs by outcome',
          description: 'Runs started in each interval by every process on the store (CLI, serve, daemon), by outcome. Reads the runs table of the store.',
          span: 12,
          height: 8,
        },
        RUNS_BY_OUTCOME,
        OUTCOME_COLOURS,
      ),
    )
    .withPanel(
      place(new timeseries.PanelBuilder(), {
        title: 'Run durations',
        description: 'How long each run took, start to finish, by pipeline. Reads the runs table of the store.',
        span: 12,
        height: 8,
      })
        .withTarget(new SqlQueryBuilder(DURATIONS, 'time_series'))
        .drawStyle(common.GraphDrawStyle.Points)
        .pointSize(6)
        .unit('s'),
    )
    .withPanel(
      stackedCounts(
        {
          title: 'Source rows read',
          description: 'Rows the runs of each pipeline read from its source in each interval. Reads the runs table of the store.',
          span: 12,
          height: 8,
        },
        ROWS_READ,
      ),
    )
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Failed runs',
        description: 'Runs that failed in the time range, with the error: a source that did not answer, too many malformed rows, a query that failed. Reads the runs table of the store.',
        span: 12,
        height: 8,
      })
        .withTarget(new SqlQueryBuilder(FAILED))
        .thresholds(NO_THRESHOLDS),
    )
    .withPanel(
      place(new table.PanelBuilder(), {
        title: 'Malformed rows',
        description: 'Runs whose CSV source had malformed rows, counted and left out (a run fails when there are more than the pipeline\'s max_malformed): how many, of how many read, and what the run said of them. Reads the runs table of the store.',
        span: 24,
        height: 8,
      })
        .withTarget(new SqlQueryBuilder(MALFORMED))
        .thresholds(NO_THRESHOLDS),
    );
}
