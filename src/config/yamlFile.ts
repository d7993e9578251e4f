import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { pathToString, type ConfigProblem } from './problems.js';

/** A parsed YAML file that can say on which line any field of it stands. */
export class YamlFile {
  /** Fields whose ${VAR} was not set: their problem is said once, not again by the schema. */
  readonly unset = new Set<string>();

  constructor(
    readonly file: string,
    readonly data: unknown,
    /** SHA-256 of the file as written, before any ${VAR}: tells one configuration from another, never a secret. */
    readonly digest: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** A problem at `path`; with `key`, at that key of the map at `path` (an unknown key). */
  problem(path: readonly PropertyKey[], message: string, key?: string): ConfigProblem {
    const at = this.locate(path, key);
    return { file: this.file, ...at, path: pathToString(key === undefined ? path : [...path, key]), message };
  }

  private locate(path: readonly PropertyKey[], key?: string): { line?: number; column?: number } {
    // A missing field has no node: walk back to the nearest ancestor that exists.
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as Node | undefined;
      if (!node?.range) continue;
      let offset = node.range[0];
      if (n === path.length && key !== undefined && isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
        const keyRange = isScalar(pair?.key) ? pair.key.range : undefined;
        if (keyRange) offset = keyRange[0];
      }
      const pos = this.lines.linePos(offset);
      return { line: pos.line, column: pos.col };
    }
    return {};
  }
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** The field path of a node from the ancestors `visit` passes: map keys and sequence indexes. */
function fieldPath(ancestors: readonly unknown[], node: unknown): PropertyKey[] {
  const out: PropertyKey[] = [];
  const chain = [...ancestors, node];
  chain.forEach((item, i) => {
    if (isPair(item) && isScalar(item.key)) out.push(String(item.key.value));
    else if (isSeq(item)) out.push(item.items.indexOf(chain[i + 1] as never));
  });
  return out;
}

/**
 * Reads and parses a YAML file. With `env`, `${VAR}` and `${VAR:-default}` in string values are
 * read from it, so that secrets stay in the environment; pipelines are read without, so no
 * environment text can end up inside their SQL. Problems are returned, never thrown, so that a
 * caller can report every file's problems at once.
 */
export async function readYamlFile(file: string, env?: NodeJS.ProcessEnv): Promise<{ yaml?: YamlFile; problems: ConfigProblem[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { problems: [{ file, path: '', message: `cannot read file: ${(err as Error).message}` }] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, path: '', message: `invalid YAML: ${e.message.split('\n')[0]}` };
  });
  if (problems.length) return { problems };

  const unset: { node: Node; name: string; path: PropertyKey[] }[] = [];
  if (env) {
    visit(doc, {
      Scalar(_key, node, ancestors) {
        if (typeof node.value !== 'string' || !node.value.includes('${')) return;
        node.value = node.value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
          const value = env[name];
          if (value !== undefined && value !== '') return value;
          if (fallback !== undefined) return fallback;
          unset.push({ node, name, path: fieldPath(ancestors, node) });
          return '';
        });
      },
    });
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // An alias bomb (aliases of aliases, billions of nodes) is refused by the parser: say which file.
    return { problems: [{ file, path: '', message: `refused: ${(err as Error).message}` }] };
  }
  const yaml = new YamlFile(file, data, createHash('sha256').update(text).digest('hex'), doc, lines);
  for (const { name, path } of unset) {
    yaml.unset.add(pathToString(path));
    problems.push(yaml.problem(path, `environment variable ${name} is not set (write \${${name}:-default} to give a default)`));
  }
  return { yaml, problems };
}
