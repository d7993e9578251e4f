import type { OpenService } from '../app/open.js';
import { scheduleInterval } from '../calendar/schedule.js';
import type { ProcessMetrics } from '../metrics/processMetrics.js';
import { Scraper } from '../metrics/scrape.js';
import { ReadinessProbe, type ReadinessCheck } from './readiness.js';
import { startServer, type RunningServer } from './server.js';

export interface ServingOptions {
  host: string;
  port: number;
  token?: string;
  /** This process's registry, its work metrics already on it. */
  metrics: ProcessMetrics;
  /** Whether the store's tables are up to date yet: not ready until they are. */
  migrated(): boolean;
  /** Readiness checks of the process's own (the scheduler). */
  readiness?: () => ReadinessCheck[];
}

/** The HTTP server over an open service: its metrics scraped from the store, its readiness probed. */
export async function startServing(open: OpenService, options: ServingOptions): Promise<RunningServer> {
  return startServer(open, { host: options.host, port: options.port, token: options.token, ...servingParts(open, options) });
}

/** Serves a reloaded configuration from the next request on: its scraper and readiness built anew, the process's registry kept. */
export function reserve(server: RunningServer, open: OpenService, options: ServingOptions): void {
  server.replace(open, servingParts(open, options));
}

function servingParts(open: OpenService, options: ServingOptions): { scraper: Scraper; readiness: ReadinessProbe } {
  const { config, register, store, logger } = open;
  // Pipelines mostly share a few schedules: each is worked out once, not once per pipeline at start-up.
  const bySchedule = new Map<string, number>();
  const intervalOf = (schedule: string) => bySchedule.get(schedule) ?? bySchedule.set(schedule, scheduleInterval(schedule, config.service.timezone)).get(schedule)!;
  const scheduleIntervals = new Map(config.pipelines.map((p) => [p.id, intervalOf(p.schedule)]));
  const scraper = new Scraper({ store, config, register, scheduleIntervals, today: open.today, logger }, options.metrics.registry, options.metrics.storeUp);
  const readiness = new ReadinessProbe(config.file, store.name, async () => {
    await store.ping();
    if (!options.migrated()) throw new Error(`${store.name} answers, but its tables are not up to date yet`);
  }, options.readiness);
  return { scraper, readiness };
}
