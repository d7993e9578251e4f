import { withService, type OpenService } from '../app/open.js';
import { loadService, type Service } from '../app/service.js';
import { configPath } from '../config/load.js';
import { createLogger } from '../logger.js';

export interface GlobalOptions {
  config?: string;
}

/** The configuration named by --config, LINEOFSIGHT_CONFIG or the default path, loaded whole. */
export function serviceFor(options: GlobalOptions): Promise<Service> {
  return loadService(configPath(options.config, process.env));
}

/** Runs a command on the open service; a command prints its results, so its log says only what went wrong. */
export async function withOpenService<T>(options: GlobalOptions, work: (open: OpenService) => Promise<T>): Promise<T> {
  return withService(await serviceFor(options), work, { logger: createLogger('warn') });
}
