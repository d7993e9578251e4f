import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generatedFiles, SCHEMAS_DIR } from './files.js';

/**
 * `npm run schemas`: writes the JSON Schema of every kind of config file into schemas/ and the
 * configuration reference into docs/configuration.md (run from the repository), and removes any
 * schema there that no config file has any more.
 */
const files = generatedFiles();
for (const f of files) {
  await mkdir(path.dirname(f.path), { recursive: true });
  await writeFile(f.path, f.text);
}
const written = new Set(files.map((f) => f.path));
for (const name of await readdir(SCHEMAS_DIR)) {
  const file = `${SCHEMAS_DIR}/${name}`;
  if (name.endsWith('.schema.json') && !written.has(file)) await rm(file);
}
process.stdout.write(`${files.map((f) => f.path).join('\n')}\n`);
