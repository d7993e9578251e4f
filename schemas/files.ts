import * as z from 'zod';
import {
  configFiles,
  DURATION_TEXT_FORM,
  exactlyOneOf,
  jsonSchemaOf,
  referenceMarkdown,
  rootOf,
  schemaFileName,
  writtenAs,
  type ConfigFile,
  type ConfigFileName,
  type InputForm,
} from '../src/config/reference.js';
import { risksFileSchema } from '../src/risk/config.js';

/** Where `npm run schemas` writes: the JSON Schemas here, the reference in docs/. */
export const SCHEMAS_DIR = 'schemas';
export const REFERENCE_FILE = 'docs/configuration.md';

/**
 * The risk register's fields that zod cannot say in JSON Schema: a band (a number is read as its
 * digits), a tolerance line (cells or a score), a source's failing time (a duration with its unit).
 */
function riskForms(): Map<z.core.$ZodType, InputForm> {
  const risk = risksFileSchema.shape.risks.element;
  const triggers = risk.shape.triggers.unwrap().element.options;
  const sourceFailing = triggers.find((t) => t.shape.type.value === 'source_failing');
  if (!sourceFailing || !('for' in sourceFailing.shape)) throw new Error('the risk register has no source_failing trigger with a "for"');
  return new Map<z.core.$ZodType, InputForm>([
    [rootOf(risk.shape.inherent.shape.likelihood), writtenAs({ anyOf: [{ type: 'string', pattern: '^[A-Za-z0-9_.-]+$' }, { type: 'number' }] })],
    [rootOf(risksFileSchema.shape.tolerance_line), exactlyOneOf('cells', 'score')],
    [rootOf(sourceFailing.shape.for), writtenAs(DURATION_TEXT_FORM)],
  ]);
}

/** Every kind of configuration file, the risk register's schema given from src/risk. */
export const CONFIG_FILES: readonly ConfigFile[] = configFiles({ schema: risksFileSchema, forms: riskForms() });

export function configFile(name: ConfigFileName): ConfigFile {
  return CONFIG_FILES.find((f) => f.name === name)!;
}

/** Every file `npm run schemas` writes, by its path from the repository, with its text. */
export function generatedFiles(): { path: string; text: string }[] {
  return [
    ...CONFIG_FILES.map((f) => ({ path: `${SCHEMAS_DIR}/${schemaFileName(f.name)}`, text: `${JSON.stringify(jsonSchemaOf(f), null, 2)}\n` })),
    { path: REFERENCE_FILE, text: referenceMarkdown(CONFIG_FILES) },
  ];
}
