import type { SourceRegistry } from './registry.js';
import type { SqlSource } from './sql.js';

/** A count of permits handed out in turn. */
class Permits {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.free = limit;
  }

  async hold<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/** The methods of a source that send a query to it. */
const QUERIES = new Set<PropertyKey>(['aggregate', 'rows', 'newestRecord']);

/**
 * `sources` with at most `limit` queries at once on each database source. Lanes bound the
 * periods under way per source, but one period may query two at once (a reconciliation's two
 * totals, a referential check across databases) and a check may query another source: the bound
 * is kept per query, each holding its permit only while it runs, so none waits on another.
 */
export function boundedSources(sources: SourceRegistry, limit: number): SourceRegistry {
  const wrapped = new Map<string, SqlSource>();
  const permits = new Map<string, Permits>();
  const limited = (name: string): SqlSource => {
    let source = wrapped.get(name);
    if (!source) {
      const inner = sources.sql(name);
      const turns = permits.get(name) ?? new Permits(limit);
      permits.set(name, turns);
      source = new Proxy(inner, {
        get(target, key) {
          const value = Reflect.get(target, key, target) as unknown;
          if (typeof value !== 'function') return value;
          const method = value as (...args: unknown[]) => Promise<unknown>;
          return QUERIES.has(key) ? (...args: unknown[]) => turns.hold(() => method.apply(target, args)) : method.bind(target);
        },
      });
      wrapped.set(name, source);
    }
    return source;
  };
  return new Proxy(sources, {
    get(target, key) {
      if (key === 'sql') return limited;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
