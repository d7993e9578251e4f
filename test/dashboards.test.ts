import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { dashboardFile, dashboards, JSON_DIR } from '../dashboards/src/dashboards.js';
import { grafanaSchemas, type GrafanaSchemas } from './helpers/grafanaSchema.js';
import { panelsOf, promQueries, sqlQueries, tablesRead } from './helpers/dashboardQueries.js';

const committed = () => readdirSync(JSON_DIR).filter((f) => f.endsWith('.json')).sort();

describe('the dashboards as code', () => {
  it('are committed exactly as npm run dashboards generates them', () => {
    const fresh = dashboards().map(dashboardFile);
    expect(fresh.map((f) => f.name).sort()).toEqual(committed());
    for (const f of fresh) expect(readFileSync(path.join(JSON_DIR, f.name), 'utf8'), `${f.name}: run npm run dashboards`).toBe(f.text);
  });

  it('are the five the README describes, each with a fixed uid and no data source inputs', () => {
    const all = dashboards();
    expect(all.map((d) => d.uid)).toEqual(['lineofsight-scorecard', 'lineofsight-indicator', 'lineofsight-data-quality', 'lineofsight-risk', 'lineofsight-pipeline-health']);
    const readme = readFileSync('README.md', 'utf8');
    for (const d of all) expect(readme, d.uid).toContain(`dashboards/json/${d.uid}.json`);
    for (const file of [...committed().map((f) => path.join(JSON_DIR, f)), ...provisioningFiles()]) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/\$\{DS_|__inputs/);
    }
  });

  describe('against JSON Schemas derived from the SDK types', () => {
    let schemas: GrafanaSchemas;
    beforeAll(() => {
      schemas = grafanaSchemas();
    }, 120_000);

    it('validates every committed dashboard, every panel\'s options and field options', () => {
      for (const file of committed()) {
        const d = JSON.parse(readFileSync(path.join(JSON_DIR, file), 'utf8'));
        expect(schemas.dashboard(d), `${file}: ${JSON.stringify(schemas.dashboard.errors?.slice(0, 3))}`).toBe(true);
        for (const panel of panelsOf(d)) {
          const { options, custom } = schemas.panel(panel.type);
          expect(options(panel.options), `${file} "${panel.title}" options: ${JSON.stringify(options.errors?.slice(0, 3))}`).toBe(true);
          if (custom && panel.fieldConfig?.defaults.custom) expect(custom(panel.fieldConfig.defaults.custom), `${file} "${panel.title}" field options: ${JSON.stringify(custom.errors?.slice(0, 3))}`).toBe(true);
        }
      }
    });

    it('refuses a dashboard that breaks them: a misspelt key, a query of no known shape, a panel option of the wrong type', () => {
      const d = JSON.parse(readFileSync(path.join(JSON_DIR, committed()[0]!), 'utf8'));
      const cases: [string, (x: any) => void, (x: any) => boolean][] = [
        ['a misspelt dashboard key', (x) => (x.refersh = '1m'), (x) => schemas.dashboard(x)],
        ['a query with neither expr nor rawSql', (x) => (x.panels[0].targets[0] = { refId: 'A', datasource: x.panels[0].targets[0].datasource }), (x) => schemas.dashboard(x)],
        ['a store query of an unknown format', (x) => (x.panels[0].targets[0] = { refId: 'A', datasource: { uid: 'lineofsight-store' }, rawSql: 'SELECT 1', format: 'csv', rawQuery: true, editorMode: 'code' }), (x) => schemas.dashboard(x)],
        ['a stat panel option of the wrong type', (x) => (x.panels[0].options.colorMode = 7), (x) => schemas.panel(x.panels[0].type).options(x.panels[0].options)],
      ];
      for (const [what, breakIt, valid] of cases) {
        const broken = structuredClone(d);
        breakIt(broken);
        expect(valid(broken), what).toBe(false);
      }
    });
  });

  it('uses only transformations and field overrides Grafana has, with their options as Grafana names them', () => {
    // The SDK types these as `any`: this is Grafana's own list (its transformation and field config registries) of those used here.
    const transformations: Record<string, Record<string, readonly unknown[] | 'object' | 'string'>> = {
      groupingToMatrix: { columnField: 'string', rowField: 'string', valueField: 'string', emptyValue: ['zero', 'null', 'empty'] },
      joinByField: { byField: 'string', mode: ['outer', 'inner', 'outerTabular'] },
      filterFieldsByName: { include: 'object', exclude: 'object' },
      organize: { excludeByName: 'object', indexByName: 'object', renameByName: 'object', includeByName: 'object' },
      merge: {},
    };
    const overrides = new Set(['displayName', 'color', 'mappings', 'unit', 'decimals', 'custom.cellOptions', 'custom.lineStyle', 'custom.fillBelowTo']);
    for (const d of dashboards()) {
      for (const panel of panelsOf(d) as (ReturnType<typeof panelsOf>[number] & { transformations?: { id: string; options: Record<string, unknown> }[]; fieldConfig?: { overrides?: { properties: { id: string }[] }[] } })[]) {
        const where = `${d.uid} "${panel.title}"`;
        for (const t of panel.transformations ?? []) {
          const known = transformations[t.id];
          expect(known, `${where}: transformation ${t.id}`).toBeDefined();
          for (const [key, value] of Object.entries(t.options)) {
            const allowed = known![key];
            expect(allowed, `${where}: ${t.id}.${key}`).toBeDefined();
            if (Array.isArray(allowed)) expect(allowed, `${where}: ${t.id}.${key}`).toContain(value);
            else expect(typeof value, `${where}: ${t.id}.${key}`).toBe(allowed);
          }
        }
        for (const o of panel.fieldConfig?.overrides ?? []) for (const p of o.properties) expect(overrides, `${where}: override ${p.id}`).toContain(p.id);
      }
    }
  });

  it('describes every panel: what it shows, and the metric or store table it reads', () => {
    for (const d of dashboards()) {
      for (const panel of panelsOf(d)) {
        const where = `${d.uid} "${panel.title}"`;
        expect(panel.description?.length ?? 0, where).toBeGreaterThan(60);
        for (const q of promQueries(panel)) {
          // The metric a query is of: the first it reads (the others filter or label it).
          const metric = /\b(lineofsight_[a-z_]+)/.exec(q.expr)?.[1];
          expect(metric, `${where} ${q.refId} reads no lineofsight metric`).toBeDefined();
          expect(panel.description!.match(/\blineofsight_[a-z_]+/g), `${where} does not name ${metric}`).toContain(metric);
        }
        for (const q of sqlQueries(panel)) for (const t of tablesRead(q.rawSql)) expect(panel.description, where).toContain(t);
      }
    }
  });

  it('names only data sources the provisioning files define, with their types', () => {
    const provisioned = new Map<string, string>();
    for (const file of provisioningFiles('datasources')) {
      for (const ds of parse(readFileSync(file, 'utf8')).datasources as { uid: string; type: string }[]) provisioned.set(ds.uid, ds.type);
    }
    expect(provisioned.size).toBe(2);
    const named: { uid: string; type?: string; where: string }[] = [];
    for (const d of dashboards()) {
      for (const v of d.templating.list ?? []) if (v.datasource) named.push({ ...(v.datasource as { uid: string; type?: string }), where: `${d.uid} $${v.name}` });
      for (const panel of panelsOf(d)) {
        named.push({ ...panel.datasource!, where: `${d.uid} "${panel.title}"` });
        for (const t of panel.targets ?? []) named.push({ ...t.datasource, where: `${d.uid} "${panel.title}" ${t.refId}` });
      }
    }
    for (const n of named) expect(provisioned.get(n.uid), n.where).toBe(n.type);
    expect(new Set(named.map((n) => n.uid))).toEqual(new Set(provisioned.keys()));
  });

  it('points Grafana at the generated JSON, the folder the README says to mount', () => {
    const [provider] = parse(readFileSync('dashboards/provisioning/dashboards/lineofsight.yaml', 'utf8')).providers as { type: string; options: { path: string } }[];
    expect(provider!.type).toBe('file');
    expect(readFileSync('README.md', 'utf8')).toContain(`\`${JSON_DIR}/\` at \`${provider!.options.path}\``);
  });

  it('grants the read-only role SELECT on exactly the tables and views the store panels read', () => {
    const read = new Set(dashboards().flatMap((d) => panelsOf(d).flatMap((p) => sqlQueries(p).flatMap((q) => tablesRead(q.rawSql)))));
    const sql = readFileSync('dashboards/postgres/grafana-reader.sql', 'utf8');
    const grant = /^GRANT SELECT ON\n([\s\S]*?)\nTO lineofsight_grafana;/m.exec(sql);
    expect(grant).not.toBeNull();
    const granted = new Set(grant![1]!.split('\n').map((line) => line.replace(/--.*$/, '').replace(/,\s*$/, '').trim()).filter(Boolean));
    expect(granted).toEqual(read);
    expect(sql.match(/\bGRANT\b/g)).toHaveLength(3); // CONNECT, USAGE on the schema, and that SELECT
  });
});

function provisioningFiles(kind?: 'datasources' | 'dashboards'): string[] {
  return (kind ? [kind] : ['datasources', 'dashboards']).flatMap((k) => readdirSync(`dashboards/provisioning/${k}`).map((f) => `dashboards/provisioning/${k}/${f}`));
}
