import type { LoadedConfig } from '../config/load.js';
import type { Logger } from '../logger.js';
import type { SourceRegistry } from '../sources/registry.js';
import type { RunHistorySource } from './history.js';
import type { RunRecorder } from './record.js';

/** What running a pipeline needs: its config and sources, and the store only as these two narrow parts. */
export interface RunContext {
  config: LoadedConfig;
  sources: SourceRegistry;
  logger: Logger;
  history: RunHistorySource;
  recorder: RunRecorder;
  now?: () => Date;
  /** Stops the run between periods: the period under way finishes and is recorded. */
  signal?: AbortSignal;
  /** Pauses before each new try of a period whose source failed; none: a failure is recorded at once. */
  retries?: readonly number[];
}
