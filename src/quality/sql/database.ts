import type { Knex } from 'knex';
import type { CheckConfig, SqlSourceConfig } from '../../config/schema.js';

/** What building a check's queries needs: knex for the dialect, and which kind of database it is. */
export interface Dialect {
  knex: Knex;
  config: Pick<SqlSourceConfig, 'client'>;
}

export type { CheckOf as Of } from '../../config/schema.js';

/** A COUNT or SUM as a number: PostgreSQL and MySQL return them as strings, and SUM over no rows is NULL. */
export function countOf(value: unknown): number {
  const n = Number(value ?? 0);
  if (!Number.isFinite(n)) throw new Error(`expected a count, the database returned ${String(value)}`);
  return n;
}
