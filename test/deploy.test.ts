import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadService } from '../src/app/service.js';
import { buildCli } from './helpers/build.js';
import { lineofsight } from './helpers/cli.js';
import { prometheusTools } from './helpers/prometheus.js';

/** The Compose specification's JSON schema, as dclint 3.1 ships it. */
function composeValidator() {
  const dir = path.dirname(createRequire(import.meta.url).resolve('dclint/package.json'));
  const schema = JSON.parse(readFileSync(path.join(dir, 'schemas/compose.schema.json'), 'utf8')) as Record<string, unknown>;
  // Draft 7 under an https address ajv does not know by that name: the same meta-schema.
  schema.$schema = 'http://json-schema.org/draft-07/schema#';
  return new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, strictTypes: false }).compile(schema);
}

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  entrypoint?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.dev.yml'];
const readCompose = (file: string) => parse(readFileSync(file, 'utf8'), { merge: true }) as Compose;
const stack = readCompose('docker-compose.yml');
const DEPLOYED_CONFIG = 'deploy/compose/lineofsight.yaml';

/** The variables a YAML file reads with no default: `${NAME}`, not `${NAME:-default}`. */
function variablesRead(file: string): string[] {
  return [...new Set([...readFileSync(file, 'utf8').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!))].sort();
}

/** A short-syntax port mapping, "127.0.0.1:9464:9464", as its host address, host port and container port. */
function portOf(mapping: string): { host: string; published: number; target: number } {
  const m = /^(?:([\d.]+):)?(\d+):(\d+)$/.exec(mapping);
  if (!m) throw new Error(`not a port mapping this test reads: ${mapping}`);
  return { host: m[1] ?? '0.0.0.0', published: Number(m[2]), target: Number(m[3]) };
}

describe('the compose files', () => {
  const validate = composeValidator();
  beforeAll(buildCli);

  it.each(COMPOSE_FILES)('%s follows the Compose specification', (file) => {
    const valid = validate(readCompose(file));
    expect(validate.errors ?? [], file).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check fails on what Compose would refuse', () => {
    expect(validate({ services: { a: { imagee: 'x' } } })).toBe(false);
    expect(validate({ services: { a: { image: 'x', depends_on: { b: { condition: 'healthy' } } } } })).toBe(false);
  });

  it.each(COMPOSE_FILES)('%s mounts only files and folders that exist, and volumes it declares', (file) => {
    const compose = readCompose(file);
    for (const [name, service] of Object.entries(compose.services)) {
      for (const mount of service.volumes ?? []) {
        const source = mount.split(':')[0]!;
        if (source.startsWith('.') || source.startsWith('/')) expect(existsSync(path.resolve(path.dirname(file), source)), `${name} mounts ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes ?? {}), `${name} mounts volume ${source}`).toContain(source);
      }
    }
  });

  it('starts every service after those it reads: the store and the seeded finance database before the daemon', () => {
    expect(stack.services.lineofsight!.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, 'mssql-seed': { condition: 'service_completed_successfully' } });
    expect(stack.services['mssql-seed']!.depends_on).toMatchObject({ mssql: { condition: 'service_healthy' }, 'demo-data': { condition: 'service_completed_successfully' } });
    expect(stack.services.grafana!.depends_on).toMatchObject({ 'store-roles': { condition: 'service_completed_successfully' } });
    for (const [name, service] of Object.entries(stack.services)) {
      for (const on of Object.keys(service.depends_on ?? {})) expect(Object.keys(stack.services), `${name} depends on ${on}`).toContain(on);
    }
  });

  it("publishes the daemon on the port its config serves, which Prometheus scrapes; Grafana, Prometheus and Mailpit on theirs, each on loopback only", async () => {
    const config = parse(readFileSync(DEPLOYED_CONFIG, 'utf8')) as { http: { host: string; port: number }; email: { smtp: { host: string; port: number } } };
    expect(config.http.host).toBe('0.0.0.0');
    expect(stack.services.lineofsight!.ports!.map(portOf)).toEqual([{ host: '127.0.0.1', published: config.http.port, target: config.http.port }]);
    const prometheus = parse(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    expect(prometheus.scrape_configs).toEqual([{ job_name: 'lineofsight', static_configs: [{ targets: [`lineofsight:${config.http.port}`] }] }]);
    expect(stack.services.grafana!.ports!.map(portOf)).toEqual([{ host: '127.0.0.1', published: 3000, target: 3000 }]);
    expect(stack.services.prometheus!.ports!.map(portOf)).toEqual([{ host: '127.0.0.1', published: 9090, target: 9090 }]);
    expect(stack.services.grafana!.environment!.LINEOFSIGHT_PROMETHEUS_URL).toBe('http://prometheus:9090');
    expect(stack.services.mailpit!.ports!.map(portOf)).toEqual([{ host: '127.0.0.1', published: 8025, target: 8025 }]);
    expect(config.email.smtp).toMatchObject({ host: 'mailpit', port: 1025 });
    for (const [name, service] of Object.entries(stack.services)) for (const p of service.ports ?? []) expect(portOf(p).host, `${name} publishes ${p}`).toBe('127.0.0.1');
  });

  it("gives the daemon every variable its config reads, and the config loads whole with them (the image's paths mapped onto this checkout)", async () => {
    const env = stack.services.lineofsight!.environment!;
    expect(variablesRead(DEPLOYED_CONFIG).filter((v) => !(v in env))).toEqual([]);
    expect(env.LINEOFSIGHT_CONFIG).toBe('/etc/lineofsight/lineofsight.yaml');
    expect(stack.services.lineofsight!.volumes).toContain(`./${path.dirname(DEPLOYED_CONFIG)}:${path.dirname(env.LINEOFSIGHT_CONFIG!)}:ro`);
    expect(path.basename(env.LINEOFSIGHT_CONFIG!)).toBe(path.basename(DEPLOYED_CONFIG));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'los-deploy-'));
    const file = path.join(dir, 'lineofsight.yaml');
    writeFileSync(file, readFileSync(DEPLOYED_CONFIG, 'utf8').replaceAll('/app/', `${process.cwd()}/`).replaceAll('/var/lib/lineofsight', dir));
    const service = await loadService(file, env);
    expect(service.config.service.store.client).toBe('pg');
    expect(service.config.service.sources.finance!.client).toBe('mssql');
    expect(service.clinics?.clinics.length).toBeGreaterThan(0);
  });

  it("writes the demo's data for SQL Server's seed with the stack's config and environment, the store (unreachable here) never opened", () => {
    const env = stack.services['demo-data']!.environment!;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'los-demo-data-'));
    const file = path.join(dir, 'lineofsight.yaml');
    writeFileSync(file, readFileSync(DEPLOYED_CONFIG, 'utf8').replaceAll('/app/', `${process.cwd()}/`).replaceAll('/var/lib/lineofsight', dir));
    const r = lineofsight([...stack.services['demo-data']!.command!, '--as-of', '2026-04-01'], { env: { ...env, LINEOFSIGHT_CONFIG: file } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const written of ['demo/finance.sql', 'demo/finance.sqlite', 'demo/services.sqlite', 'demo/exports']) expect(existsSync(path.join(dir, written)), written).toBe(true);
    expect(readFileSync(path.join(dir, 'demo/finance.sql'), 'utf8')).toMatch(/CREATE DATABASE \[lineofsight_demo_finance\]/);
  });

  it('names every file a service reads inside its container where a mount puts it', () => {
    const mounted = (service: string) => (stack.services[service]!.volumes ?? []).map((v) => v.split(':')[1]!);
    const within = (service: string, file: string) => mounted(service).some((target) => file === target || file.startsWith(`${target}/`));
    const args = (service: string) => [stack.services[service]!.command, stack.services[service]!.entrypoint].flat().filter((a): a is string => typeof a === 'string');
    const files = (service: string) => args(service).flatMap((a) => [...a.matchAll(/(?:^|[=\s,])(\/(?:etc|seed|var)\/[^\s,"';]+)/g)].map((m) => m[1]!));
    for (const service of ['mssql-seed', 'store-roles', 'prometheus']) {
      expect(files(service).length, service).toBeGreaterThan(0);
      for (const file of files(service)) expect(within(service, file), `${service} reads ${file}`).toBe(true);
    }
    expect(within('lineofsight', stack.services.lineofsight!.environment!.LINEOFSIGHT_CONFIG!)).toBe(true);
  });

  it('gives each password to both sides of the connection it opens', () => {
    const s = stack.services;
    const env = (service: string, name: string) => s[service]!.environment![name];
    expect(env('lineofsight', 'LINEOFSIGHT_STORE_PASSWORD')).toBe(env('postgres', 'POSTGRES_PASSWORD'));
    expect(env('store-roles', 'PGPASSWORD')).toBe(env('postgres', 'POSTGRES_PASSWORD'));
    expect(env('mssql-seed', 'SQLCMDPASSWORD')).toBe(env('mssql', 'MSSQL_SA_PASSWORD'));
    expect(env('mssql-seed', 'READER_PASSWORD')).toBe(env('lineofsight', 'LINEOFSIGHT_FINANCE_PASSWORD'));
  });

  it('gives Grafana every variable its provisioning reads, and the store role its password', () => {
    const env = stack.services.grafana!.environment!;
    expect(variablesRead('dashboards/provisioning/datasources/lineofsight.yaml').filter((v) => !(v in env))).toEqual([]);
    expect(stack.services['store-roles']!.environment!.LINEOFSIGHT_GRAFANA_DB_PASSWORD).toBe(env.LINEOFSIGHT_GRAFANA_DB_PASSWORD);
    expect(stack.services.grafana!.volumes).toEqual(['./dashboards/provisioning:/etc/grafana/provisioning:ro', './dashboards/json:/var/lib/grafana/dashboards/lineofsight:ro']);
  });

  it('seeds SQL Server with the T-SQL the demo writes into the data volume, then the read-only login the config reads as', () => {
    const seed = stack.services['mssql-seed']!;
    const entrypoint = seed.entrypoint as string[];
    expect(entrypoint.filter((a, i) => entrypoint[i - 1] === '-i')).toEqual(['/var/lib/lineofsight/demo/finance.sql,/seed/reader.sql']);
    expect(stack.services['demo-data']!.command).toEqual(['demo', '--data-only']);
    const config = readFileSync(DEPLOYED_CONFIG, 'utf8');
    expect(config).toContain('connection: /var/lib/lineofsight/demo/services.sqlite');
    expect(config).toMatch(/user: lineofsight_reader\n\s+password: \$\{LINEOFSIGHT_FINANCE_PASSWORD\}\n\s+database: lineofsight_demo_finance/);
    expect(seed.environment!.READER_PASSWORD).toBe(stack.services.lineofsight!.environment!.LINEOFSIGHT_FINANCE_PASSWORD);
    expect(readFileSync('deploy/mssql/reader.sql', 'utf8')).toMatch(/ALTER ROLE db_datareader ADD MEMBER lineofsight_reader;\nDENY INSERT, UPDATE, DELETE/);
  });
});

describe('the image', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const final = stages[stages.length - 1]!;

  it('is built in stages, and its last holds production dependencies only, copied from a stage that installed nothing else', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const from = /COPY --from=(\S+) \/app\/node_modules/.exec(final)?.[1];
    const stage = stages.find((s) => s.includes(` AS ${from}\n`))!;
    expect(stage).toMatch(/npm ci --omit=dev/);
  });

  it('runs as a user of its own, checks /healthz, serves on the config default port, keeps its data in a volume, and carries no secret', () => {
    expect(final).toMatch(/^USER lineofsight$/m);
    expect(final).toMatch(/^HEALTHCHECK .*\n\s+CMD .*\/healthz/m);
    expect(final).toMatch(/^EXPOSE 9464$/m);
    expect(final).toMatch(/^VOLUME \["\/etc\/lineofsight", "\/var\/lib\/lineofsight"\]$/m);
    expect(dockerfile).not.toMatch(/^(ENV|ARG)\b.*(PASSWORD|TOKEN|SECRET|_URL)/im);
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(ignored[0]).toBe('*');
    // Everything the stages copy from the build context is let through, and exists.
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    for (const source of copied) {
      expect(existsSync(source), source).toBe(true);
      expect(ignored, `.dockerignore lets ${source} through`).toContain(`!${source.replace(/\/?$/, existsSync(source) && !source.includes('.') ? '/' : '')}`);
    }
    expect(ignored.filter((l) => l.startsWith('!'))).not.toContainEqual(expect.stringMatching(/^!(data|outbox|\.env)/));
  });
});

const tools = prometheusTools();
describe.skipIf(!tools)("the stack's Prometheus", () => {
  it("loads its config and the alert rules it mounts (promtool check config)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'los-prom-'));
    const rules = stack.services.prometheus!.volumes!.find((v) => v.includes('rules'))!.split(':');
    const config = readFileSync('deploy/prometheus/prometheus.yml', 'utf8').replace(rules[1]!, path.resolve(rules[0]!));
    writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const r = spawnSync(tools!.promtool, ['check', 'config', path.join(dir, 'prometheus.yml')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: 1 rule files found/);
    expect(r.status).toBe(0);
  });
});

/** systemd-analyze, where systemd's tools are installed; under CI they must be. */
function systemdAnalyze(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  if (process.env.CI) throw new Error('systemd-analyze is not installed (apt-get install systemd): in CI the unit must be verified');
  process.stderr.write('skipping the systemd unit test: no systemd-analyze\n');
  return undefined;
}
const analyze = systemdAnalyze();

describe.skipIf(!analyze)('the systemd unit', () => {
  // verify exits 0 on an unknown key or a bad value, saying so on stderr: both must stay silent.
  const verify = (file: string) => spawnSync(analyze!, ['verify', '--man=no', file], { encoding: 'utf8' });
  const UNIT = 'deploy/lineofsight.service';

  it('passes systemd-analyze verify without a word', () => {
    const r = verify(UNIT);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('verify speaks up for a misspelt hardening option, so the check above can fail', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'los-unit-'));
    writeFileSync(path.join(dir, 'lineofsight.service'), readFileSync(UNIT, 'utf8').replace('\nProtectSystem=strict', '\nProtectSytem=strict'));
    expect(verify(path.join(dir, 'lineofsight.service')).stderr).toMatch(/Unknown key 'ProtectSytem'/);
  });

  it('runs as its own user with secrets from an EnvironmentFile, restarts on failure, reloads on SIGHUP, and can write only its data folder', () => {
    const unit = readFileSync(UNIT, 'utf8');
    for (const line of ['User=lineofsight', 'EnvironmentFile=/etc/lineofsight/lineofsight.env', 'Restart=on-failure', 'ExecReload=/bin/kill -HUP $MAINPID', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ReadWritePaths=/var/lib/lineofsight']) {
      expect(unit.split('\n')).toContain(line);
    }
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/env node \/opt\/lineofsight\/dist\/cli\/main\.js serve$/m);
  });
});
