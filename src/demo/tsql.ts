import type { Knex } from 'knex';
import { quoted } from '../text.js';
import type { DemoTable } from './tables.js';

/** The SQL Server database the demo's finance script creates and fills. */
export const DEMO_FINANCE_DATABASE = 'lineofsight_demo_finance';

/** SQL Server takes at most 1000 rows in one INSERT ... VALUES. */
const ROWS_PER_INSERT = 1000;

/** A column as its table's define() declares it: the SQL Server type it is created as, and how a value is written. */
interface Column {
  name: string;
  type: string;
  /** The value as a T-SQL literal, or undefined when it does not fit the type. */
  literal(value: string | number): string | undefined;
  nullable: boolean;
  primary: boolean;
  index: boolean;
}

const bracketed = (name: string) => `[${name.replaceAll(']', ']]')}]`;

/**
 * Control characters (line breaks among them) are written as NCHAR(n), so that no value can start
 * a line of the script: a value is never read as GO or as a sqlcmd command.
 */
const CONTROL = /([\u0000-\u001f\u007f-\u009f\u2028\u2029])/;

/** A string as N'...' with its quotes doubled; `$(` is split, which sqlcmd would read as one of its variables. */
function text(value: string): string {
  const pieces = value
    .split(CONTROL)
    .map((part, i) => (i % 2 ? `NCHAR(${part.charCodeAt(0)})` : `N'${part.replaceAll("'", "''").replaceAll('$(', () => "$' + N'(")}'`));
  return pieces.filter((piece) => piece !== "N''" || pieces.length === 1).join(' + ');
}

/** A date ('YYYY-MM-DD') or timestamp ('YYYY-MM-DD HH:MM:SS') that is a real day and time, quoted. */
function dated(value: string | number, length: number): string | undefined {
  if (typeof value !== 'string' || value.length !== length || !/^\d{4}-\d\d-\d\d( \d\d:\d\d:\d\d)?$/.test(value)) return undefined;
  const iso = value.replace(' ', 'T');
  const parsed = new Date(`${iso}${length === 10 ? 'T00:00:00' : ''}Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(iso) ? `'${value}'` : undefined;
}

/** A number as JavaScript writes it, when that has at most `precision` digits, `scale` of them after the point. */
function decimal(value: string | number, precision: number, scale: number): string | undefined {
  const written = typeof value === 'number' ? String(value) : '';
  const m = /^-?(\d+)(?:\.(\d+))?$/.exec(written);
  if (!m) return undefined;
  const whole = m[1]!.replace(/^0+/, '').length;
  const fraction = m[2]?.length ?? 0;
  return whole <= precision - scale && fraction <= scale ? written : undefined;
}

const integer = (value: string | number, limit: number) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= -limit && value < limit ? String(value) : undefined;

/** The columns a table's define() declares, read by running it on a builder that records them. */
function columnsOf(table: DemoTable): Column[] {
  const columns: Column[] = [];
  const add = (name: string, type: string, literal: Column['literal']) => {
    const column: Column = { name, type, literal, nullable: true, primary: false, index: false };
    columns.push(column);
    const modifiers = {
      primary: () => ((column.primary = true), (column.nullable = false), modifiers),
      notNullable: () => ((column.nullable = false), modifiers),
      nullable: () => ((column.nullable = true), modifiers),
      index: () => ((column.index = true), modifiers),
    };
    return modifiers;
  };
  // The types knex gives these columns on SQL Server, so the script creates what writeTables would there.
  const types: Record<string, (name: string, ...args: never[]) => unknown> = {
    string: (name: string, length = 255) => add(name, `nvarchar(${length})`, (v) => (typeof v === 'string' && v.length <= length ? text(v) : undefined)),
    integer: (name: string) => add(name, 'int', (v) => integer(v, 2 ** 31)),
    bigInteger: (name: string) => add(name, 'bigint', (v) => integer(v, 2 ** 53)),
    decimal: (name: string, precision = 8, scale = 2) => add(name, `decimal(${precision}, ${scale})`, (v) => decimal(v, precision, scale)),
    date: (name: string) => add(name, 'date', (v) => dated(v, 10)),
    datetime: (name: string) => add(name, 'datetime2', (v) => dated(v, 19)),
  };
  const recorder = new Proxy(types, {
    get: (target, method) => target[String(method)] ?? (() => { throw new Error(`${table.name}: the T-SQL script has no SQL Server type for table.${String(method)}()`); }),
  });
  table.define(recorder as unknown as Knex.CreateTableBuilder);
  return columns;
}

function createTable(table: DemoTable, columns: Column[]): string[] {
  const name = `[dbo].${bracketed(table.name)}`;
  const primary = columns.filter((c) => c.primary).map((c) => bracketed(c.name));
  const lines = columns.map((c) => `  ${bracketed(c.name)} ${c.type} ${c.nullable ? 'NULL' : 'NOT NULL'}`);
  if (primary.length) lines.push(`  CONSTRAINT ${bracketed(`${table.name}_pkey`)} PRIMARY KEY (${primary.join(', ')})`);
  return [
    `CREATE TABLE ${name} (\n${lines.join(',\n')}\n);`,
    ...columns.filter((c) => c.index).map((c) => `CREATE INDEX ${bracketed(`${table.name}_${c.name}_index`)} ON ${name} (${bracketed(c.name)});`),
  ];
}

/** The table's rows as INSERT statements of at most 1000 rows, one a batch: each row on a line of its own. */
function inserts(table: DemoTable, columns: Column[]): string[] {
  const known = new Set(columns.map((c) => c.name));
  const rows = table.rows.map((row, i) => {
    const where = `the T-SQL script: ${table.name} row ${i + 1}`;
    const unknown = Object.keys(row).find((key) => !known.has(key));
    if (unknown !== undefined) throw new Error(`${where}, column ${unknown}: the table has no such column`);
    const values = columns.map((column) => {
      const value = row[column.name] ?? null;
      const at = `${where}, column ${column.name}`;
      if (value === null) {
        if (!column.nullable) throw new Error(`${at}: NULL in a NOT NULL column`);
        return 'NULL';
      }
      if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${at}: ${value} is not a finite number`);
      const literal = column.literal(value);
      if (literal === undefined) throw new Error(`${at}: ${quoted(String(value))} does not fit ${column.type}`);
      return literal;
    });
    return `(${values.join(', ')})`;
  });
  const head = `INSERT INTO [dbo].${bracketed(table.name)} (${columns.map((c) => bracketed(c.name)).join(', ')}) VALUES`;
  const batches: string[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) batches.push(`${head}\n${rows.slice(i, i + ROWS_PER_INSERT).join(',\n')};`);
  return batches;
}

const HEADER = `-- lineofsight demo tables for SQL Server, with the rows of the SQLite database written beside
-- this script. Safe to run on every start: it creates the database when it is missing, then
-- replaces the tables in one transaction. Run it with sqlcmd -b, so that a failed batch stops the
-- script (the transaction is rolled back, and the tables stand as they were).
`;

/**
 * The T-SQL script that creates `database` on SQL Server (when it does not exist) and replaces
 * `tables` in it with their rows: batches separated by GO lines, as sqlcmd runs them. A value
 * that does not fit its column (not a finite number, too long, not a date) throws, naming the
 * table, row and column.
 */
export function tsqlScript(database: string, tables: readonly DemoTable[]): string {
  const defined = tables.map((table) => ({ table, columns: columnsOf(table) }));
  const batches = [
    `SET NOCOUNT ON;\nIF DB_ID(${text(database)}) IS NULL CREATE DATABASE ${bracketed(database)};`,
    `USE ${bracketed(database)};`,
    [
      'SET XACT_ABORT ON;',
      'BEGIN TRANSACTION;',
      ...tables.map((table) => `DROP TABLE IF EXISTS [dbo].${bracketed(table.name)};`),
      ...defined.flatMap(({ table, columns }) => createTable(table, columns)),
    ].join('\n'),
    ...defined.flatMap(({ table, columns }) => inserts(table, columns)),
    'COMMIT TRANSACTION;',
  ];
  // GO ends a batch wherever it stands alone on a line: only the separators may.
  for (const batch of batches) {
    if (batch.split(/\r\n|[\n\r\u0085\u2028\u2029]/).some((line) => /^\s*go\b/i.test(line))) throw new Error('the T-SQL script would have a line read as GO inside a batch');
  }
  return `${HEADER}${batches.map((batch) => `${batch}\nGO\n`).join('')}`;
}
