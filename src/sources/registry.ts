import type { ServiceConfig, SqlSourceConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { SqlSource, type SourceObserver } from './sql.js';

/** Opens each database source once, on first use, and closes every pool on shutdown. */
export class SourceRegistry {
  private readonly open = new Map<string, SqlSource>();

  constructor(
    private readonly sources: ServiceConfig['sources'],
    private readonly timeZone: string,
    private readonly logger: Logger,
    private readonly observer?: SourceObserver,
  ) {}

  sql(name: string): SqlSource {
    let source = this.open.get(name);
    if (!source) {
      const cfg = this.sources[name];
      if (!cfg || cfg.client === 'csv') throw new Error(`source ${name} is not a database source`);
      source = new SqlSource(name, cfg as SqlSourceConfig, this.timeZone, this.logger, this.observer);
      this.open.set(name, source);
    }
    return source;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(all.map((s) => s.close()));
  }
}
