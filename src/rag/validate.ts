import type { CheckableParts } from '../config/load.js';
import type { ConfigProblem } from '../config/problems.js';
import { parseScheme, RagSchemeError, schemeNamed } from './scheme.js';

/**
 * What the config layer cannot check without the RAG engine: scheme rules that parse, and scheme
 * names that exist. The service's loading (src/app/service.ts) wires it in, so config never
 * reaches down the line.
 */
export function ragProblems(config: CheckableParts): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { rag } = config;
  if (!rag) return problems;
  const service = config.yaml.get(config.file);
  const at = (path: PropertyKey[], message: string): ConfigProblem => service?.problem(path, message) ?? { file: config.file, path: path.join('.'), message };
  for (const [name, rules] of Object.entries(rag.schemes)) {
    try {
      parseScheme(rules, name);
    } catch (err) {
      if (!(err instanceof RagSchemeError)) throw err;
      problems.push(at(['rag', 'schemes', name, err.ruleIndex, err.field], err.message));
    }
  }
  const exists = (name: string) => {
    try {
      schemeNamed(name, rag.schemes);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
  const missing = exists(rag.scheme);
  if (missing && !problems.length) problems.push(at(['rag', 'scheme'], missing));
  for (const pipeline of config.pipelines) {
    pipeline.indicators.forEach((indicator, i) => {
      if (!indicator.rag || indicator.rag === 'monitor') return;
      const unknown = exists(indicator.rag);
      if (unknown) {
        const yaml = config.yaml.get(pipeline.file);
        problems.push(yaml?.problem(['indicators', i, 'rag'], unknown) ?? { file: pipeline.file, path: `indicators[${i}].rag`, message: unknown });
      }
    });
  }
  return problems;
}
