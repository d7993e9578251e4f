import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboards } from '../dashboards/src/dashboards.js';
import { lineofsight } from './helpers/cli.js';
import { panelsOf, promQueries, sqlQueries } from './helpers/dashboardQueries.js';
import { promqlFor, relativeTime, sqlFor, type VariableValue } from './helpers/grafanaMacros.js';
import { prometheusTools, type RunningPrometheus } from './helpers/prometheus.js';
import { scrapedDemo, type ScrapedDemo } from './helpers/scrapedDemo.js';

const tools = prometheusTools();
const TOKEN = 'dashboards-token-51c2';
const READER = 'lineofsight_grafana';
const READER_PASSWORD = 'reader-password-for-tests';

/**
 * Grafana cannot run here: the proof is each panel's query, run as Grafana would run it, against a
 * real Prometheus scraping a real `lineofsight serve` over the demo in a real PostgreSQL store, the
 * store read as the read-only role dashboards/postgres/grafana-reader.sql creates.
 */
describe.skipIf(!tools)('every dashboard query, against a real Prometheus and the real store', () => {
  let demo: ScrapedDemo;
  let prometheus: RunningPrometheus;
  let reader: Knex;
  let owner: Knex;
  let env: NodeJS.ProcessEnv;
  const now = new Date();

  /** What a `label_values(selector, label)` variable query offers, as Grafana asks Prometheus. */
  const labelValues = async (query: string): Promise<string[]> => {
    const m = /^label_values\((.+), (\w+)\)$/.exec(query);
    if (!m) throw new Error(`not a label_values query: ${query}`);
    const r = await fetch(`${prometheus.url}/api/v1/label/${m[2]}/values?${new URLSearchParams({ 'match[]': m[1]! })}`);
    const body = (await r.json()) as { status: string; data: string[] };
    expect(body.status, query).toBe('success');
    return body.data;
  };

  /**
   * Each variable of a dashboard, in order, from its own query: a multi-value variable as All (every
   * value it offers), a single one as `chosen` picks, a hidden one as the one value it offers.
   */
  const variablesOf = async (d: dashboard.Dashboard, chosen: Record<string, string>): Promise<Record<string, VariableValue>> => {
    const values: Record<string, VariableValue> = {};
    for (const v of d.templating.list ?? []) {
      const offered = await labelValues(promqlFor(String(v.query), values));
      expect(offered.length, `${d.uid} $${v.name} offers no value`).toBeGreaterThan(0);
      // All, as Grafana sends it: the variable's own all-value (`.*`) where it has one, else every value offered.
      if (v.multi) values[v.name] = v.allValue ?? offered;
      else if (v.name in chosen) {
        expect(offered, `${d.uid} $${v.name}`).toContain(chosen[v.name]);
        values[v.name] = chosen[v.name]!;
      } else {
        expect(offered, `${d.uid} $${v.name} depends on the variables before it and has one value`).toHaveLength(1);
        values[v.name] = offered[0]!;
      }
    }
    return values;
  };

  beforeAll(async () => {
    demo = await scrapedDemo(tools!.prometheus, 'lineofsight_test_dashboards', TOKEN);
    ({ env, prometheus } = demo);
    // The role as an administrator makes it, with psql and the shipped file.
    const psql = spawnSync('psql', [demo.storeUrl, '-v', 'ON_ERROR_STOP=1', '-v', `password=${READER_PASSWORD}`, '-f', 'dashboards/postgres/grafana-reader.sql'], { encoding: 'utf8' });
    expect(psql.status, psql.stderr).toBe(0);
    const url = new URL(demo.storeUrl);
    url.username = READER;
    url.password = READER_PASSWORD;
    reader = knexFactory({ client: 'pg', connection: { connectionString: url.toString() }, pool: { min: 0, max: 2 } });
    owner = knexFactory({ client: 'pg', connection: { connectionString: demo.storeUrl }, pool: { min: 0, max: 1 } });
  }, 300_000);

  afterAll(async () => {
    await demo?.stop();
    await reader?.destroy();
    await owner?.destroy();
  });

  /** An indicator with the most to show: a tolerance band, and a risk that names it. */
  const richIndicator = async () => {
    const found = await prometheus.query('lineofsight_indicator_info{tolerance_band="floor"} and on (indicator) lineofsight_risk_indicator_info');
    expect(found.length).toBeGreaterThan(0);
    return found.map((s) => s.metric.indicator!).sort()[0]!;
  };

  it('gets at least one series from Prometheus for every PromQL query of every panel, each variable from its own query', async () => {
    const chosen = { indicator: await richIndicator() };
    const empty: string[] = [];
    let queries = 0;
    for (const d of dashboards()) {
      const values = await variablesOf(d, chosen);
      for (const panel of panelsOf(d)) {
        for (const q of promQueries(panel)) {
          queries++;
          const series = await prometheus.query(promqlFor(q.expr, values));
          if (series.length === 0) empty.push(`${d.uid} "${panel.title}" ${q.refId}: ${q.expr}`);
        }
      }
    }
    expect(queries).toBeGreaterThan(25);
    expect(empty).toEqual([]);
  });

  it('gets rows from the store for every SQL query of every panel, as the read-only role, macros filled in from the dashboard\'s time range', async () => {
    const chosen = { indicator: await richIndicator() };
    const empty: string[] = [];
    let queries = 0;
    for (const d of dashboards()) {
      const values = await variablesOf(d, chosen);
      const range = { from: relativeTime(d.time!.from, now), to: relativeTime(d.time!.to, new Date()) };
      for (const panel of panelsOf(d)) {
        for (const q of sqlQueries(panel)) {
          queries++;
          const { rows, fields } = (await reader.raw(sqlFor(q.rawSql, values, range))) as { rows: unknown[]; fields: { name: string }[] };
          if (rows.length === 0) empty.push(`${d.uid} "${panel.title}" ${q.refId}`);
          if (q.format === 'time_series') expect(fields.map((f) => f.name), `${d.uid} "${panel.title}"`).toContain('time');
        }
      }
    }
    expect(queries).toBeGreaterThan(10);
    expect(empty).toEqual([]);
  });

  it("gives the scorecard's table each indicator once, with its labels and its value in its own unit, and only the chosen service's", async () => {
    const scorecard = dashboards().find((d) => d.uid === 'lineofsight-scorecard')!;
    const table = panelsOf(scorecard).find((p) => p.title === 'Indicators')!;
    const [valueQuery, targetQuery] = promQueries(table);
    const all = await variablesOf(scorecard, {});
    const card = JSON.parse(lineofsight(['scorecard', '--format', 'json'], { env }).stdout) as { indicators: { indicator: string; service: string; title: string; value: number | null; target: number | null }[] };
    const values = await prometheus.query(promqlFor(valueQuery!.expr, all));
    expect(values.map((s) => s.metric.indicator).sort()).toEqual(card.indicators.filter((i) => i.value !== null).map((i) => i.indicator).sort());
    for (const s of values) {
      const line = card.indicators.find((i) => i.indicator === s.metric.indicator)!;
      expect(s.metric.title, line.indicator).toBe(line.title);
      expect(Number(s.value[1]), line.indicator).toBeCloseTo(line.value!, 9);
    }
    const targets = await prometheus.query(promqlFor(targetQuery!.expr, all));
    for (const s of targets) expect(Number(s.value[1]), s.metric.indicator).toBeCloseTo(card.indicators.find((i) => i.indicator === s.metric.indicator)!.target!, 9);
    // One service chosen: its indicators only, whatever the others are.
    const service = card.indicators[0]!.service;
    const one = await prometheus.query(promqlFor(valueQuery!.expr, { ...all, service: [service] }));
    expect(one.length).toBeGreaterThan(0);
    expect(one.map((s) => s.metric.indicator).sort()).toEqual(card.indicators.filter((i) => i.service === service && i.value !== null).map((i) => i.indicator).sort());
  });

  it('links each risk to every indicator its register entry or a trigger names, and no other', async () => {
    const register = parse(readFileSync('config/risks.yaml', 'utf8')) as { risks: { id: string; owner: string; indicators?: string[]; triggers?: { indicator?: string }[] }[] };
    const expected = register.risks.flatMap((r) => [...new Set([...(r.indicators ?? []), ...(r.triggers ?? []).flatMap((t) => (t.indicator ? [t.indicator] : []))])].map((i) => `${r.id} ${i}`));
    const served = (await prometheus.query('lineofsight_risk_indicator_info')).map((s) => `${s.metric.risk} ${s.metric.indicator}`);
    expect(served.sort()).toEqual(expected.sort());
    const owners = (await prometheus.query('lineofsight_risk_info')).map((s) => `${s.metric.risk} ${s.metric.owner}`);
    expect(owners.sort()).toEqual(register.risks.map((r) => `${r.id} ${r.owner}`).sort());
  });

  it('draws the tolerance band where the scheme has one, and none where it has not', async () => {
    const history = panelsOf(dashboards().find((d) => d.uid === 'lineofsight-indicator')!).find((p) => p.type === 'timeseries')!;
    const sql = sqlQueries(history)[0]!.rawSql;
    const range = { from: relativeTime('now-3y', now), to: now };
    const banded = await richIndicator();
    const unbanded = (await prometheus.query('lineofsight_indicator_info{tolerance_band="none"}')).map((s) => s.metric.indicator!).sort()[0]!;
    const rowsFor = async (indicator: string, band: string) => ((await reader.raw(sqlFor(sql, { indicator, tolerance_band: band }, range))) as { rows: Record<string, number | null>[] }).rows;
    const withBand = await rowsFor(banded, 'floor');
    expect(withBand.some((r) => r['AMBER from'] !== null && r.Target !== null && r['AMBER from']! < r.Target!)).toBe(true);
    expect(withBand.every((r) => r['AMBER to'] === null)).toBe(true);
    expect((await rowsFor(unbanded, 'none')).every((r) => r['AMBER from'] === null && r['AMBER to'] === null)).toBe(true);
  });

  it('shows the demo\'s planted trouble: a failed run, malformed rows, an awaiting period, an open entry, a suspect value, a risk above the line', async () => {
    const count = async (sql: string) => Number(((await reader.raw(sql)) as { rows: { n: string }[] }).rows[0]!.n);
    expect(await count("SELECT count(*) AS n FROM runs WHERE outcome = 'failed'")).toBeGreaterThan(0);
    expect(await count('SELECT count(*) AS n FROM runs WHERE rows_rejected > 0')).toBeGreaterThan(0);
    expect(await count("SELECT count(*) AS n FROM runs WHERE outcome = 'awaiting'")).toBeGreaterThan(0);
    expect(await count("SELECT count(*) AS n FROM failed_check_log WHERE status = 'open'")).toBeGreaterThan(0);
    expect(await count("SELECT count(*) AS n FROM failed_check_log WHERE check_type = 'suspect_values'")).toBeGreaterThan(0);
    const matrix = panelsOf(dashboards().find((d) => d.uid === 'lineofsight-risk')!).find((p) => p.title === 'Risk matrix')!;
    const cells = ((await reader.raw(sqlQueries(matrix)[0]!.rawSql)) as { rows: { Risks: string }[] }).rows;
    expect(cells).toHaveLength(24); // every cell of the demo's 6 x 4 matrix, empty ones too
    expect(cells.some((c) => /^▲ [A-Z]+-R\d/.test(c.Risks))).toBe(true);
    expect(cells.some((c) => c.Risks === '▲')).toBe(true); // the line shows where no risk stands
    // A risk since taken out of the register keeps its history, and no place on the matrix.
    await owner('risk_positions').insert({ risk_id: 'OLD-R9', assessed_at: new Date(), likelihood: 'A', impact: 'I', score: 24, above_tolerance: true, triggered: false, evidence: '[]' });
    const after = ((await reader.raw(sqlQueries(matrix)[0]!.rawSql)) as { rows: { Risks: string }[] }).rows;
    expect(after).toEqual(cells);
    await owner('risk_positions').where('risk_id', 'OLD-R9').delete();
  });

  it('lets the read-only role read what the panels read and nothing else, and write nothing', async () => {
    const refused: [string, RegExp][] = [
      ["INSERT INTO runs (pipeline_id, period_id, period_start, period_end, started_at, finished_at, outcome) VALUES ('x', 'x', '2024-01-01', '2024-01-31', now(), now(), 'failed')", /read-only transaction|permission denied/],
      ['SELECT count(*) FROM check_log', /permission denied/],
      ['SELECT count(*) FROM check_results', /permission denied/],
      ['SELECT count(*) FROM store_locks', /permission denied/],
      ['CREATE TABLE grafana_was_here (id int)', /read-only transaction|permission denied/],
    ];
    for (const [sql, message] of refused) await expect(reader.raw(sql), sql).rejects.toThrow(message);
    // A session that asks to write still has no privilege to write with.
    const writable: [string, RegExp][] = [
      ["INSERT INTO runs (pipeline_id, period_id, period_start, period_end, started_at, finished_at, outcome) VALUES ('x', 'x', '2024-01-01', '2024-01-31', now(), now(), 'failed')", /permission denied for table runs/],
      ["UPDATE indicator_values SET value = 0 WHERE indicator_id = 'x'", /permission denied for table indicator_values/],
      ['CREATE TABLE grafana_was_here (id int)', /permission denied for schema public/],
      ['CREATE TEMPORARY TABLE grafana_was_here (id int)', /permission denied to create temporary tables/],
    ];
    for (const [sql, message] of writable) {
      await expect(reader.transaction(async (trx) => {
        await trx.raw('SET TRANSACTION READ WRITE');
        await trx.raw(sql);
      }), sql).rejects.toThrow(message);
    }
    // And the owner's tables are as they were: nothing was written.
    expect(Number(((await owner.raw("SELECT count(*) AS n FROM runs WHERE pipeline_id = 'x'")) as { rows: { n: string }[] }).rows[0]!.n)).toBe(0);
  });
});
