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
export function failsWhen(check: RowCheck, db: Dialect): Knex.Raw {
  const raw = (sql: string, bindings: readonly Knex.RawBinding[]) => db.knex.raw(`(${sql})`, bindings);
  const column = check.column;
  switch (check.type) {
    case 'not_null':
      return raw('?? IS NULL', [column]);
    case 'completeness':
      return raw(`?? IS NULL OR CAST(?? AS ${TEXT[db.config.client]}) = ?`, [column, column, '']);
    case 'accepted_values':
      return raw(`?? IS NOT NULL AND ${exact(db)}?? NOT IN (${check.values.map(() => '?').join(', ')})`, [column, column, ...check.values]);
    case 'range': {
      const bounds = ([['<', check.min], ['>', check.max]] as const).filter((b): b is readonly ['<' | '>', number] => b[1] !== undefined);
      if (bounds.length === 0) throw new Error('a range check needs min, max or both');
      const outside = bounds.map(([op]) => `?? ${op} ?`).join(' OR ');
      return raw(`?? IS NOT NULL AND (${outside})`, [column, ...bounds.flatMap(([, bound]) => [column, bound])]);
    }
    case 'pattern':
      return raw(`?? IS NOT NULL AND ${notMatching(db.config.client)}`, [column, column, patternFor(db.config.client, check.regex)]);
    case 'referential': {
      // Qualified by the checked table's own name, not an alias, so a `where` naming it still works.
      const outer = `${tableOf(check)}.${column}`;
      const referenced = db.knex({ [REFERENCED]: check.references.table })
        .select(db.knex.raw('1'))
        .whereRaw(`${exact(db)}?? = ??`, [`${REFERENCED}.${check.references.column}`, outer]);
      return raw('?? IS NOT NULL AND NOT EXISTS ?', [outer, referenced]);
    }
  }
}

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
