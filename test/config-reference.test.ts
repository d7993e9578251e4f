import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { jsonSchemaOf, schemaFileName, type ConfigFileName, type JsonSchema } from '../src/config/reference.js';
import { CONFIG_FILES, configFile, generatedFiles, SCHEMAS_DIR } from '../schemas/files.js';

/** Every YAML file the repository ships, with the kind of config file it is. */
const SHIPPED: [string, ConfigFileName][] = [
  ['config/lineofsight.yaml', 'service'],
  ['config/people.yaml', 'people'],
  ['config/clinics.yaml', 'clinics'],
  ['config/risks.yaml', 'risks'],
  ['config/targets.yaml', 'targets'],
  ['deploy/compose/lineofsight.yaml', 'service'],
  ...readdirSync('pipelines')
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n): [string, ConfigFileName] => [`pipelines/${n}`, 'pipeline']),
];

const ajv = () => new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true, validateFormats: false, allErrors: true });
const validators = new Map(CONFIG_FILES.map((f) => [f.name, ajv().compile(jsonSchemaOf(f))]));

/** Whether the editors' JSON Schema of `name` takes `doc`, with its first error when it does not. */
function editorTakes(name: ConfigFileName, doc: unknown): { valid: boolean; error?: string } {
  const validate = validators.get(name)!;
  const valid = validate(doc);
  return valid ? { valid } : { valid, error: `${validate.errors?.[0]?.instancePath} ${validate.errors?.[0]?.message}` };
}

/** Every schema inside `json` with where it stands, itself first. */
function* subschemas(json: JsonSchema, at = '#'): Generator<[string, JsonSchema]> {
  yield [at, json];
  for (const [k, v] of Object.entries(json.properties ?? {})) yield* subschemas(v, `${at}/properties/${k}`);
  if (typeof json.additionalProperties === 'object') yield* subschemas(json.additionalProperties, `${at}/additionalProperties`);
  if (json.items) yield* subschemas(json.items, `${at}/items`);
  for (const key of ['anyOf', 'oneOf', 'prefixItems'] as const) for (const [i, v] of (json[key] ?? []).entries()) yield* subschemas(v, `${at}/${key}/${i}`);
}

describe('the configuration reference and the JSON Schemas', () => {
  it('are committed exactly as npm run schemas generates them', () => {
    const fresh = generatedFiles();
    const schemas = fresh.filter((f) => f.path.startsWith(`${SCHEMAS_DIR}/`)).map((f) => path.basename(f.path));
    const committed = readdirSync(SCHEMAS_DIR).filter((n) => n.endsWith('.schema.json'));
    expect(committed.sort(), 'schemas/: run npm run schemas').toEqual(schemas.sort());
    for (const f of fresh) {
      let text = '';
      try {
        text = readFileSync(f.path, 'utf8');
      } catch {
        // missing: the comparison says which
      }
      expect(text === f.text, `${f.path} differs from a fresh generation: run npm run schemas`).toBe(true);
    }
  });

  it('cover every kind of config file, each schema a valid draft 2020-12 JSON Schema with its id, title and description', () => {
    expect(CONFIG_FILES.map((f) => f.name)).toEqual(['service', 'pipeline', 'targets', 'risks', 'people', 'clinics']);
    for (const f of CONFIG_FILES) {
      const json = jsonSchemaOf(f);
      expect(ajv().validateSchema(json), f.name).toBe(true);
      expect(json).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', $id: `urn:lineofsight:config:${f.name}`, title: expect.any(String), description: expect.any(String) });
    }
  });

  it('describe every field, so that the reference and the editors say what each one is', () => {
    const undescribed = CONFIG_FILES.flatMap((f) =>
      [...subschemas(jsonSchemaOf(f))].flatMap(([at, json]) => Object.entries(json.properties ?? {}).filter(([, field]) => !field.description).map(([key]) => `${f.name} ${at}/properties/${key}`)),
    );
    expect(undescribed, 'give these fields a .describe() in their zod schema, then run npm run schemas').toEqual([]);
  });

  it('give defaults that their own schemas take, durations as a user writes them', () => {
    for (const f of CONFIG_FILES) {
      for (const [at, json] of subschemas(jsonSchemaOf(f))) {
        if (json.default === undefined) continue;
        const { default: value, ...schema } = json;
        expect(ajv().validate(schema, value), `${f.name} ${at}: default ${JSON.stringify(value)}`).toBe(true);
      }
    }
    const service = jsonSchemaOf(configFile('service'));
    expect(service.properties!.scheduler!.properties!.lease!.default).toBe('1m');
    expect(service.properties!.exceptions!.properties!.reminders!.default).toEqual(['1d', '7d']);
    expect(service.properties!.exceptions!.properties!.data_not_received!.default).toEqual([
      { after: '10d', to: ['owner'] },
      { after: '15d', to: ['owner', 'manager'] },
      { after: '20d', to: ['owner', 'manager', 'performance_team'] },
    ]);
    expect(service.properties!.store!.default).toEqual({ client: 'sqlite', filename: './data/lineofsight.sqlite', acquire_timeout: '30s' });
  });

  it('take what lineofsight takes and refuse what it refuses, field by field', () => {
    const pipeline = (extra: Record<string, unknown>) => ({
      id: 'p',
      title: 'P',
      source: 'db',
      schedule: '0 6 * * *',
      frequency: 'monthly',
      query: 'SELECT 1 AS v',
      indicators: [{ id: 'P1', title: 'P', type: 'value', value: 'v', polarity: 'none', service: 'S' }],
      ...extra,
    });
    const csv = (field: Record<string, unknown>) => pipeline({ query: undefined, csv: { files: '*.csv', fields: { paid: { type: 'date', ...field } }, date: 'paid' } });
    const risks = (trigger: Record<string, unknown>, line: Record<string, unknown> = { score: 12 }) => ({
      tolerance_line: line,
      risks: [{ id: 'R1', title: 'R', owner: 'o', clinic: 'C', inherent: { likelihood: 'A', impact: 'I' }, current: { likelihood: 4, impact: 'II' }, triggers: [{ id: 't', type: 'source_failing', source: 'db', set: { likelihood: 'A' }, ...trigger }] }],
    });
    const cases: [string, ConfigFileName, unknown, boolean][] = [
      ['an empty service config', 'service', {}, true],
      ['durations with their units', 'service', { scheduler: { lease: '90s', source_retries: ['500ms', ' 1.5m ', 2000], shutdown_grace: '2h' } }, true],
      ['a duration that is not one', 'service', { scheduler: { lease: 'soon' } }, false],
      ['a negative number of milliseconds', 'service', { scheduler: { lease: -5 } }, false],
      ['escalation steps in days', 'service', { exceptions: { data_not_received: [{ after: '3d', to: ['owner'] }, { after: 10, to: ['manager'] }] } }, true],
      ['an escalation step in hours', 'service', { exceptions: { data_not_received: [{ after: '36h', to: ['owner'] }] } }, false],
      ['a misspelt key', 'service', { schedular: {} }, false],
      ['a renamed key', 'service', { email: { outbox_dir: './out' } }, false],
      ['a port as text', 'service', { email: { smtp: { host: 'mail', port: '2525' } } }, true],
      ['a port that is not a number', 'service', { email: { smtp: { host: 'mail', port: 'smtp' } } }, false],
      ['a source of an unknown client', 'service', { sources: { db: { client: 'oracle', connection: 'x' } } }, false],
      ['a CSV source', 'service', { sources: { files: { client: 'csv', directory: './csv' } } }, true],
      ['a CSV source with a connection', 'service', { sources: { files: { client: 'csv', directory: './csv', connection: 'x' } } }, false],
      ['a pipeline', 'pipeline', pipeline({}), true],
      ['a pipeline with no indicators', 'pipeline', pipeline({ indicators: [] }), false],
      ['an arrival grace in days', 'pipeline', pipeline({ arrival: { newest: 'SELECT 1', grace: '2d' } }), true],
      ['a check of an unknown type', 'pipeline', pipeline({ checks: [{ id: 'c', type: 'not_empty', column: 'x' }] }), false],
      ['a check without its column', 'pipeline', pipeline({ checks: [{ id: 'c', type: 'not_null' }] }), false],
      ['a CSV field by header', 'pipeline', csv({ header: 'Paid' }), true],
      ['a CSV field by column', 'pipeline', csv({ column: 2 }), true],
      ['a CSV field by both', 'pipeline', csv({ header: 'Paid', column: 2 }), false],
      ['a CSV field by neither', 'pipeline', csv({}), false],
      ['a register', 'risks', risks({ for: '3d' }), true],
      ['a failing time without its unit', 'risks', risks({ for: 72 }), false],
      ['a failing time that is not one', 'risks', risks({ for: 'a while' }), false],
      ['a tolerance line of cells and a score', 'risks', risks({ for: '3d' }, { cells: ['A/I'], score: 12 }), false],
      ['a tolerance line of neither', 'risks', risks({ for: '3d' }, {}), false],
      ['a register without risks', 'risks', { tolerance_line: { score: 12 } }, false],
      ['a band named with a space', 'risks', { ...risks({ for: '3d' }), matrix: { likelihood: [{ band: 'A 1', label: 'a' }, { band: 'B', label: 'b' }], impact: [{ band: 1, label: 'x' }, { band: 2, label: 'y' }] } }, false],
      ['a trigger setting a band named with a space', 'risks', risks({ for: '3d', set: { impact: 'I I' } }), false],
      ['people', 'people', { performance_team: { email: 'team@example.gov.uk' }, people: [{ id: 'sam', name: 'Sam' }] }, true],
      ['a person id with a space', 'people', { performance_team: { email: 'team@example.gov.uk' }, people: [{ id: 'sam owner', name: 'Sam' }] }, false],
      ['clinics', 'clinics', { clinics: [{ id: 'Place', name: 'Place', members: ['sam'], schedule: '0 8 * * 1' }] }, true],
      ['a clinic with no members', 'clinics', { clinics: [{ id: 'Place', name: 'Place', members: [], schedule: '0 8 * * 1' }] }, false],
      ['targets', 'targets', { targets: [{ indicator: 'P1', from: '2025-26', value: 90, signed_off_on: '2025-03-01' }] }, true],
      ['a target signed off on no date', 'targets', { targets: [{ indicator: 'P1', from: '2025-26', value: 90, signed_off_on: '2025-02-30' }] }, false],
    ];
    for (const [what, name, doc, expected] of cases) {
      const editor = editorTakes(name, JSON.parse(JSON.stringify(doc)));
      expect(editor.valid, `${what}: the JSON Schema ${expected ? 'refuses it' : 'takes it'}${editor.error ? ` (${editor.error})` : ''}`).toBe(expected);
      const zod = configFile(name).schema.safeParse(JSON.parse(JSON.stringify(doc)));
      expect(zod.success, `${what}: the zod schema ${expected ? 'refuses it' : 'takes it'}`).toBe(expected);
    }
  });

  it('take every shipped YAML file as it is written, ${VAR} and all', () => {
    for (const [file, name] of SHIPPED) {
      const result = editorTakes(name, parse(readFileSync(file, 'utf8')));
      expect(result.valid, `${file} against schemas/${schemaFileName(name)}: ${result.error}`).toBe(true);
    }
  });

  it('are named by the first line of every shipped YAML file, for the editors', () => {
    expect(SHIPPED.length).toBeGreaterThan(5);
    for (const [file, name] of SHIPPED) {
      const schema = path.relative(path.dirname(file), path.join(SCHEMAS_DIR, schemaFileName(name))).split(path.sep).join('/');
      const first = readFileSync(file, 'utf8').split('\n')[0];
      expect(first, file).toBe(`# yaml-language-server: $schema=${schema}`);
      expect(readdirSync(SCHEMAS_DIR), file).toContain(schemaFileName(name));
    }
  });
});
