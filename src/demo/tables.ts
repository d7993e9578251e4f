import type { Knex } from 'knex';

export type Row = Record<string, string | number | null>;

/** A demo table: its portable schema and every row, generated before anything is written. */
export interface DemoTable {
  name: string;
  define(table: Knex.CreateTableBuilder): void;
  rows: Row[];
}

// knex writes a multi-row SQLite insert as SELECTs joined by UNION ALL, and SQLite allows at
// most 500 terms in one compound SELECT.
const ROWS_PER_INSERT = 400;

/**
 * Replaces the tables: drops and recreates them, then inserts every row in one transaction.
 * The schema changes stay outside the transaction because MariaDB commits implicitly on DDL.
 */
export async function writeTables(db: Knex, tables: readonly DemoTable[]): Promise<void> {
  for (const table of tables) await db.schema.dropTableIfExists(table.name);
  for (const table of tables) await db.schema.createTable(table.name, table.define);
  await db.transaction(async (trx) => {
    for (const table of tables) {
      for (let i = 0; i < table.rows.length; i += ROWS_PER_INSERT) {
        await trx(table.name).insert(table.rows.slice(i, i + ROWS_PER_INSERT));
      }
    }
  });
}

/** Numbers rows 1, 2, 3 ... in order, after duplicates have been planted among them. */
export function numbered<T extends Row>(rows: readonly T[]): (T & { id: number })[] {
  return rows.map((row, i) => ({ id: i + 1, ...row }));
}
