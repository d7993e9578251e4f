import type { Knex } from 'knex';
import type { SqlSourceConfig } from '../../config/schema.js';
import type { Dialect, Of } from './database.js';
import { tableOf } from './scope.js';

/** Checks decided row by row, each by a condition a failing row meets. */
export type RowCheck = Of<'not_null' | 'accepted_values' | 'range' | 'pattern' | 'completeness' | 'referential'>;

/** A type every value can be cast to, to compare with '' or match a pattern whatever the column's type. */
const TEXT: Record<SqlSourceConfig['client'], string> = { pg: 'TEXT', mysql: 'CHAR', sqlite: 'TEXT', mssql: 'NVARCHAR(MAX)' };

/** Alias of the referenced table, unlikely to be a real table name, so a self-reference still resolves. */
const REFERENCED = 'lineofsight_ref';

/** The condition a failing row meets, in parentheses so that it can be ANDed with the scope. */
export type FailsWhen<C> = (check: C, db: Dialect) => Knex.Raw;

const raw = (db: Dialect, sql: string, bindings: readonly Knex.RawBinding[]) => db.knex.raw(`(${sql})`, bindings);

export const nullFails: FailsWhen<Of<'not_null'>> = (check, db) => raw(db, '?? IS NULL', [check.column]);

export const emptyFails: FailsWhen<Of<'completeness'>> = (check, db) =>
  raw(db, `?? IS NULL OR CAST(?? AS ${TEXT[db.config.client]}) = ?`, [check.column, check.column, '']);

export const unacceptedFails: FailsWhen<Of<'accepted_values'>> = (check, db) =>
  raw(db, `?? IS NOT NULL AND ${exact(db)}?? NOT IN (${check.values.map(() => '?').join(', ')})`, [check.column, check.column, ...check.values]);

export const outOfRangeFails: FailsWhen<Of<'range'>> = (check, db) => {
  const bounds = ([['<', check.min], ['>', check.max]] as const).filter((b): b is readonly ['<' | '>', number] => b[1] !== undefined);
  if (bounds.length === 0) throw new Error('a range check needs min, max or both');
  const outside = bounds.map(([op]) => `?? ${op} ?`).join(' OR ');
  return raw(db, `?? IS NOT NULL AND (${outside})`, [check.column, ...bounds.flatMap(([, bound]) => [check.column, bound])]);
};

export const unmatchedFails: FailsWhen<Of<'pattern'>> = (check, db) =>
  raw(db, `?? IS NOT NULL AND ${notMatching(db.config.client)}`, [check.column, check.column, patternFor(db.config.client, check.regex)]);

export const unreferencedFails: FailsWhen<Of<'referential'>> = (check, db) => {
  // Qualified by the checked table's own name, not an alias, so a `where` naming it still works.
  const outer = `${tableOf(check)}.${check.column}`;
  const referenced = db.knex({ [REFERENCED]: check.references.table })
    .select(db.knex.raw('1'))
    .whereRaw(`${exact(db)}?? = ??`, [`${REFERENCED}.${check.references.column}`, outer]);
  return raw(db, '?? IS NOT NULL AND NOT EXISTS ?', [outer, referenced]);
};

/**
 * MariaDB's usual collations compare text ignoring case and trailing spaces ('hsg01 ' = 'HSG01'),
 * where PostgreSQL, SQLite and CSV files see different values: comparing bytes gives one answer.
 */
function exact(db: Dialect): string {
  return db.config.client === 'mysql' ? 'BINARY ' : '';
}

function notMatching(client: SqlSourceConfig['client']): string {
  switch (client) {
    case 'pg':
      return `CAST(?? AS ${TEXT.pg}) !~ ?`;
    case 'mysql':
    case 'sqlite':
      // SQLite's REGEXP calls a regexp() function that sources.sql registers on every connection.
      return '?? NOT REGEXP ?';
    case 'mssql':
      throw new Error('SQL Server has no regular expressions: a pattern check cannot run there (use a sql check with LIKE)');
  }
}

/**
 * MariaDB and MySQL match case-insensitively under the usual collations, PostgreSQL and SQLite do
 * not: switching case-insensitivity off makes one pattern mean the same on all of them.
 */
function patternFor(client: SqlSourceConfig['client'], regex: string): string {
  return client === 'mysql' ? `(?-i)${regex}` : regex;
}
