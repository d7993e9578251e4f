import { dateIn } from '../calendar/localDate.js';
import { configPath, loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger, type Logger } from '../log.js';
import type { RiskRegister } from '../risk/config.js';
import { loadRegister } from '../runs/risks.js';
import { checkedConfig } from './validation.js';
import { SourceRegistry } from '../sources/registry.js';
import { Store } from '../store/store.js';

export interface GlobalOptions {
  config?: string;
}

/** Everything a command needs, opened once and closed once, whatever the command did. */
export interface CommandContext {
  config: LoadedConfig;
  /** The risk register, when the service config names one. */
  register: RiskRegister | undefined;
  store: Store;
  sources: SourceRegistry;
  logger: Logger;
  today: string;
}

/** The configuration named by --config, LINEOFSIGHT_CONFIG or the default path. */
export async function loadConfigFor(options: GlobalOptions): Promise<LoadedConfig> {
  return checkedConfig(await loadConfig(configPath(options.config, process.env)));
}

export async function withContext<T>(options: GlobalOptions, fn: (ctx: CommandContext) => Promise<T>): Promise<T> {
  return withConfig(await loadConfigFor(options), fn);
}

/** Opens the store and sources for a loaded configuration; the risk register is refused whole too. */
export async function withConfig<T>(config: LoadedConfig, fn: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const register = await loadRegister(config);
  // A command prints its results; its log says only what went wrong (malformed rows, failures).
  const logger = createLogger('warn');
  const store = new Store(config.service.store);
  const sources = new SourceRegistry(config.service.sources, config.service.timezone, logger);
  try {
    await store.migrate();
    return await fn({ config, register, store, sources, logger, today: dateIn(new Date(), config.service.timezone) });
  } finally {
    await sources.closeAll();
    await store.close();
  }
}
