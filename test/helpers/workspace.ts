import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A throwaway folder holding a service config and pipeline files, written from text, so tests go
 * through the same loading and validation as the service itself.
 */
export function workspace(files: Record<string, string>): { dir: string; config: string; file: (name: string) => string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lineofsight-'));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text.replaceAll('{{dir}}', dir));
  }
  return { dir, config: path.join(dir, 'lineofsight.yaml'), file: (name) => path.join(dir, name) };
}
