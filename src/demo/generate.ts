import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { CALLS_EXPORT, contactCentreModel, type PlantedExportProblem } from './contactCentre.js';
import type { DemoTimeline } from './council.js';
import { generateFinance } from './finance.js';
import { generateServices } from './services.js';

export type { PlantedExportProblem } from './contactCentre.js';
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

/** Writes the demo finance and services databases of a timeline as SQLite files in `dir`, replacing any there. */
export async function generateDemoDatabases(dir: string, t: DemoTimeline): Promise<DemoDatabases> {
  await mkdir(dir, { recursive: true });
  const files = { finance: path.join(dir, 'finance.sqlite'), services: path.join(dir, 'services.sqlite') };
  await writeSqlite(files.finance, (db) => generateFinance(db, t));
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
