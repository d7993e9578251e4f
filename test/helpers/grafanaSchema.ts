import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { createGenerator } from 'ts-json-schema-generator';

const SDK = path.resolve('node_modules/@grafana/grafana-foundation-sdk/dist');
/** The SDK's files compiled alone: with every @types package in the program, the generator finds their types of the same name. */
const SDK_TSCONFIG = path.resolve('test/helpers/grafanaSdk.tsconfig.json');

/** A JSON Schema of one exported type of a TypeScript file, every object closed to unknown keys. */
function schemaOf(file: string, type: string, tsconfig = SDK_TSCONFIG): Record<string, unknown> {
  const generator = createGenerator({ path: file, tsconfig, type, skipTypeCheck: true, expose: 'export', topRef: true, additionalProperties: false });
  return generator.createSchema(type) as Record<string, unknown>;
}

export interface GrafanaSchemas {
  /** A dashboard as the SDK's `dashboard.Dashboard` types it, each query a Prometheus or a store query. */
  dashboard: ValidateFunction;
  /** A panel type's `options` and `fieldConfig.defaults.custom`, as its plugin's SDK types give them. */
  panel(type: string): { options: ValidateFunction; custom: ValidateFunction | undefined };
}

/**
 * JSON Schemas derived from the Grafana foundation SDK's own TypeScript types (and, for the store's
 * queries, which the SDK has no type for, from dashboards/src/sqlQuery.ts). The SDK types a query
 * only as a marker interface, so the dashboard's `Dataquery` is taken as either query type.
 */
export function grafanaSchemas(): GrafanaSchemas {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const dashboard = schemaOf(path.join(SDK, 'dashboard/types.gen.d.ts'), 'Dashboard');
  const definitions = dashboard.definitions as Record<string, unknown>;
  definitions.Dataquery = { anyOf: [{ $ref: 'prometheus-query' }, { $ref: 'store-query' }] };
  ajv.addSchema({ ...schemaOf(path.join(SDK, 'prometheus/types.gen.d.ts'), 'Dataquery'), $id: 'prometheus-query' });
  ajv.addSchema({ ...schemaOf(path.resolve('dashboards/src/sqlQuery.ts'), 'SqlQuery', path.resolve('tsconfig.json')), $id: 'store-query' });
  const panels = new Map<string, { options: ValidateFunction; custom: ValidateFunction | undefined }>();
  return {
    dashboard: ajv.compile({ ...dashboard, $id: 'dashboard' }),
    panel(type) {
      let p = panels.get(type);
      if (!p) {
        const file = path.join(SDK, type, 'types.gen.d.ts');
        let custom: ValidateFunction | undefined;
        try {
          custom = ajv.compile(schemaOf(file, 'FieldConfig'));
        } catch (err) {
          // A panel with no field options of its own (stat, bar gauge) has no FieldConfig type.
          if (!/No root type "FieldConfig" found/.test(String(err))) throw err;
        }
        p = { options: ajv.compile(schemaOf(file, 'Options')), custom };
        panels.set(type, p);
      }
      return p;
    },
  };
}
