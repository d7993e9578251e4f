import type * as z from 'zod';
import { pathToString, type ConfigProblem } from './problems.js';
import { readYamlFile, type YamlFile } from './yamlFile.js';

/**
 * Schema issues as problems located in the file; `prefix` is where the parsed part stands, so a
 * file can be parsed in parts and a bad part still lets the others be checked.
 */
export function schemaProblems(yaml: YamlFile, error: z.ZodError, prefix: PropertyKey[] = []): ConfigProblem[] {
  return error.issues.flatMap((issue) => {
    const at = [...prefix, ...issue.path];
    if (yaml.unset.has(pathToString(at))) return [];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => yaml.problem(at, `unknown key "${key}" (misspelt?)`, key));
    }
    // zod's "expected string, received undefined" hides that the field is simply absent.
    if ('input' in issue && issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union')) {
      return [yaml.problem(at, 'is required but missing')];
    }
    return [yaml.problem(at, issue.message)];
  });
}

/** A YAML file read and checked against its schema: its data, or every problem in it, located. */
export async function readYamlWith<S extends z.ZodType>(schema: S, file: string, env?: NodeJS.ProcessEnv): Promise<{ yaml?: YamlFile; data?: z.output<S>; problems: ConfigProblem[] }> {
  const read = await readYamlFile(file, env);
  if (!read.yaml) return { problems: read.problems };
  const parsed = schema.safeParse(read.yaml.data ?? {}, { reportInput: true });
  if (!parsed.success) return { yaml: read.yaml, problems: [...read.problems, ...schemaProblems(read.yaml, parsed.error)] };
  return { yaml: read.yaml, data: parsed.data, problems: read.problems };
}
