import { deliverOutbox } from '../app/deliver.js';
import { migrateWhenReachable } from '../app/migrate.js';
import { withService, type OpenService } from '../app/open.js';
import type { Service } from '../app/service.js';
import type { Logger } from '../logger.js';
import { processRegistry } from '../metrics/processMetrics.js';
import { WorkMetrics } from '../metrics/work.js';
import type { ReadinessCheck } from '../server/readiness.js';
import { reserve, startServing, type ServingOptions } from '../server/serving.js';
import { reloadService, ReloadRefused } from './reload.js';
import { Scheduler } from './scheduler.js';
import { onReload, untilStopped } from './signals.js';

export interface DaemonOptions {
  /** The configuration file, read again on SIGHUP. */
  configFile: string;
  host: string;
  port: number;
  token?: string;
  /** Off for a read-only replica: it serves, and runs nothing. */
  scheduler: boolean;
  /** What is made of the service as loaded, at start and at every reload (the demo's schedules). */
  prepare?: (service: Service) => Service;
  logger: Logger;
}

/**
 * `lineofsight serve`: the HTTP server at once; once the store answers and is migrated, the
 * scheduler. SIGHUP reloads the configuration (refused whole when it is not valid: the old one
 * keeps running). SIGTERM or SIGINT stops scheduling, lets runs under way finish within the
 * shutdown grace (then aborts them, recorded interrupted), sends the outbox once, closes the
 * store and sources, and resolves: the process exits 0.
 */
export async function runDaemon(service: Service, options: DaemonOptions): Promise<void> {
  const { logger } = options;
  const prepare = options.prepare ?? ((s: Service) => s);
  const { config, register } = service;
  const metrics = processRegistry(config, register);
  const work = new WorkMetrics(metrics.registry, config);
  await withService(
    service,
    async (first) => {
      let open: OpenService = first;
      const stopping = new AbortController();
      let migrated = false;
      let started = false;
      const scheduler = options.scheduler ? new Scheduler(() => open) : undefined;
      const schedulerCheck = (): ReadinessCheck => {
        if (!scheduler) return { name: 'scheduler', ok: true, detail: 'off (--no-scheduler): this replica serves and runs nothing' };
        if (!started) return { name: 'scheduler', ok: false, detail: 'not started: waiting for the store' };
        return { name: 'scheduler', ...scheduler.health() };
      };
      const serving: ServingOptions = { host: options.host, port: options.port, token: options.token, metrics, migrated: () => migrated, readiness: () => [schedulerCheck()] };
      try {
        // Listening first: a port in use ends the daemon before its scheduler has started anything.
        const server = await startServing(open, serving);
        // A migration or a start that fails for a reason of its own (not the store being down) stops the daemon.
        let schedulerStart = Promise.resolve();
        const starting = migrateWhenReachable(open.store, logger, stopping.signal).then(async (done) => {
          migrated = done;
          if (done && scheduler && !stopping.signal.aborted) {
            schedulerStart = scheduler.start().then(() => void (started = true));
            await schedulerStart;
          }
          return new Promise<never>(() => undefined);
        });
        starting.catch(() => undefined);
        logger.info({ url: server.url, token: options.token !== undefined, scheduler: options.scheduler }, `serving ${server.url}/metrics`);
        const stopReloading = onReload(async () => {
          try {
            const before = open;
            const next = await reloadService(options.configFile, before, prepare);
            // Stopping meanwhile: the new service is not used, and its sources are closed.
            if (stopping.signal.aborted) return void (await next.sources.closeAll());
            open = next;
            reserve(server, open, serving);
            scheduler?.schedule();
            // Runs under way finish on the sources they began with.
            void (scheduler ? scheduler.settled() : Promise.resolve()).then(() => (before === first ? undefined : before.sources.closeAll()));
            logger.info({ pipelines: open.config.pipelines.length }, 'configuration reloaded');
          } catch (err) {
            work.configReloadFailed();
            const problems = err instanceof ReloadRefused ? err.problems : [(err as Error).message];
            logger.error({ problems }, `configuration reload refused: ${problems.length} problem(s); the configuration in use is kept`);
          }
        });
        try {
          logger.info({ signal: await Promise.race([untilStopped(), starting]) }, 'stopping');
        } finally {
          // No scheduler starts once stopping, nor is a reload taken; one starting now is let finish, then stopped.
          stopping.abort();
          await stopReloading();
          await schedulerStart.catch(() => undefined);
          if (scheduler && started) {
            const finished = await scheduler.stop();
            if (!finished) logger.warn('runs did not stop within twice the shutdown grace: recorded interrupted as they stand, for a replica to run again');
          }
          // What this replica's runs wrote goes out now, not at some other replica's next cycle.
          if (migrated) await deliverOutbox(open, () => new Date()).catch((err: unknown) => logger.error({ err: (err as Error).message }, 'the outbox could not be sent on the way out: it is sent by the next cycle'));
          await server.close();
          if (open !== first) await open.sources.closeAll();
        }
      } finally {
        stopping.abort();
      }
    },
    { logger, observer: work, migrate: false },
  );
}
