import { dateIn, type LocalDate } from '../calendar/localDate.js';
import { createLogger, type Logger } from '../logger.js';
import type { RunContext } from '../runs/context.js';
import { observedRecorder, type RunObserver } from '../runs/record.js';
import type { SourceObserver } from '../sources/sql.js';
import { SourceRegistry } from '../sources/registry.js';
import { Store } from '../store/store.js';
import type { Service } from './service.js';

/** The service with its store migrated and its sources ready to open: what every use case runs on. */
export interface OpenService extends Service {
  store: Store;
  sources: SourceRegistry;
  logger: Logger;
  /** Today in the service's timezone. */
  today(): LocalDate;
  observer?: Observer;
}

export interface OpenOptions {
  logger?: Logger;
  /** Told of the work done (runs recorded, source queries): a serving process's own metrics. */
  observer?: Observer;
  /** Migrate the store before `work` (the default); a server migrates once the store answers. */
  migrate?: boolean;
}

/** What the serving process's metrics of its own work are told. */
export type Observer = RunObserver & SourceObserver;

/** Opens the store (migrating it first) and the sources for `service`, runs `work`, and closes both whatever it did. */
export async function withService<T>(service: Service, work: (open: OpenService) => Promise<T>, options: OpenOptions = {}): Promise<T> {
  const { config } = service;
  const logger = options.logger ?? createLogger();
  const store = new Store(config.service.store);
  const sources = new SourceRegistry(config.service.sources, config.service.timezone, logger, options.observer);
  try {
    if (options.migrate !== false) await store.migrate();
    return await work({ ...service, store, sources, logger, today: () => dateIn(new Date(), config.service.timezone), observer: options.observer });
  } finally {
    await sources.closeAll();
    await store.close();
  }
}

/** What a pipeline run is given of an open service. */
export function runContextOf(open: OpenService, extra: Pick<RunContext, 'now' | 'signal' | 'retries'> = {}): RunContext {
  const { history, recorder } = open.store.forRuns();
  return { config: open.config, sources: open.sources, logger: open.logger, history, recorder: open.observer ? observedRecorder(recorder, open.observer) : recorder, ...extra };
}
