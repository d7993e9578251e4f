import type { OpenService } from '../app/open.js';
import { scheduleInterval } from '../calendar/schedule.js';
import type { ProcessMetrics } from '../metrics/processMetrics.js';
import { Scraper } from '../metrics/scrape.js';
import { ReadinessProbe } from './readiness.js';
import { startServer, type RunningServer } from './server.js';

export interface ServingOptions {
  host: string;
  port: number;
  token?: string;
  /** This process's registry, its work metrics already on it. */
  metrics: ProcessMetrics;
  /** Whether the store's tables are up to date yet: not ready until they are. */
  migrated(): boolean;
}

/** The HTTP server over an open service: its metrics scraped from the store, its readiness probed. */
export function startServing(open: OpenService, options: ServingOptions): Promise<RunningServer> {
  const { config, register, store, logger } = open;
  // Pipelines mostly share a few schedules: each is worked out once, not once per pipeline at start-up.
  const bySchedule = new Map<string, number>();
  const intervalOf = (schedule: string) => bySchedule.get(schedule) ?? bySchedule.set(schedule, scheduleInterval(schedule, config.service.timezone)).get(schedule)!;
  const scheduleIntervals = new Map(config.pipelines.map((p) => [p.id, intervalOf(p.schedule)]));
  const scraper = new Scraper({ store, config, register, scheduleIntervals, today: open.today, logger }, options.metrics.registry, options.metrics.storeUp);
  const readiness = new ReadinessProbe(config.file, store.name, async () => {
    await store.ping();
    if (!options.migrated()) throw new Error(`${store.name} answers, but its tables are not up to date yet`);
  });
  return startServer(open, { host: options.host, port: options.port, token: options.token, scraper, readiness });
}
