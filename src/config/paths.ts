import path from 'node:path';

/**
 * Why a csv.files pattern could reach outside its source's directory, or undefined when it
 * cannot: an absolute path, a `..` segment, or a home directory (`~`).
 */
export function escapingPattern(pattern: string): string | undefined {
  if (path.isAbsolute(pattern) || /^[a-z]:/i.test(pattern)) return 'is an absolute path: patterns are relative to the source\'s directory';
  if (pattern.split(/[\\/]/).includes('..')) return 'climbs out of the source\'s directory with ..';
  if (pattern.startsWith('~')) return 'names a home directory: patterns are relative to the source\'s directory';
  return undefined;
}
