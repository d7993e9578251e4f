import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadService } from '../src/app/service.js';
import { zonedInstant } from '../src/calendar/localDate.js';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { CHECK_CODES, DIRECTION_CODES, QUALITY_CODES, RAG_CODES } from '../src/metrics/codes.js';
import { lineofsight } from './helpers/cli.js';
import { prometheusTools, startPrometheus, type RunningPrometheus } from './helpers/prometheus.js';
import { scrapedDemo, type ScrapedDemo } from './helpers/scrapedDemo.js';
import type { ServeProcess } from './helpers/serve.js';

const tools = prometheusTools();
const RULES = path.resolve('dashboards/prometheus/lineofsight.rules.yml');
const TOKEN = 'test-token-7f3a9c';

/** Every metric family the README's "Metrics" section names. */
function documentedFamilies(): { name: string; type: string }[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('\n## Metrics'), readme.indexOf('\n## ', readme.indexOf('\n## Metrics') + 1));
  return [...section.matchAll(/^\| `([a-z_]+)` \| (gauge|counter|histogram) \|/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
}

describe.skipIf(!tools)('a real Prometheus scraping lineofsight serve over the demo in a PostgreSQL store', () => {
  let demo: ScrapedDemo;
  let env: NodeJS.ProcessEnv;
  let serve: ServeProcess;
  let prometheus: RunningPrometheus;
  let store: Knex;
  const cli = (args: string[]) => lineofsight(args, { env });
  const json = (args: string[]) => {
    const r = cli(args);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  /** The single value of an instant query, or undefined when it has no series. */
  const scalar = async (expr: string) => {
    const r = await prometheus.query(expr);
    return r.length ? Number(r[0]!.value[1]) : undefined;
  };

  beforeAll(async () => {
    demo = await scrapedDemo(tools!.prometheus, 'lineofsight_test_prometheus', TOKEN, [RULES]);
    ({ env, serve, prometheus } = demo);
    store = knexFactory({ client: 'pg', connection: { connectionString: demo.storeUrl } });
  }, 240_000);

  afterAll(async () => {
    await demo?.stop();
    await store?.destroy();
  });

  it('finds series for every metric family the README documents', async () => {
    const families = documentedFamilies();
    expect(families.length).toBeGreaterThan(30);
    const missing: string[] = [];
    for (const { name, type } of families) {
      const series = await prometheus.query(type === 'histogram' ? `${name}_bucket` : name);
      if (!series.length) missing.push(name);
    }
    expect(missing).toEqual([]);
    const text = await fetch(`${serve.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.text());
    expect(families.filter(({ name, type }) => !text.includes(`\n# TYPE ${name} ${type}\n`)).map((f) => f.name)).toEqual([]);
  });

  it("serves every indicator's target, tolerance bounds, directions, data quality and times as the store has them", async () => {
    const service = await loadService(env.LINEOFSIGHT_CONFIG!, { ...process.env, ...env });
    const indicators = new Map(service.config.pipelines.flatMap((p) => p.indicators.map((i) => [i.id, i])));
    const card = json(['scorecard', '--format', 'json']) as { indicators: { indicator: string; pipeline: string; period: string; value: number | null; target: number | null; tolerance: number | null; rag: string; directionPrevious: string | null; directionLastYear: string | null; dataQuality: 'passed' | 'warned' | 'failed' | null }[] };
    const series = async (name: string) => new Map((await prometheus.query(name)).map((s) => [s.metric.indicator!, Number(s.value[1])]));
    type Series = Map<string, number>;
    const [target, floor, ceiling, direction, lastYear, quality, periodEnd, computed] = (await Promise.all(
      ['target', 'tolerance_floor', 'tolerance_ceiling', 'direction', 'direction_last_year', 'data_quality', 'period_end_timestamp_seconds', 'computed_timestamp_seconds'].map((f) => series(`lineofsight_indicator_${f}`)),
    )) as [Series, Series, Series, Series, Series, Series, Series, Series];
    // Written here independently of the store's own statements.
    const { rows } = await store.raw(`SELECT pipeline_id, period_id, extract(epoch FROM max(finished_at)) AS at FROM runs WHERE outcome = 'succeeded' GROUP BY pipeline_id, period_id`);
    const lastComputed = new Map((rows as { pipeline_id: string; period_id: string; at: string }[]).map((r) => [`${r.pipeline_id}/${r.period_id}`, Number(r.at)]));
    const calendar = new FinancialCalendar(4);
    let banded = 0;
    for (const line of card.indicators) {
      const id = line.indicator;
      const config = indicators.get(id)!;
      const scale = config.unit === '%' || config.type === 'percentage' ? 0.01 : 1;
      const expectNear = (got: number | undefined, want: number | null, what: string) => (want === null ? expect(got, `${id} ${what}`).toBeUndefined() : expect(got, `${id} ${what}`).toBeCloseTo(want, 9));
      expectNear(target.get(id), line.target === null ? null : line.target * scale, 'target');
      const rated = ['BLUE', 'GREEN', 'GREEN_AMBER', 'AMBER', 'RED_AMBER', 'RED'].includes(line.rag) && line.target !== null && line.tolerance !== null;
      const [low, high] = rated ? [(line.target! - line.tolerance!) * scale, (line.target! + line.tolerance!) * scale] : [null, null];
      expectNear(floor.get(id), rated && config.polarity !== 'lower_is_better' ? low : null, 'floor');
      expectNear(ceiling.get(id), rated && config.polarity !== 'higher_is_better' ? high : null, 'ceiling');
      if (rated) banded++;
      expect(direction.get(id), `${id} direction`).toBe(line.directionPrevious === null ? undefined : DIRECTION_CODES[line.directionPrevious as keyof typeof DIRECTION_CODES]);
      expect(lastYear.get(id), `${id} direction last year`).toBe(line.directionLastYear === null ? undefined : DIRECTION_CODES[line.directionLastYear as keyof typeof DIRECTION_CODES]);
      expect(quality.get(id), `${id} quality`).toBe(line.dataQuality === null ? undefined : QUALITY_CODES[line.dataQuality]);
      expect(periodEnd.get(id), `${id} period end`).toBe(zonedInstant(calendar.parse(line.period).end, 'Europe/London')!.getTime() / 1000);
      // A value is stored exactly where the scorecard gives its data quality.
      expectNear(computed.get(id), line.dataQuality === null ? null : lastComputed.get(`${line.pipeline}/${line.period}`)!, 'computed at');
    }
    expect(banded).toBeGreaterThan(5);
  });

  it("serves each check's result for its latest period as the store has it", async () => {
    const { rows } = await store.raw(`
      SELECT check_id, pipeline_id, status, failing_count FROM (
        SELECT c.check_id, r.pipeline_id, c.status, c.failing_count, ROW_NUMBER() OVER (PARTITION BY c.check_id, r.pipeline_id ORDER BY r.period_start DESC, c.id DESC) AS n
        FROM check_results c JOIN runs r ON r.id = c.run_id) latest WHERE n = 1`);
    const latest = rows as { check_id: string; pipeline_id: string; status: keyof typeof CHECK_CODES; failing_count: number | null }[];
    expect(latest.some((r) => r.check_id === 'suspect-values')).toBe(true);
    const status = await prometheus.query('lineofsight_check_status');
    expect(status.length).toBe(latest.length);
    for (const r of latest) {
      expect(await scalar(`lineofsight_check_status{check="${r.check_id}",pipeline="${r.pipeline_id}"}`), r.check_id).toBe(CHECK_CODES[r.status]);
      expect(await scalar(`lineofsight_check_failing{check="${r.check_id}",pipeline="${r.pipeline_id}"}`), r.check_id).toBe(r.failing_count === null ? undefined : Number(r.failing_count));
    }
  });

  it('serves the numbers the store holds: the scorecard, the failed-check log, the risks', async () => {
    const card = json(['scorecard', '--format', 'json']) as { indicators: { indicator: string; unit: string; value: number | null; target: number | null; rag: keyof typeof RAG_CODES }[] };
    const red = card.indicators.filter((i) => i.rag === 'RED').length;
    expect(red).toBeGreaterThan(0);
    expect(await scalar('count(lineofsight_indicator_rag == 5)')).toBe(red);
    const rag = new Map((await prometheus.query('lineofsight_indicator_rag')).map((s) => [s.metric.indicator, Number(s.value[1])]));
    const values = new Map((await prometheus.query('lineofsight_indicator_value')).map((s) => [s.metric.indicator, Number(s.value[1])]));
    expect(rag.size).toBe(card.indicators.length);
    for (const line of card.indicators) {
      expect(rag.get(line.indicator), line.indicator).toBe(RAG_CODES[line.rag]);
      if (line.value === null) expect(values.has(line.indicator)).toBe(false);
      else expect(values.get(line.indicator), line.indicator).toBeCloseTo(line.unit === '%' ? line.value / 100 : line.value, 9);
    }
    const info = await prometheus.query('lineofsight_indicator_info');
    expect(info.map((s) => s.metric.indicator).sort()).toEqual(card.indicators.map((i) => i.indicator).sort());

    const open = json(['checks', '--format', 'json']) as { entries: { severity: string }[] };
    expect(open.entries.length).toBeGreaterThan(0);
    expect(await scalar('sum(lineofsight_failed_check_entries{status="open"})')).toBe(open.entries.length);
    expect(await scalar('sum(lineofsight_failed_check_entries{status="open",severity="error"})')).toBe(open.entries.filter((e) => e.severity === 'error').length);

    const risks = json(['risks', '--format', 'json']) as { risks: { risk: string; assessed: { score: number }; exception: boolean }[] };
    expect(await scalar('count(lineofsight_risk_score)')).toBe(risks.risks.length);
    expect((await scalar('count(lineofsight_risk_above_tolerance == 1)')) ?? 0).toBe(risks.risks.filter((r) => r.exception).length);
    for (const r of risks.risks) expect(await scalar(`lineofsight_risk_score{risk="${r.risk}"}`)).toBe(r.assessed.score);
  });

  it("serves each pipeline's runs as the store records them", async () => {
    // Written here independently of the store's own statements.
    const { rows: latest } = await store.raw(`SELECT pipeline_id, outcome, extract(epoch FROM finished_at) AS at FROM runs WHERE id IN (SELECT max(id) FROM runs GROUP BY pipeline_id)`);
    const { rows: awaiting } = await store.raw(`SELECT pipeline_id, count(*) AS n FROM runs WHERE id IN (SELECT max(id) FROM runs GROUP BY pipeline_id, period_id) AND outcome = 'awaiting' GROUP BY pipeline_id`);
    expect(awaiting.length).toBeGreaterThan(0);
    for (const row of latest as { pipeline_id: string; outcome: string; at: string }[]) {
      expect(await scalar(`lineofsight_pipeline_last_run_outcome{pipeline="${row.pipeline_id}",outcome="${row.outcome}"}`), row.pipeline_id).toBe(1);
      expect(await scalar(`lineofsight_pipeline_last_run_timestamp_seconds{pipeline="${row.pipeline_id}"}`)).toBeCloseTo(Number(row.at), 2);
    }
    for (const row of awaiting as { pipeline_id: string; n: string }[]) {
      expect(await scalar(`lineofsight_pipeline_periods_awaiting{pipeline="${row.pipeline_id}"}`), row.pipeline_id).toBe(Number(row.n));
    }
    expect(await scalar('sum(lineofsight_pipeline_periods_awaiting)')).toBe((awaiting as { n: string }[]).reduce((n, r) => n + Number(r.n), 0));
  });

  it('shows a run started from the CLI at the next scrape', async () => {
    const before = (await scalar('lineofsight_pipeline_last_run_timestamp_seconds{pipeline="foi"}'))!;
    const run = cli(['run', 'foi']);
    expect(run.status, run.stderr).toBe(0);
    const deadline = Date.now() + 20_000;
    let after = before;
    while (after <= before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      after = (await scalar('lineofsight_pipeline_last_run_timestamp_seconds{pipeline="foi"}'))!;
    }
    expect(after).toBeGreaterThan(before);
  });

  it('passes promtool check metrics on a real scrape', async () => {
    const text = await fetch(`${serve.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.text());
    expect(text).toContain('lineofsight_indicator_value{');
    const lint = spawnSync(tools!.promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });

  it('loads and evaluates the alert rules for the service itself', async () => {
    const body = (await fetch(`${prometheus.url}/api/v1/rules`).then((r) => r.json())) as { data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] } };
    const group = body.data.groups.find((g) => g.name === 'lineofsight');
    expect(group?.rules.map((r) => r.name).sort()).toEqual(['LineofsightConfigReloadFailed', 'LineofsightOutboxBacklog', 'LineofsightPipelineFailing', 'LineofsightPipelineStale', 'LineofsightStoreDown', 'LineofsightTargetDown']);
    const deadline = Date.now() + 10_000;
    while (group!.rules.some((r) => r.health === 'unknown') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      const again = (await fetch(`${prometheus.url}/api/v1/rules`).then((r) => r.json())) as typeof body;
      group!.rules = again.data.groups.find((g) => g.name === 'lineofsight')!.rules;
    }
    for (const rule of group!.rules) expect(rule.health, `${rule.name}: ${rule.lastError}`).toBe('ok');
  });

  it('is down to a Prometheus that scrapes with the wrong token', async () => {
    const wrong = await startPrometheus(tools!.prometheus, { host: new URL(serve.url).host, token: 'not-the-token' });
    try {
      const deadline = Date.now() + 20_000;
      let target: { health: string; lastError: string } | undefined;
      while (target?.health !== 'down' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        const body = (await fetch(`${wrong.url}/api/v1/targets`).then((r) => r.json())) as { data: { activeTargets: { health: string; lastError: string }[] } };
        target = body.data.activeTargets[0];
      }
      expect(target?.health).toBe('down');
      expect(target?.lastError).toMatch(/401/);
    } finally {
      await wrong.stop();
    }
  });
});
