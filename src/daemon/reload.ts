import type { OpenService } from '../app/open.js';
import { dateIn } from '../calendar/localDate.js';
import { loadService, type Service } from '../app/service.js';
import { ConfigError, formatProblem } from '../config/problems.js';
import { storeConfigOf } from '../config/schema.js';
import { SourceRegistry } from '../sources/registry.js';

/** A reload refused: every reason, as `validate` would list them. */
export class ReloadRefused extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} problem(s): the configuration in use is kept`);
  }
}

/**
 * The service as its configuration files say now, on the store already open (a reload cannot
 * move the store: that is a restart) with sources of its own. Throws ReloadRefused listing
 * every problem when the new configuration is not valid whole; nothing of it is then used.
 */
export async function reloadService(configFile: string, current: OpenService, prepare: (service: Service) => Service): Promise<OpenService> {
  let next: Service;
  try {
    next = prepare(await loadService(configFile));
  } catch (err) {
    if (err instanceof ConfigError) throw new ReloadRefused(err.problems.map(formatProblem));
    throw new ReloadRefused([(err as Error).message]);
  }
  if (JSON.stringify(storeConfigOf(next.config.service.store)) !== JSON.stringify(current.store.config)) {
    throw new ReloadRefused([`${configFile}: store: changed, and a reload cannot move the store: restart lineofsight to use the new one`]);
  }
  const { timezone, sources } = next.config.service;
  return { ...next, store: current.store, logger: current.logger, observer: current.observer, today: () => dateIn(new Date(), timezone), sources: new SourceRegistry(sources, timezone, current.logger, current.observer) };
}
