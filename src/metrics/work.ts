import { Counter, Histogram, type Registry } from 'prom-client';
import type { LoadedConfig } from '../config/load.js';
import type { RunObserver, RunRecord } from '../runs/record.js';
import type { SourceObserver } from '../sources/sql.js';

const RUN_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const QUERY_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * The work this process did, as counters and histograms of its own: they start at 0 with the
 * process, one series per configured pipeline and database source from the first scrape, so a
 * rate() has a start to count from.
 */
export class WorkMetrics implements RunObserver, SourceObserver {
  private readonly runs: Counter<'pipeline' | 'outcome'>;
  private readonly runDuration: Histogram<'pipeline'>;
  private readonly queryDuration: Histogram<'source'>;
  private readonly rowsRead: Counter<'pipeline'>;
  private readonly rowsMalformed: Counter<'pipeline'>;
  private readonly configReloadFailures: Counter;

  constructor(registry: Registry, config: LoadedConfig) {
    const registers = [registry];
    this.runs = new Counter({ name: 'lineofsight_runs_total', help: 'Pipeline runs this process recorded, by outcome (succeeded, failed, awaiting).', labelNames: ['pipeline', 'outcome'], registers });
    this.runDuration = new Histogram({ name: 'lineofsight_run_duration_seconds', help: 'How long each pipeline run this process recorded took, from start to recorded, seconds.', labelNames: ['pipeline'], buckets: RUN_BUCKETS, registers });
    this.queryDuration = new Histogram({ name: 'lineofsight_source_query_duration_seconds', help: 'How long each query this process sent to a database source took, seconds.', labelNames: ['source'], buckets: QUERY_BUCKETS, registers });
    this.rowsRead = new Counter({ name: 'lineofsight_rows_read_total', help: 'Source rows read by the runs this process recorded.', labelNames: ['pipeline'], registers });
    this.rowsMalformed = new Counter({ name: 'lineofsight_rows_malformed_total', help: 'Malformed source rows (counted, located and left out) in the runs this process recorded.', labelNames: ['pipeline'], registers });
    this.configReloadFailures = new Counter({ name: 'lineofsight_config_reload_failures_total', help: 'Refused hot reloads of the configuration since the process started: the old configuration kept running.', registers });
    this.configReloadFailures.inc(0);
    for (const { id } of config.pipelines) {
      for (const outcome of ['succeeded', 'failed', 'awaiting']) this.runs.inc({ pipeline: id, outcome }, 0);
      this.runDuration.zero({ pipeline: id });
      this.rowsRead.inc({ pipeline: id }, 0);
      this.rowsMalformed.inc({ pipeline: id }, 0);
    }
    for (const [name, source] of Object.entries(config.service.sources)) if (source.client !== 'csv') this.queryDuration.zero({ source: name });
  }

  runRecorded(run: RunRecord): void {
    const pipeline = run.pipelineId;
    this.runs.inc({ pipeline, outcome: run.outcome });
    this.runDuration.observe({ pipeline }, Math.max(0, (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000));
    this.rowsRead.inc({ pipeline }, run.rowsRead);
    this.rowsMalformed.inc({ pipeline }, run.rowsRejected);
  }

  queried(source: string, seconds: number): void {
    this.queryDuration.observe({ source }, seconds);
  }

  /** A reload of the configuration (SIGHUP) was refused, its problems logged: the old one runs on. */
  configReloadFailed(): void {
    this.configReloadFailures.inc();
  }
}
