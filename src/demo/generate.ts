import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { DemoTimeline } from './council.js';
import { generateFinance } from './finance.js';
import { generateServices } from './services.js';

export { COUNCIL_HOMES, COUNCIL_NAME, demoTimeline, WRITTEN_YEARS, type DemoTimeline } from './council.js';
export { HOUSEHOLDS } from './councilTax.js';
export { financeTables, generateFinance } from './finance.js';
export { plantedProblems, type PlantedProblem } from './problems.js';
export { generateServices, servicesTables } from './services.js';
export { WASTE_RETURN_LAG_MONTHS } from './waste.js';

export interface DemoDatabases {
  finance: string;
  services: string;
}

async function writeSqlite(file: string, generate: (db: Knex) => Promise<void>): Promise<void> {
  // Written aside and renamed into place, so a service reading the demo never sees half a database.
  const temporary = `${file}.${process.pid}.tmp`;
  await rm(temporary, { force: true });
  const db = knexFactory({ client: 'better-sqlite3', connection: { filename: temporary }, useNullAsDefault: true });
  try {
    await generate(db);
  } finally {
    await db.destroy();
  }
  await rename(temporary, file);
}

/** Writes the demo finance and services databases of a timeline as SQLite files in `dir`, replacing any there. */
export async function generateDemoDatabases(dir: string, t: DemoTimeline): Promise<DemoDatabases> {
  await mkdir(dir, { recursive: true });
  const files = { finance: path.join(dir, 'finance.sqlite'), services: path.join(dir, 'services.sqlite') };
  await writeSqlite(files.finance, (db) => generateFinance(db, t));
  await writeSqlite(files.services, (db) => generateServices(db, t));
  return files;
}
