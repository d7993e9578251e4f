import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The one-way flow of docs/architecture.md, read off the code's own imports: each folder of src/
 * at its place in the line, and no module importing one further down it.
 */
const LINE: Record<string, number> = {
  'logger.ts': 0,
  'text.ts': 0,
  'deadline.ts': 0,
  'release.ts': 0,
  calendar: 0,
  config: 1,
  sources: 2,
  demo: 2,
  indicators: 3,
  targets: 3,
  quality: 4,
  rag: 4,
  judging: 5,
  risk: 6,
  runs: 7,
  exceptions: 8,
  notify: 9,
  store: 10,
  report: 11,
  metrics: 12,
  app: 13,
  server: 14,
  daemon: 15,
  cli: 16,
};
const STAGES = ['sources', 'indicators', 'quality', 'judging', 'rag', 'risk', 'targets', 'calendar', 'config', 'exceptions', 'notify'];

const SRC = path.resolve('src');
const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => f.split(path.sep).join('/'));
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;

/** Every module of src/ with the modules of src/ it imports, type-only imports included. */
const graph = new Map<string, string[]>(
  files.map((file) => {
    const text = readFileSync(path.join(SRC, file), 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((m) => path.posix.normalize(path.posix.join(path.posix.dirname(file), (m[1] ?? m[2])!)).replace(/\.js$/, '.ts'));
    return [file, targets];
  }),
);
const folderOf = (file: string) => file.split('/')[0]!;

describe('the architecture', () => {
  it('reads every module and every import it names', () => {
    expect(files.length).toBeGreaterThan(100);
    for (const [file, targets] of graph) for (const t of targets) expect(graph.has(t), `${file} imports ${t}`).toBe(true);
  });

  it('places every folder of src/ on the line', () => {
    expect(files.map(folderOf).filter((f) => LINE[f] === undefined)).toEqual([]);
  });

  it('has no import circle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const t of graph.get(file) ?? []) visit(t, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('imports only up the line: config -> sources -> indicators -> quality -> judging and risk -> runs -> exceptions -> notify -> store -> report -> metrics -> app -> server -> daemon -> cli', () => {
    const backwards = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => LINE[folderOf(t)]! > LINE[folderOf(file)]!).map((t) => `${file} imports ${t}`),
    );
    expect(backwards).toEqual([]);
  });

  it('keeps the store out of every stage', () => {
    const reaching = [...graph].flatMap(([file, targets]) => (STAGES.includes(folderOf(file)) ? targets.filter((t) => t.startsWith('store/')).map((t) => `${file} imports ${t}`) : []));
    expect(reaching).toEqual([]);
  });

  it('has no command importing another', () => {
    const commands = [...graph].flatMap(([file, targets]) => (file.startsWith('cli/commands/') ? targets.filter((t) => t.startsWith('cli/commands/')).map((t) => `${file} imports ${t}`) : []));
    expect(commands).toEqual([]);
  });
});
