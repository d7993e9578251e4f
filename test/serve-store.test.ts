import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import knexFactory from 'knex';
import type { OpenService } from '../src/app/open.js';
import { loadService } from '../src/app/service.js';
import { silentLogger } from '../src/logger.js';
import { processRegistry } from '../src/metrics/processMetrics.js';
import { WorkMetrics } from '../src/metrics/work.js';
import type { RunningServer } from '../src/server/server.js';
import { startServing } from '../src/server/serving.js';
import { buildCli } from './helpers/build.js';
import { freshPostgres, PG_URL } from './helpers/databases.js';
import { holdOpen } from './helpers/holdOpen.js';
import { startServe } from './helpers/serve.js';
import { TcpProxy } from './helpers/tcpProxy.js';
import { workspace } from './helpers/workspace.js';

const PIPELINE = `
id: cases
title: Cases
source: cases
schedule: "0 6 * * *"
frequency: monthly
query: SELECT COUNT(*) AS closed FROM cases WHERE closed >= :period_start AND closed < :period_end
indicators:
  - id: CASE1
    title: Cases closed
    type: value
    value: closed
    polarity: higher_is_better
    owner: Sam Jones
    service: Customer Services
`;

/** A service whose PostgreSQL store is reached through `proxy`. */
async function serviceThrough(proxy: TcpProxy, database: string) {
  const url = new URL(await freshPostgres(database));
  url.host = `127.0.0.1:${proxy.port}`;
  const ws = workspace({
    'lineofsight.yaml': `pipelines_dir: {{dir}}/pipelines\nstore:\n  client: pg\n  connection: ${url}\n  connect_timeout: 2s\n  acquire_timeout: 3s\n  query_timeout: 10s\nsources:\n  cases: { client: sqlite, connection: "{{dir}}/cases.sqlite" }\n`,
    'pipelines/cases.yaml': PIPELINE,
  });
  const cases = knexFactory({ client: 'better-sqlite3', connection: { filename: ws.file('cases.sqlite') }, useNullAsDefault: true });
  await cases.schema.createTable('cases', (t) => t.date('closed'));
  await cases.destroy();
  return ws;
}

const pgTarget = () => {
  const u = new URL(PG_URL);
  return { host: u.hostname, port: Number(u.port || 5432) };
};

describe('serve when the store is slow or goes away (PostgreSQL behind a proxy)', () => {
  let proxy: TcpProxy;
  let held: { open: OpenService; close(): Promise<void> };
  let server: RunningServer;
  let queries = 0;
  const get = (p: string) => fetch(`${server.url}${p}`);

  beforeAll(async () => {
    proxy = await TcpProxy.start(pgTarget());
    const ws = await serviceThrough(proxy, 'lineofsight_test_serve_store');
    const service = await loadService(ws.config);
    held = await holdOpen(service, { logger: silentLogger });
    held.open.store.onQuery(() => queries++);
    const metrics = processRegistry(service.config, service.register);
    new WorkMetrics(metrics.registry, service.config);
    server = await startServing(held.open, { host: '127.0.0.1', port: 0, metrics, migrated: () => true });
  });

  afterAll(async () => {
    await server?.close();
    await held?.close();
    await proxy?.down();
  });

  it('lets scrapes that arrive together share one read of a slow store', async () => {
    const before = queries;
    await get('/metrics');
    const oneRead = queries - before;
    expect(oneRead).toBeGreaterThan(2);
    const now = new Date();
    await held.open.store.runs.recordRunWithoutValues({ pipelineId: 'cases', periodId: '2026-03', periodStart: '2026-03-01', periodEnd: '2026-04-01', startedAt: now, finishedAt: now, outcome: 'failed', error: 'the source went away', rowsRead: 0, rowsRejected: 0, warnings: [] });
    proxy.delayMs = 40;
    try {
      const start = queries;
      const texts = await Promise.all(Array.from({ length: 8 }, () => get('/metrics').then((r) => r.text())));
      expect(queries - start).toBe(oneRead);
      for (const t of texts) expect(t).toContain('lineofsight_pipeline_last_run_outcome{pipeline="cases",outcome="failed"} 1');
    } finally {
      proxy.delayMs = 0;
    }
  });

  it('answers within its budget when the store hangs: its own metrics, lineofsight_store_up 0, /readyz 503; then the state again once it answers', async () => {
    await held.open.store.runs.recordRunWithoutValues({ pipelineId: 'cases', periodId: '2026-02', periodStart: '2026-02-01', periodEnd: '2026-03-01', startedAt: new Date(), finishedAt: new Date(), outcome: 'failed', error: 'moves the mark', rowsRead: 0, rowsRejected: 0, warnings: [] });
    proxy.hold();
    try {
      const started = Date.now();
      const [metrics, ready] = await Promise.all([get('/metrics').then((r) => r.text()), get('/readyz')]);
      expect(Date.now() - started).toBeLessThan(9_000);
      expect(metrics).toContain('lineofsight_store_up 0');
      expect(metrics).toContain('process_cpu_seconds_total');
      expect(metrics).not.toContain('lineofsight_indicator_');
      expect(ready.status).toBe(503);
      // The ping gives up at its own 5 s, or the pool at the store's acquire_timeout: either names a time.
      expect(JSON.stringify(await ready.json())).toMatch(/"ok":false,"detail":"[^"]*within \d+ s/);
    } finally {
      proxy.release();
    }
    const back = Date.now() + 15_000;
    let text = '';
    while (!text.includes('lineofsight_store_up 1') && Date.now() < back) text = await (await get('/metrics')).text();
    expect(text).toContain('lineofsight_indicator_rag{indicator="CASE1"}');
  });

  it('serves its own metrics with lineofsight_store_up 0 while the store is away, and fails /readyz with the reason', async () => {
    expect(await (await get('/metrics')).text()).toContain('lineofsight_store_up 1');
    await proxy.down();
    try {
      const metrics = await get('/metrics');
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toContain('lineofsight_store_up 0');
      expect(text).toContain('process_cpu_seconds_total');
      expect(text).toContain('lineofsight_runs_total');
      expect(text).not.toContain('lineofsight_pipeline_last_run_outcome{');
      const ready = await get('/readyz');
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { ready: boolean; checks: { name: string; ok: boolean; detail: string }[] };
      expect(body.ready).toBe(false);
      expect(body.checks.find((c) => c.name === 'store')).toMatchObject({ ok: false, detail: expect.stringMatching(/PostgreSQL 127\.0\.0\.1:\d+\/lineofsight_test_serve_store/) });
      expect((await get('/healthz')).status).toBe(200);
      expect((await get('/api/runs')).status).toBe(503);
    } finally {
      await proxy.up();
    }
    const back = Date.now() + 15_000;
    let text = '';
    while (!text.includes('lineofsight_store_up 1') && Date.now() < back) text = await (await get('/metrics')).text();
    expect(text).toContain('lineofsight_pipeline_last_run_outcome{pipeline="cases",outcome="failed"} 1');
    expect((await get('/readyz')).status).toBe(200);
  });
});

describe('serve started while its store is down', () => {
  beforeAll(buildCli);

  it('serves health and its own metrics, then migrates and is ready once the store answers', async () => {
    const proxy = await TcpProxy.start(pgTarget());
    const ws = await serviceThrough(proxy, 'lineofsight_test_serve_late_store');
    await proxy.down();
    const serve = await startServe(['--config', ws.config]);
    try {
      expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${serve.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await (await fetch(`${serve.url}/metrics`)).text()).toContain('lineofsight_store_up 0');
      await proxy.up();
      const deadline = Date.now() + 30_000;
      while ((await fetch(`${serve.url}/readyz`)).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect((await fetch(`${serve.url}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${serve.url}/metrics`)).text()).toContain('lineofsight_store_up 1');
      expect(serve.log()).toMatch(/store not reachable: will try again/);
    } finally {
      expect(await serve.stop()).toBe(0);
      await proxy.down();
    }
  });
});
