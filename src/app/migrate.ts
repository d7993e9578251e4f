import { pauseFor } from '../deadline.js';
import type { Logger } from '../logger.js';
import { StoreFault } from '../runs/record.js';
import { NewerSchema, Store } from '../store/store.js';
import type { Service } from './service.js';

/** Brings the store's tables up to date; the names of the migrations applied. */
export async function migrateStore(service: Service): Promise<string[]> {
  const store = new Store(service.config.service.store);
  try {
    return await store.migrate();
  } finally {
    await store.close();
  }
}

/**
 * Migrates `store` once it answers: a service that starts while its store is down keeps
 * serving its health and its own metrics, trying again with a growing pause (to 30 s) until the
 * store is back or `signal` stops it. Any error that is not the store's is thrown at once, and so
 * is a store migrated by a newer release.
 */
export async function migrateWhenReachable(store: Store, logger: Logger, signal: AbortSignal): Promise<boolean> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      await store.migrate();
      if (attempt > 1) logger.info({ store: store.name }, 'store reachable: migrated');
      return true;
    } catch (err) {
      if (!(err instanceof StoreFault) || err instanceof NewerSchema) throw err;
      const pause = Math.min(1000 * 2 ** (attempt - 1), 30_000);
      logger.error({ err: err.message, retryInSeconds: pause / 1000 }, 'store not reachable: will try again');
      await pauseFor(pause, signal);
    }
  }
  return false;
}
