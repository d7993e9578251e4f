import { Store } from '../store/store.js';
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
