import type { CheckableParts, LoadedConfig } from '../config/load.js';
import { readConfig } from '../config/load.js';
import { ConfigError, type ConfigProblem } from '../config/problems.js';
import { ragProblems } from '../rag/validate.js';
import { ownerReferences, readPeopleFile, referenceProblems, recipientReferences, type Directory, type PersonReference } from '../config/people.js';
import { clinicReferenceProblems, readClinicsFile, type ClinicReference, type Clinics } from '../config/clinics.js';
import { loadRisks, type KnownIds, type RiskRegister } from '../risk/config.js';

/** The whole service as configured: every pipeline, its RAG schemes, targets and risk register. */
export interface Service {
  config: LoadedConfig;
  /** The risk register, when the service config names one. */
  register: RiskRegister | undefined;
  /** The people directory, when the service config names one: without it exceptions are raised but nobody is emailed. */
  directory?: Directory;
  /** The improvement clinics, when the service config names a clinics file: each is sent its exception pack. */
  clinics?: Clinics;
}

/**
 * What the risk register's triggers may name: the ids the pipelines and the service config
 * define, read even beside a service config that is not valid.
 */
function knownIds(parts: CheckableParts): KnownIds {
  return {
    indicators: new Set(parts.pipelines.flatMap((p) => p.indicators.map((i) => i.id))),
    checks: new Set(parts.pipelines.flatMap((p) => p.checks.map((c) => c.id))),
    sources: new Set(parts.sourceNames),
  };
}

/**
 * Loads the whole service: the service config, every pipeline, the targets file, the RAG
 * schemes and the risk register, checked together. Throws one ConfigError listing every problem
 * in every file at once: a configuration that is wrong anywhere is not used at all.
 */
export async function loadService(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Service> {
  const read = await readConfig(file, env);
  const problems: ConfigProblem[] = [...read.problems];
  let register: RiskRegister | undefined;
  // Checked even beside other problems, so that one refusal lists them all.
  if (read.checkable) {
    problems.push(...ragProblems(read.checkable));
    const registerFile = read.checkable.risksFile;
    if (registerFile) {
      try {
        // Only once every pipeline parsed are its ids all known: until then a trigger is not called unknown.
        register = await loadRisks(registerFile, read.complete ? knownIds(read.checkable) : undefined);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems);
      }
    }
  }
  const directory = read.config?.service.people_file ? await readDirectory(read.config, register, env, problems) : undefined;
  const clinics = read.config?.service.clinics_file ? await readClinics(read.config, register, directory, env, problems) : undefined;
  if (problems.length || !read.config) throw new ConfigError(problems);
  return { config: read.config, register, directory, clinics };
}

/** The clinics, with a problem for every member not in the directory and every clinic an indicator or risk names that is not defined. */
async function readClinics(config: LoadedConfig, register: RiskRegister | undefined, directory: Directory | undefined, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): Promise<Clinics | undefined> {
  const read = await readClinicsFile(config.service.clinics_file!, directory, env);
  problems.push(...read.problems);
  if (!read.clinics) return undefined;
  const references: ClinicReference[] = [
    ...config.pipelines.flatMap((p) =>
      p.indicators.flatMap((indicator, i) => (indicator.clinic ? [{ clinic: indicator.clinic, what: `indicator ${indicator.id}`, yaml: config.yaml.get(p.file), file: p.file, path: ['indicators', i, 'clinic'] }] : [])),
    ),
    ...(register?.risks.map((r, i) => ({ clinic: r.clinic, what: `risk ${r.id}`, yaml: register.yaml, file: register.file, path: ['risks', i, 'clinic'] })) ?? []),
  ];
  problems.push(...clinicReferenceProblems(read.clinics, references));
  return read.clinics;
}

/** The people directory, with a problem for every owner, manager, lead and route recipient not in it. */
async function readDirectory(config: LoadedConfig, register: RiskRegister | undefined, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): Promise<Directory | undefined> {
  const read = await readPeopleFile(config.service.people_file!, env);
  problems.push(...read.problems);
  if (!read.directory) return undefined;
  const references: PersonReference[] = [
    ...ownerReferences(config.pipelines, (file) => config.yaml.get(file)),
    ...(register?.risks.map((r, i) => ({ id: r.owner, what: `owner of risk ${r.id}`, yaml: register.yaml, file: register.file, path: ['risks', i, 'owner'] })) ?? []),
    ...recipientReferences(config.service.exceptions.routes, 'route recipient', ['exceptions', 'routes'], config.yaml.get(config.file), config.file),
    ...recipientReferences(config.service.exceptions.data_not_received, 'escalation recipient', ['exceptions', 'data_not_received'], config.yaml.get(config.file), config.file),
  ];
  problems.push(...referenceProblems(read.directory, references));
  return read.directory;
}
