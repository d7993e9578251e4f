import type { LoadedConfig } from '../../src/config/load.js';
import type { ServiceConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/logger.js';
import { SourceRegistry } from '../../src/sources/registry.js';
import { Store } from '../../src/store/store.js';

/** A migrated store and the sources of a configuration, as a run needs them, and one way to close both. */
export async function openRun(config: LoadedConfig, sourcesConfig: ServiceConfig['sources'] = config.service.sources) {
  const store = new Store(config.service.store);
  await store.migrate();
  const sources = new SourceRegistry(sourcesConfig, config.service.timezone, silentLogger);
  return {
    store,
    sources,
    ctx: { config, sources, logger: silentLogger, ...store.forRuns() },
    close: async () => {
      await sources.closeAll();
      await store.close();
    },
  };
}
