import * as z from 'zod';
import type { ConfigProblem } from './problems.js';
import { ROUTE_ROLES, type IndicatorConfig } from './schema.js';
import { readYamlWith } from './schemaProblems.js';
import type { YamlFile } from './yamlFile.js';

const personId = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'a person id starts with a letter and uses only letters, digits, _ . -');

const personSchema = z.strictObject({
  id: personId.describe('Their id, as owners, managers, routes and clinics name them.'),
  name: z.string().min(1).describe('Their name, as mail and reports show it.'),
  email: z.email().optional().describe('Their address; none: their mail goes to the performance team, saying for whom.'),
  roles: z.array(z.string().min(1)).default([]).describe("What they do, in the council's words (service manager, data-quality lead): shown, never routed on."),
});

const serviceSchema = z.strictObject({
  manager: personId.optional().describe("The person id of its manager: the exceptions of its indicators with no owner go to them, as do those routed to manager."),
  amber_exceptions: z.boolean().optional().describe("AMBER raises exceptions for this service's indicators (default: the service config's setting)."),
}).describe('A service, by the name its indicators give.');

export const peopleFileSchema = z.strictObject({
  performance_team: z
    .strictObject({ name: z.string().min(1).default('Performance Team').describe('Its name.'), email: z.email().describe('Its address.') })
    .describe("The performance team's address: pipeline failures, and mail for people with no address of their own."),
  people: z.array(personSchema).default([]).describe('The people.'),
  services: z.record(z.string().min(1), serviceSchema).default({}).describe('Services by the name indicators give, each with its manager.'),
  data_quality_leads: z.array(personId).default([]).describe('Person ids of the data-quality leads: told of data-quality failures and suspect values.'),
}).describe('The people directory.');

export type Person = z.infer<typeof personSchema>;
export type PeopleFile = z.infer<typeof peopleFileSchema>;

/** The people directory, read and checked: who everyone is, by id. */
export interface Directory extends PeopleFile {
  file: string;
  byId: ReadonlyMap<string, Person>;
  yaml: YamlFile;
}

/** Reads the people file: the directory, or every problem in it. */
export async function readPeopleFile(file: string, env: NodeJS.ProcessEnv): Promise<{ directory?: Directory; problems: ConfigProblem[] }> {
  const { yaml, data, problems } = await readYamlWith(peopleFileSchema, file, env);
  if (!yaml || !data) return { problems };
  const byId = new Map<string, Person>();
  data.people.forEach((person, i) => {
    if (byId.has(person.id)) problems.push(yaml.problem(['people', i, 'id'], `person id "${person.id}" is used twice`));
    byId.set(person.id, person);
  });
  const directory: Directory = { ...data, file, byId, yaml };
  const unknown = (at: PropertyKey[], id: string, what: string) => {
    if (!byId.has(id)) problems.push(yaml.problem(at, `${what} "${id}" is not in the people directory`));
  };
  for (const [name, service] of Object.entries(directory.services)) if (service.manager) unknown(['services', name, 'manager'], service.manager, 'manager');
  directory.data_quality_leads.forEach((id, i) => unknown(['data_quality_leads', i], id, 'data-quality lead'));
  return { directory, problems };
}

/** Somewhere in the configuration that names a person: a field of a YAML file. */
export interface PersonReference {
  id: string;
  /** What the person is there: owner, risk owner. */
  what: string;
  yaml: YamlFile | undefined;
  file: string;
  path: PropertyKey[];
}

/** Every owner, risk owner and route recipient that is not in the directory: a configuration that cannot be routed. */
export function referenceProblems(directory: Directory, references: readonly PersonReference[]): ConfigProblem[] {
  return references
    .filter((r) => !directory.byId.has(r.id))
    .map((r) => {
      const message = `${r.what} "${r.id}" is not in the people directory ${directory.file} (give a person id from it)`;
      return r.yaml?.problem(r.path, message) ?? { file: r.file, path: r.path.join('.'), message };
    });
}

/** The people who name no address, each with where their mail goes: said by `validate`, never a refusal. */
export function withoutAddress(directory: Directory): ConfigProblem[] {
  return directory.people.flatMap((p, i) =>
    p.email ? [] : [directory.yaml.problem(['people', i], `${p.name} (${p.id}) has no email address: their mail goes to the performance team (${directory.performance_team.email}), saying it is for them`)],
  );
}

/** The owners every pipeline's indicators name, where they name them. */
export function ownerReferences(pipelines: readonly { file: string; indicators: readonly IndicatorConfig[] }[], yamlOf: (file: string) => YamlFile | undefined): PersonReference[] {
  return pipelines.flatMap((p) =>
    p.indicators.flatMap((indicator, i) => (indicator.owner ? [{ id: indicator.owner, what: `owner of ${indicator.id}`, yaml: yamlOf(p.file), file: p.file, path: ['indicators', i, 'owner'] }] : [])),
  );
}

const ROLES = new Set<string>(ROUTE_ROLES);

/** The person ids (roles aside) that lists of recipients in the service config name: routes' and escalation steps'. */
export function recipientReferences(lists: readonly { to: readonly string[] }[], what: string, path: readonly (string | number)[], yaml: YamlFile | undefined, file: string): PersonReference[] {
  return lists.flatMap((list, i) => list.to.flatMap((to, k) => (ROLES.has(to) ? [] : [{ id: to, what, yaml, file, path: [...path, i, 'to', k] }])));
}

/** Services the directory names that no indicator has: a misspelt name would route nobody to its manager. Said by `validate`. */
export function servicesWithoutIndicators(directory: Directory, pipelines: readonly { indicators: readonly IndicatorConfig[] }[]): ConfigProblem[] {
  const services = new Set(pipelines.flatMap((p) => p.indicators.map((i) => i.service)));
  return Object.keys(directory.services)
    .filter((name) => !services.has(name))
    .map((name) => directory.yaml.problem(['services'], `no indicator has the service "${name}" (services indicators name: ${[...services].sort().join(', ')})`, name));
}
