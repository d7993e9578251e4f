import cron from 'node-cron';
import * as z from 'zod';
import type { Directory } from './people.js';
import type { ConfigProblem } from './problems.js';
import { readYamlWith } from './schemaProblems.js';
import type { YamlFile } from './yamlFile.js';

/** The kinds of period a pack covers by default: the latest complete one as of the day it is sent. */
const PACK_PERIODS = ['month', 'quarter', 'year'] as const;

const clinicSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'a clinic id starts with a letter and uses only letters, digits, _ . -')
    .describe('Its id, as indicators and risks name it in their clinic.'),
  name: z.string().min(1).describe('Its name.'),
  members: z.array(z.string().min(1)).min(1).describe('Person ids of the people directory: each is sent the pack.'),
  schedule: z.string().min(1).describe('When the pack is sent: a cron expression in the timezone of the service ("0 8 * * 2#1": the first Tuesday of the month at 08:00).'),
  period: z.enum(PACK_PERIODS).default('month').describe('What the pack covers: the latest complete month, quarter or year as of the day it is sent.'),
});

export const clinicsFileSchema = z.strictObject({
  clinics: z.array(clinicSchema).min(1).describe('The clinics.'),
}).describe('The improvement clinics.');

export type Clinic = z.infer<typeof clinicSchema>;

/** The improvement clinics, read and checked. */
export interface Clinics {
  file: string;
  clinics: Clinic[];
  byId: ReadonlyMap<string, Clinic>;
  yaml: YamlFile;
}

/** Reads the clinics file: the clinics, or every problem in it (members are checked against the directory). */
export async function readClinicsFile(file: string, directory: Directory | undefined, env: NodeJS.ProcessEnv): Promise<{ clinics?: Clinics; problems: ConfigProblem[] }> {
  const { yaml, data, problems } = await readYamlWith(clinicsFileSchema, file, env);
  if (!yaml || !data) return { problems };
  const byId = new Map<string, Clinic>();
  data.clinics.forEach((clinic, i) => {
    if (byId.has(clinic.id)) problems.push(yaml.problem(['clinics', i, 'id'], `clinic id "${clinic.id}" is used twice`));
    byId.set(clinic.id, clinic);
    if (!cron.validate(clinic.schedule)) problems.push(yaml.problem(['clinics', i, 'schedule'], `"${clinic.schedule}" is not a valid cron expression (e.g. "0 8 * * 2#1", the first Tuesday of the month at 08:00)`));
    if (directory) clinic.members.forEach((member, k) => {
      if (!directory.byId.has(member)) problems.push(yaml.problem(['clinics', i, 'members', k], `member "${member}" is not in the people directory ${directory.file} (give a person id from it)`));
    });
  });
  if (!directory) problems.push(yaml.problem(['clinics'], 'clinics send their packs to people of the directory: the service config needs people_file'));
  return { clinics: { file, clinics: data.clinics, byId, yaml }, problems };
}

/** Somewhere an indicator or a risk names its clinic. */
export interface ClinicReference {
  clinic: string;
  what: string;
  yaml: YamlFile | undefined;
  file: string;
  path: PropertyKey[];
}

/** Every clinic an indicator or risk names that the clinics file does not define: its exceptions would reach no pack. */
export function clinicReferenceProblems(clinics: Clinics, references: readonly ClinicReference[]): ConfigProblem[] {
  const known = [...clinics.byId.keys()].join(', ');
  return references
    .filter((r) => !clinics.byId.has(r.clinic))
    .map((r) => {
      const message = `${r.what} names clinic "${r.clinic}", which ${clinics.file} does not define (clinics: ${known})`;
      return r.yaml?.problem(r.path, message) ?? { file: r.file, path: r.path.join('.'), message };
    });
}
