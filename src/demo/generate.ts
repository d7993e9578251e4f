import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { CALLS_EXPORT, contactCentreModel, type PlantedExportProblem } from './contactCentre.js';
import type { DemoTimeline } from './council.js';
import { financeTables } from './finance.js';
import { generateServices } from './services.js';
import { writeTables, type DemoTable } from './tables.js';
import { DEMO_FINANCE_DATABASE, tsqlScript } from './tsql.js';

export type { PlantedExportProblem } from './contactCentre.js';
export { COUNCIL_HOMES, COUNCIL_NAME, demoTimeline, WRITTEN_YEARS, type DemoTimeline } from './council.js';
export { HOUSEHOLDS } from './councilTax.js';
export { financeTables, generateFinance } from './finance.js';
export { plantedProblems, type PlantedProblem } from './problems.js';
export { generateServices, servicesTables } from './services.js';
export { DEMO_FINANCE_DATABASE, tsqlScript } from './tsql.js';
export { WASTE_RETURN_LAG_MONTHS } from './waste.js';

export interface DemoDatabases {
  finance: string;
  /** The finance database again, as a T-SQL script that loads it into SQL Server (see tsql.ts). */
  financeSql: string;
  services: string;
}

export interface DemoExports {
  files: string[];
  planted: PlantedExportProblem[];
}

/** Writes a file aside and renames it into place, so a service reading the demo never sees half of it. */
async function writeAside(file: string, write: (temporary: string) => Promise<void>): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await rm(temporary, { force: true });
  await write(temporary);
  await rename(temporary, file);
}

async function writeSqlite(file: string, generate: (db: Knex) => Promise<void>): Promise<void> {
  await writeAside(file, async (temporary) => {
    const db = knexFactory({ client: 'better-sqlite3', connection: { filename: temporary }, useNullAsDefault: true });
    try {
      await generate(db);
    } finally {
      await db.destroy();
    }
  });
}

/** Writes `tables` as the T-SQL script that loads them into `database` on SQL Server (see tsql.ts). */
async function writeTsql(file: string, database: string, tables: readonly DemoTable[]): Promise<void> {
  await writeAside(file, (temporary) => writeFile(temporary, tsqlScript(database, tables)));
}

/**
 * Writes the demo finance and services databases of a timeline as SQLite files in `dir`, and the
 * finance database as a T-SQL script beside them (finance.sql, for a SQL Server to load), replacing any there.
 */
export async function generateDemoDatabases(dir: string, t: DemoTimeline): Promise<DemoDatabases> {
  await mkdir(dir, { recursive: true });
  const files = { finance: path.join(dir, 'finance.sqlite'), financeSql: path.join(dir, 'finance.sql'), services: path.join(dir, 'services.sqlite') };
  const finance = financeTables(t);
  await writeSqlite(files.finance, (db) => writeTables(db, finance));
  await writeTsql(files.financeSql, DEMO_FINANCE_DATABASE, finance);
  await writeSqlite(files.services, (db) => generateServices(db, t));
  return files;
}

/**
 * Writes the demo's CSV exports of a timeline (the contact centre's calls, a file a month) into
 * `dir`, and removes the exports of months the timeline does not have, which a pipeline would
 * read as its own; other files in `dir` are left alone.
 */
export async function generateDemoExports(dir: string, t: DemoTimeline): Promise<DemoExports> {
  await mkdir(dir, { recursive: true });
  const { exports, planted } = contactCentreModel(t);
  const names = new Set(exports.map((e) => e.name));
  for (const name of await readdir(dir)) if (CALLS_EXPORT.test(name) && !names.has(name)) await rm(path.join(dir, name));
  const files: string[] = [];
  for (const e of exports) {
    const file = path.join(dir, e.name);
    await writeAside(file, (temporary) => writeFile(temporary, e.text));
    files.push(file);
  }
  return { files, planted };
}
