import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { escapingPattern } from '../../config/paths.js';
import { quoted } from '../../text.js';

/**
 * The files that `patterns` (globs relative to `directory`) name, sorted so that a run reads
 * them in the same order every time. A pattern that matches nothing is an error: it is almost
 * always a wrong folder or a renamed export, and reading nothing would report zeros. A pattern
 * that leaves the directory is refused, and so is a match that does (a link pointing out of it).
 */
export async function matchFiles(directory: string, patterns: string | readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  const list = typeof patterns === 'string' ? [patterns] : patterns;
  const root = await realpath(directory).catch(() => undefined);
  if (root === undefined) throw new Error(`csv.files pattern ${quoted(list[0] ?? '')} matches no files in ${path.resolve(directory)}: the folder does not exist`);
  for (const pattern of list) {
    const escape = escapingPattern(pattern);
    if (escape) throw new Error(`csv.files pattern ${quoted(pattern)} ${escape}`);
    const matches = await glob(pattern, { cwd: directory, onlyFiles: true, expandDirectories: false, followSymbolicLinks: false });
    if (matches.length === 0) {
      throw new Error(`csv.files pattern ${quoted(pattern)} matches no files in ${path.resolve(directory)}`);
    }
    for (const m of matches) {
      const file = path.join(directory, m);
      const real = await realpath(file);
      if (real !== root && !real.startsWith(root + path.sep)) throw new Error(`csv.files pattern ${quoted(pattern)} matches ${m}, which leads out of the source's directory`);
      found.add(file);
    }
  }
  return [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
