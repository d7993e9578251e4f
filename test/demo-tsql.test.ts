import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FINANCE_DATABASE, demoTimeline, financeTables, generateDemoDatabases, tsqlScript } from '../src/demo/generate.js';
import type { DemoTable, Row } from '../src/demo/tables.js';

// SQL Server cannot run here: the script is read back as sqlcmd would split it, and its rows
// compared with the SQLite database written from the same tables. test/mssql.test.ts checks the
// pipelines' SQL against it and, given LINEOFSIGHT_TEST_MSSQL_URL, loads it into a real server.
const T = demoTimeline('2026-04-01');

/** A line sqlcmd runs as its batch separator: GO alone, with an optional count. */
const SEPARATOR = /^[ \t]*go[ \t]*(\d+[ \t]*)?$/i;

/** The batches of a script as sqlcmd splits them. */
function batchesOf(script: string): string[] {
  const batches: string[][] = [[]];
  for (const line of script.split('\n')) {
    if (SEPARATOR.test(line)) batches.push([]);
    else batches.at(-1)!.push(line);
  }
  return batches.map((lines) => lines.join('\n')).filter((batch) => batch.trim() !== '');
}

interface Insert {
  table: string;
  columns: string[];
  rows: (string | number | null)[][];
}

/** The INSERT ... VALUES statements of one batch, their literals read back: N'...' (and NCHAR(n)) as text, '...' as a date, numbers, NULL. */
function insertsOf(batch: string): Insert[] {
  const out: Insert[] = [];
  const head = /INSERT INTO \[dbo\]\.\[(\w+)\] \(([^)]*)\) VALUES\n/g;
  for (let m = head.exec(batch); m; m = head.exec(batch)) {
    let at = head.lastIndex;
    const token = (re: RegExp) => {
      re.lastIndex = at;
      const found = re.exec(batch);
      if (found) at = re.lastIndex;
      return found;
    };
    const expected = (re: RegExp) => {
      if (!token(re)) throw new Error(`expected ${re.source} at ${JSON.stringify(batch.slice(at, at + 60))}`);
    };
    const value = (): string | number | null => {
      if (token(/NULL/y)) return null;
      const number = token(/-?\d+(?:\.\d+)?(?=[,)])/y);
      if (number) return Number(number[0]);
      const date = token(/'([^']*)'/y);
      if (date) return date[1]!;
      let text = '';
      do {
        const piece = token(/N'((?:[^']|'')*)'|NCHAR\((\d+)\)/y);
        if (!piece) throw new Error(`unreadable value at ${JSON.stringify(batch.slice(at, at + 60))}`);
        text += piece[1] !== undefined ? piece[1].replaceAll("''", "'") : String.fromCharCode(Number(piece[2]));
      } while (token(/ \+ /y));
      return text;
    };
    const rows: Insert['rows'] = [];
    for (;;) {
      expected(/\(/y);
      const row = [value()];
      while (token(/, /y)) row.push(value());
      expected(/\)/y);
      rows.push(row);
      if (token(/;/y)) break;
      expected(/,\n/y);
    }
    head.lastIndex = at;
    out.push({ table: m[1]!, columns: [...m[2]!.matchAll(/\[(\w+)\]/g)].map((c) => c[1]!), rows });
  }
  return out;
}

/** Every row the script inserts, by table, as objects keyed by column. */
function rowsOf(script: string): Map<string, Record<string, unknown>[]> {
  const tables = new Map<string, Record<string, unknown>[]>();
  for (const batch of batchesOf(script)) {
    for (const insert of insertsOf(batch)) {
      const rows = tables.get(insert.table) ?? [];
      for (const row of insert.rows) rows.push(Object.fromEntries(insert.columns.map((c, i) => [c, row[i]])));
      tables.set(insert.table, rows);
    }
  }
  return tables;
}

/** The columns of each CREATE TABLE: name and the rest of its line (type and nullability). */
function createdOf(script: string): Map<string, [name: string, type: string][]> {
  const tables = new Map<string, [string, string][]>();
  for (const m of script.matchAll(/^CREATE TABLE \[dbo\]\.\[(\w+)\] \(\n([\s\S]*?)\n\);$/gm)) {
    tables.set(m[1]!, [...m[2]!.matchAll(/^ {2}\[(\w+)\] (.*?),?$/gm)].map((c) => [c[1]!, c[2]!]));
  }
  return tables;
}

describe('the demo finance database as a T-SQL script', () => {
  let dir: string;
  let files: { finance: string; financeSql: string };
  let script: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lineofsight-tsql-'));
    files = await generateDemoDatabases(dir, T);
    script = await readFile(files.financeSql, 'utf8');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is written as finance.sql beside finance.sqlite, the same text the tables give each time', () => {
    expect(path.basename(files.financeSql)).toBe('finance.sql');
    expect(path.dirname(files.financeSql)).toBe(path.dirname(files.finance));
    expect(script).toBe(tsqlScript(DEMO_FINANCE_DATABASE, financeTables(T)));
  });

  it('creates the database when missing, then replaces every table in one transaction: safe to run on every start', () => {
    const batches = batchesOf(script);
    const tables = financeTables(T).map((t) => t.name);
    expect(batches[0]).toMatch(/^IF DB_ID\(N'lineofsight_demo_finance'\) IS NULL CREATE DATABASE \[lineofsight_demo_finance\];$/m);
    expect(batches[1]).toBe('USE [lineofsight_demo_finance];');
    const ddl = batches[2]!.split('\n');
    expect(ddl.slice(0, 2 + tables.length)).toEqual(['SET XACT_ABORT ON;', 'BEGIN TRANSACTION;', ...tables.map((t) => `DROP TABLE IF EXISTS [dbo].[${t}];`)]);
    expect([...createdOf(script).keys()]).toEqual(tables);
    expect(batches.at(-1)).toBe('COMMIT TRANSACTION;');
    for (const batch of batches.slice(3, -1)) expect(batch).toMatch(/^INSERT INTO /);
  });

  it('holds every row of every table as the SQLite database does, at most 1000 to an INSERT', async () => {
    const sqlite = knexFactory({ client: 'better-sqlite3', connection: { filename: files.finance, options: { readonly: true } }, useNullAsDefault: true });
    try {
      const inserted = rowsOf(script);
      const names = (await sqlite('sqlite_master').where('type', 'table').pluck('name')).sort();
      expect([...inserted.keys()].sort()).toEqual(names);
      let rows = 0;
      for (const name of names) {
        const expected = await sqlite(name).select('*').orderByRaw('rowid');
        expect(expected.length, name).toBeGreaterThan(0);
        expect(inserted.get(name), name).toEqual(expected);
        rows += expected.length;
        const columns = (await sqlite.raw(`PRAGMA table_info(${name})`)) as { name: string }[];
        expect(createdOf(script).get(name)!.map(([c]) => c), name).toEqual(columns.map((c) => c.name));
      }
      expect(rows).toBe(financeTables(T).reduce((sum, t) => sum + t.rows.length, 0));
      for (const batch of batchesOf(script)) for (const insert of insertsOf(batch)) expect(insert.rows.length).toBeLessThanOrEqual(1000);
    } finally {
      await sqlite.destroy();
    }
  });

  it('gives each column the type knex gives it on SQL Server, NOT NULL where the table says so', () => {
    const mssql = knexFactory({ client: 'mssql' });
    const created = createdOf(script);
    for (const table of financeTables(T)) {
      const [create] = mssql.schema.createTable(table.name, table.define).toSQL() as { sql: string }[];
      const knexTypes = [...create!.sql.matchAll(/\[(\w+)\] ([a-z0-9]+(?:\(\d+(?:, \d+)?\))?)( not null| null)?/g)].map((m) => [m[1]!, m[2]!, m[3]]);
      const ours = created.get(table.name)!;
      expect(ours.map(([name, type]) => [name, type.replace(/ (NOT )?NULL$/, '')]), table.name).toEqual(knexTypes.map(([name, type]) => [name, type]));
      // A primary key column is NOT NULL whether or not knex writes it.
      for (const [name, type, nullability] of knexTypes) if (nullability === ' not null') expect(ours.find(([c]) => c === name)![1], `${table.name}.${name}`).toMatch(/ NOT NULL$/);
    }
    expect(Object.fromEntries(created.get('invoices')!)).toEqual({
      id: 'int NOT NULL',
      invoice_number: 'nvarchar(20) NOT NULL',
      supplier_name: 'nvarchar(80) NULL',
      cost_centre_code: 'nvarchar(8) NOT NULL',
      amount: 'decimal(12, 2) NOT NULL',
      received_date: 'date NOT NULL',
      due_date: 'date NOT NULL',
      paid_date: 'date NULL',
      created_at: 'datetime2 NOT NULL',
    });
  });
});

describe('values the T-SQL script writes', () => {
  const notes = (rows: Row[]): DemoTable => ({
    name: 'notes',
    define: (t) => {
      t.integer('id').primary();
      t.string('note', 60).nullable();
      t.decimal('amount', 10, 2).notNullable();
      t.date('noted_on').notNullable();
    },
    rows,
  });
  const row = (id: number, values: Partial<Row> = {}): Row => ({ id, note: 'fine', amount: 12.5, noted_on: '2024-05-01', ...values });

  it('keep quotes, N prefixes, line breaks and GO inside the data, and no line of it can be read as GO or a sqlcmd command', () => {
    const texts = [
      "O'Brien's", "N'Malley'", "'; DROP TABLE notes; --", 'GO', 'go 5', 'one\nGO\nthree', '\r\nGO\r\n', 'x\n  go  \ny', ':r /etc/passwd', 'a\n!!rm -rf /',
      'a\n:setvar x y', '$(SQLCMDSERVER)', 'costs $(x) and $', 'tab\there', 'Ynys Môn: café 🏴󠁧󠁢󠁷󠁬󠁳󠁿', '', 'line\u2028GO', 'nul\u0000byte', "''", 'N',
    ];
    const rows = [...texts.map((note, i) => row(i + 1, { note })), row(texts.length + 1, { note: null, amount: -0.07 })];
    const script = tsqlScript('lineofsight_test', [notes(rows)]);
    expect(rowsOf(script).get('notes')).toEqual(rows);
    expect(script).toContain("N'O''Brien''s'");
    expect(script).toContain("N'N''Malley'''");
    expect(script).toContain("N'one' + NCHAR(10) + N'GO' + NCHAR(10) + N'three'");

    const lines = script.split(/\r\n|[\n\r\u0085\u2028\u2029]/);
    expect(lines.filter((l) => SEPARATOR.test(l))).toEqual(Array(5).fill('GO')); // create the database, use it, the tables, one INSERT, commit
    expect(lines.filter((l) => /^\s*(:|!!)/.test(l))).toEqual([]);
    expect(script).not.toContain('$(');
    for (const line of lines.filter((l) => l.startsWith('(')).slice(0, -1)) expect(line).toMatch(/^\(\d+, .*, -?\d+(\.\d+)?, '\d{4}-\d\d-\d\d'\),$/);
  });

  it.each([NaN, Infinity, -Infinity])('refuses %s, naming the table, row and column', (amount) => {
    expect(() => tsqlScript('t', [notes([row(1), row(2, { amount })])])).toThrow(`the T-SQL script: notes row 2, column amount: ${amount} is not a finite number`);
  });

  it.each([
    ['a number with float noise', { amount: 0.1 + 0.2 }, 'column amount: "0.30000000000000004" does not fit decimal(10, 2)'],
    ['too many digits', { amount: 123_456_789 }, 'column amount: "123456789" does not fit decimal(10, 2)'],
    ['a string too long', { note: 'x'.repeat(61) }, 'column note: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"... (61 characters) does not fit nvarchar(60)'],
    ['a number for text', { note: 5 }, 'column note: "5" does not fit nvarchar(60)'],
    ['a day that is not a date', { noted_on: '2024-02-30' }, 'column noted_on: "2024-02-30" does not fit date'],
    ['an id past int', { id: 2 ** 31 }, 'column id: "2147483648" does not fit int'],
    ['a NULL where the table allows none', { amount: null }, 'column amount: NULL in a NOT NULL column'],
    ['a column the table lacks', { extra: 1 }, 'column extra: the table has no such column'],
  ])('refuses %s, naming where', (_what, values, message) => {
    expect(() => tsqlScript('t', [notes([row(1, values as Partial<Row>)])])).toThrow(`the T-SQL script: notes row 1, ${message}`);
  });

  it('refuses a column type it has no SQL Server type for, and quotes odd names', () => {
    expect(() => tsqlScript('t', [{ name: 'flags', define: (t) => void t.boolean('on'), rows: [] }])).toThrow('flags: the T-SQL script has no SQL Server type for table.boolean()');
    const script = tsqlScript("odd]name's", [notes([row(1)])]);
    expect(script).toContain("IF DB_ID(N'odd]name''s') IS NULL CREATE DATABASE [odd]]name's];");
    expect(script).toContain("USE [odd]]name's];");
  });
});
