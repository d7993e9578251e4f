import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let read: string | undefined;

/**
 * This release: the version in lineofsight's package.json, found up from this module wherever it
 * was built to (src/, dist/, the bench's build). Read once.
 */
export function thisRelease(): string {
  if (read !== undefined) return read;
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'lineofsight' && pkg.version) return (read = pkg.version);
    } catch {
      // No package.json here: look further up.
    }
    if (path.dirname(dir) === dir) return (read = 'unknown');
  }
}
