import type { RagRuleConfig } from '../config/schema.js';
import { parseCondition, type Condition } from './condition.js';
import { compileTemplate, type Explain } from './explain.js';
import { PRESETS } from './presets.js';
import { isRuleStatus, RULE_STATUSES, type RuleStatus } from './scale.js';

export interface RagRule {
  status: RuleStatus;
  /** The condition as written, or null for the final rule that always matches. */
  when: string | null;
  matches: Condition;
  explain: Explain;
}

/** Ordered rules, first match wins; the last always matches, so every judged value gets a status. */
export interface RagScheme {
  rules: readonly RagRule[];
  /** A rule compares with the tolerance (`shortfall <= tolerance`): the scheme's band is target -/+ tolerance. */
  bandedByTolerance: boolean;
}

/**
 * A rule that cannot be used, with where it is (0-based `ruleIndex`, the `field` at fault), so
 * config validation can name the file, line and field.
 */
export class RagSchemeError extends Error {
  constructor(
    readonly ruleIndex: number,
    readonly field: keyof RagRuleConfig,
    readonly detail: string,
    scheme?: string,
  ) {
    super(`${scheme ? `RAG scheme "${scheme}" ` : ''}rule ${ruleIndex + 1}, ${field}: ${detail}`);
    this.name = 'RagSchemeError';
  }
}

function parseRule(rule: RagRuleConfig, index: number, scheme: string | undefined): RagRule {
  const fail = (field: keyof RagRuleConfig, detail: string) => new RagSchemeError(index, field, detail, scheme);
  const { status } = rule;
  if (!isRuleStatus(status)) throw fail('status', `"${status}" is not a status a rule can give; use one of ${RULE_STATUSES.join(', ')}`);
  let matches: Condition = () => true;
  if (rule.when !== undefined) {
    try {
      matches = parseCondition(rule.when);
    } catch (e) {
      throw fail('when', `"${rule.when}": ${(e as Error).message}`);
    }
  }
  let explain: Explain;
  try {
    explain = compileTemplate(rule.explain ?? `{actual} against the target of {target} (rule ${index + 1}${rule.when ? `: ${rule.when}` : ''})`);
  } catch (e) {
    throw fail('explain', (e as Error).message);
  }
  return { status, when: rule.when ?? null, matches, explain };
}

/**
 * Compiles a scheme's rules, or throws RagSchemeError. Only the last rule may, and must, omit
 * `when`: a rule after an unconditional one could never match, and a scheme whose last rule can
 * fail to match would leave some value with no status, which is a configuration error to report
 * when the config is validated, not a guess to make when an indicator is judged.
 */
export function parseScheme(rules: readonly RagRuleConfig[], name?: string): RagScheme {
  if (rules.length === 0) throw new RagSchemeError(0, 'when', 'a scheme needs at least one rule, and its last rule must have no "when"', name);
  const parsed = rules.map((rule, index) => parseRule(rule, index, name));
  parsed.forEach((rule, index) => {
    const last = index === parsed.length - 1;
    if (last && rule.when !== null) throw new RagSchemeError(index, 'when', 'the last rule must have no "when", so that every value gets a status', name);
    if (!last && rule.when === null) throw new RagSchemeError(index, 'when', 'only the last rule may omit "when": the rules after this one could never match', name);
  });
  return { rules: parsed, bandedByTolerance: parsed.some((r) => r.when !== null && /\btolerance\b/.test(r.when)) };
}

const compiled = new WeakMap<readonly RagRuleConfig[], RagScheme>();

/**
 * The scheme called `name`: the council's own (`rag.schemes` in its config) if it defines one
 * by that name, else a preset. Compiled once per rules list.
 */
export function schemeNamed(name: string, custom: Readonly<Record<string, RagRuleConfig[]>> = {}): RagScheme {
  const rules = Object.hasOwn(custom, name) ? custom[name] : Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (!rules) {
    const known = [...Object.keys(custom), ...Object.keys(PRESETS).filter((p) => !Object.hasOwn(custom, p))];
    throw new Error(`unknown RAG scheme "${name}"; the schemes are ${known.join(', ')}`);
  }
  let scheme = compiled.get(rules);
  if (!scheme) {
    scheme = parseScheme(rules, name);
    compiled.set(rules, scheme);
  }
  return scheme;
}
