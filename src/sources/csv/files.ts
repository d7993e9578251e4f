import path from 'node:path';
import { glob } from 'tinyglobby';

/**
 * The files that `patterns` (globs relative to `directory`) name, sorted so that a run reads
 * them in the same order every time. A pattern that matches nothing is an error: it is almost
 * always a wrong folder or a renamed export, and reading nothing would report zeros.
 */
export async function matchFiles(directory: string, patterns: string | readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of typeof patterns === 'string' ? [patterns] : patterns) {
    const matches = await glob(pattern, { cwd: directory, onlyFiles: true, expandDirectories: false });
    if (matches.length === 0) {
      throw new Error(`csv.files pattern "${pattern}" matches no files in ${path.resolve(directory)}`);
    }
    for (const m of matches) found.add(path.join(directory, m));
  }
  return [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
