import type { Knex } from 'knex';
import type { CheckConfig, SqlSourceConfig } from '../../config/schema.js';
import type { SqlSource } from '../../sources/sql.js';

/** What building a check's queries needs: knex for the dialect, and which kind of database it is. */
export interface Dialect {
  knex: Knex;
  config: Pick<SqlSourceConfig, 'client'>;
}

export type { CheckOf as Of } from '../../config/schema.js';

/** Runs a built query under the source's query timeout; PostgreSQL and MySQL cancel it on the server. */
export async function rowsFrom(source: SqlSource, query: Knex.QueryBuilder): Promise<Record<string, unknown>[]> {
  const cancel = source.config.client === 'pg' || source.config.client === 'mysql';
  try {
    return await query.timeout(source.config.query_timeout, { cancel });
  } catch (err) {
    throw new Error(`source ${source.name} (${source.config.client}): ${(err as Error).message ?? String(err)}`);
  }
}

/** A COUNT or SUM as a number: PostgreSQL and MySQL return them as strings, and SUM over no rows is NULL. */
export function countOf(value: unknown): number {
  const n = Number(value ?? 0);
  if (!Number.isFinite(n)) throw new Error(`expected a count, the database returned ${String(value)}`);
  return n;
}
