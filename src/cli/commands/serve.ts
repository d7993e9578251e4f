import type { Command } from 'commander';
import { migrateWhenReachable } from '../../app/migrate.js';
import { withService } from '../../app/open.js';
import { createLogger } from '../../logger.js';
import { processRegistry } from '../../metrics/processMetrics.js';
import { WorkMetrics } from '../../metrics/work.js';
import { startServing } from '../../server/serving.js';
import { serviceFor, type GlobalOptions } from '../context.js';
import { untilStopped } from '../signals.js';

/** The environment variable holding the bearer token; never a config file, never a log. */
export const TOKEN_VARIABLE = 'LINEOFSIGHT_HTTP_TOKEN';

function portOf(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new Error(`--port is a port number from 0 to 65535, not "${text}"`);
  return Number(text);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve /metrics for Prometheus, /healthz, /readyz and the read-only JSON API (/api/...) over the store')
    .option('--host <host>', 'address to listen on (default: http.host in the config, 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default: http.port in the config, 9464; 0 picks a free one)', portOf)
    .addHelpText('after', `\nWith ${TOKEN_VARIABLE} set, every path but /healthz wants "Authorization: Bearer <token>".\nStops on SIGINT or SIGTERM, finishing the requests under way.`)
    .action(async (opts: { host?: string; port?: number }, cmd: Command) => {
      const token = process.env[TOKEN_VARIABLE];
      if (token !== undefined && token.trim() === '') throw new Error(`${TOKEN_VARIABLE} is set but empty: unset it to serve without a token, or give the token`);
      // A header carries the token as one word: with a space or a newline in it (read from a file?) nothing could match.
      if (token !== undefined && /\s/.test(token)) throw new Error(`${TOKEN_VARIABLE} holds whitespace (a newline at the end of a secret file?): no Authorization header could match it`);
      const service = await serviceFor(cmd.optsWithGlobals<GlobalOptions>());
      const { config, register } = service;
      const logger = createLogger('info');
      const metrics = processRegistry(config, register);
      const work = new WorkMetrics(metrics.registry, config);
      await withService(
        service,
        async (open) => {
          const stopping = new AbortController();
          let migrated = false;
          try {
            // A migration that fails for a reason of its own (not the store being down) stops the server.
            const migration = migrateWhenReachable(open.store, logger, stopping.signal).then((done) => {
              migrated = done;
              return new Promise<never>(() => undefined);
            });
            // Handled below once serving; this keeps a failure before then from going unhandled.
            migration.catch(() => undefined);
            const server = await startServing(open, { host: opts.host ?? config.service.http.host, port: opts.port ?? config.service.http.port, token, metrics, migrated: () => migrated });
            logger.info({ url: server.url, token: token !== undefined }, `serving ${server.url}/metrics`);
            try {
              logger.info({ signal: await Promise.race([untilStopped(), migration]) }, 'stopping');
            } finally {
              await server.close();
            }
          } finally {
            stopping.abort();
          }
        },
        { logger, observer: work, migrate: false },
      );
    });
}
