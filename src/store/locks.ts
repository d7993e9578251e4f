import type { Knex } from 'knex';

/**
 * Takes the store's lock on `name` for the rest of the transaction `trx`: a row of store_locks
 * written first thing, so that a second transaction after the same thing (the same pipeline and
 * period, the same risk) waits for the first to commit before it reads anything. On PostgreSQL
 * that is the row's lock; on SQLite the write takes the database's write lock at once, as an
 * immediate transaction does, so a transaction that reads then writes never finds its reads stale.
 */
export async function lockFor(trx: Knex.Transaction, name: string, at: Date): Promise<void> {
  await trx('store_locks').insert({ name, taken_at: at.toISOString() }).onConflict('name').ignore();
  await trx('store_locks').where('name', name).update({ taken_at: at.toISOString() });
}
