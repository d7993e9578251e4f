import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { generateFinance } from './finance.js';
import { generateServices } from './services.js';

export { COUNCIL_HOMES, COUNCIL_NAME, DEMO_YEARS } from './council.js';
export { HOUSEHOLDS } from './councilTax.js';
export { financeTables, generateFinance } from './finance.js';
export { plantedProblems, type PlantedProblem } from './problems.js';
export { generateServices, servicesTables } from './services.js';

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

/** Writes the demo finance and services databases as SQLite files in `dir`, replacing any there. */
export async function generateDemoDatabases(dir: string): Promise<DemoDatabases> {
  await mkdir(dir, { recursive: true });
  const files = { finance: path.join(dir, 'finance.sqlite'), services: path.join(dir, 'services.sqlite') };
  await writeSqlite(files.finance, generateFinance);
  await writeSqlite(files.services, generateServices);
  return files;
}
