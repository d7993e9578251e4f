import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dashboardFile, dashboards, JSON_DIR } from './dashboards.js';

/**
 * `npm run dashboards`: writes every dashboard's JSON into dashboards/json/ (run from the
 * repository), and removes any JSON there that no dashboard writes any more.
 */
const files = dashboards().map(dashboardFile);
await mkdir(JSON_DIR, { recursive: true });
for (const f of files) await writeFile(path.join(JSON_DIR, f.name), f.text);
const written = new Set(files.map((f) => f.name));
for (const name of await readdir(JSON_DIR)) if (name.endsWith('.json') && !written.has(name)) await rm(path.join(JSON_DIR, name));
process.stdout.write(`${files.map((f) => path.join(JSON_DIR, f.name)).join('\n')}\n`);
