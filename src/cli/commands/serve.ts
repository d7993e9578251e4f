import type { Command } from 'commander';
import { demoHistory, demoSchedules, prepareDemo } from '../../app/demo.js';
import { withService } from '../../app/open.js';
import type { Service } from '../../app/service.js';
import { dateIn } from '../../calendar/localDate.js';
import { runDaemon } from '../../daemon/daemon.js';
import { createLogger } from '../../logger.js';
import { configPath } from '../../config/load.js';
import { serviceFor, type GlobalOptions } from '../context.js';

/** The environment variable holding the bearer token; never a config file, never a log. */
export const TOKEN_VARIABLE = 'LINEOFSIGHT_HTTP_TOKEN';

function portOf(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new Error(`--port is a port number from 0 to 65535, not "${text}"`);
  return Number(text);
}

function tokenOf(token: string | undefined): string | undefined {
  if (token !== undefined && token.trim() === '') throw new Error(`${TOKEN_VARIABLE} is set but empty: unset it to serve without a token, or give the token`);
  // A header carries the token as one word: with a space or a newline in it (read from a file?) nothing could match.
  if (token !== undefined && /\s/.test(token)) throw new Error(`${TOKEN_VARIABLE} holds whitespace (a newline at the end of a secret file?): no Authorization header could match it`);
  return token;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the daemon: every pipeline on its schedule, and /metrics for Prometheus, /healthz, /readyz and the read-only JSON API (/api/...)')
    .option('--host <host>', 'address to listen on (default: http.host in the config, 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default: http.port in the config, 9464; 0 picks a free one)', portOf)
    .option('--no-scheduler', 'serve only, run nothing: a read-only replica')
    .option('--demo', 'the embedded demo: write its data as of today, and schedule its pipelines to run within the first minute, then every ten minutes')
    .addHelpText('after', `\nWith ${TOKEN_VARIABLE} set, every path but /healthz wants "Authorization: Bearer <token>".\nSIGHUP reloads the configuration (kept as it was when the new one is not valid).\nSIGINT or SIGTERM stops scheduling, lets runs under way finish (within scheduler.shutdown_grace), sends the outbox and exits.`)
    .action(async (opts: { host?: string; port?: number; scheduler: boolean; demo?: boolean }, cmd: Command) => {
      const token = tokenOf(process.env[TOKEN_VARIABLE]);
      const globals = cmd.optsWithGlobals<GlobalOptions>();
      const loaded = await serviceFor(globals);
      const start = new Date();
      const logger = createLogger('info');
      const prepare = opts.demo ? (service: Service) => demoSchedules(service, start) : undefined;
      if (opts.demo) {
        const asOf = dateIn(start, loaded.config.service.timezone);
        const demo = await prepareDemo(loaded, asOf);
        const runs = await withService(loaded, (open) => demoHistory(open, demo, asOf), { logger });
        logger.info({ runs }, runs ? 'demo: the demo years run once into the empty store' : 'demo: the store has its history already');
      }
      const service = prepare ? prepare(loaded) : loaded;
      const { http } = service.config.service;
      await runDaemon(service, { configFile: configPath(globals.config, process.env), host: opts.host ?? http.host, port: opts.port ?? http.port, token, scheduler: opts.scheduler, prepare, logger });
    });
}
