import { connect } from 'node:net';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenService } from '../src/app/open.js';
import { runCycle } from '../src/app/runCycle.js';
import { loadService } from '../src/app/service.js';
import { processRegistry } from '../src/metrics/processMetrics.js';
import { WorkMetrics } from '../src/metrics/work.js';
import type { RunningServer } from '../src/server/server.js';
import { startServing } from '../src/server/serving.js';
import { silentLogger } from '../src/logger.js';
import { buildCli } from './helpers/build.js';
import { lineofsight } from './helpers/cli.js';
import { demoEnv } from './helpers/demoStore.js';
import { holdOpen } from './helpers/holdOpen.js';

const TOKEN = 's3cret-token';

/** The demo's config, its store, databases and exports in a folder of the test's own. */
function serveDemoEnv(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'los-serve-'));
  return {
    ...demoEnv(dir),
    LINEOFSIGHT_LOG_LEVEL: 'warn',
  };
}

/** One sample's value off a /metrics text, or undefined. */
function sampleOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** What a raw TCP client gets back for `bytes`, until the server closes the connection. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(bytes.slice(0, 40))}`)));
  });
}

describe('lineofsight serve over the demo (SQLite store)', () => {
  const env = serveDemoEnv();
  let held: { open: OpenService; close(): Promise<void> };
  let server: RunningServer;
  let work: WorkMetrics;
  let queries = 0;
  const get = (p: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }, method = 'GET') => fetch(`${server.url}${p}`, { headers, method });
  const getJson = async (p: string) => {
    const r = await get(p);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const cliJson = (args: string[]) => {
    const r = lineofsight(args, { env });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as unknown;
  };

  beforeAll(async () => {
    buildCli();
    const demo = lineofsight(['demo'], { env });
    expect(demo.stdout, demo.stderr).toContain('runs (');
    const service = await loadService('config/lineofsight.yaml', { ...process.env, ...env });
    const metrics = processRegistry(service.config, service.register);
    work = new WorkMetrics(metrics.registry, service.config);
    held = await holdOpen(service, { logger: silentLogger, observer: work });
    held.open.store.onQuery(() => queries++);
    server = await startServing(held.open, { host: '127.0.0.1', port: 0, token: TOKEN, metrics, migrated: () => true });
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    await held?.close();
  });

  it.each([
    ['/api/scorecard', ['scorecard', '--format', 'json'], 'indicators'],
    ['/api/scorecard?service=Finance', ['scorecard', '--service', 'Finance', '--format', 'json'], 'indicators'],
    ['/api/scorecard?priority=A%20well-run%20council', ['scorecard', '--priority', 'A well-run council', '--format', 'json'], 'indicators'],
    ['/api/scorecard?period=2025-26', ['scorecard', '--period', '2025-26', '--format', 'json'], 'indicators'],
    ['/api/checks', ['checks', '--format', 'json'], 'entries'],
    ['/api/checks?status=all&pipeline=housing-repairs', ['checks', '--status', 'all', '--pipeline', 'housing-repairs', '--format', 'json'], 'entries'],
    ['/api/risks', ['risks', '--format', 'json'], 'risks'],
    ['/api/values/HR01?from=2024-25&to=2025-26', ['values', 'HR01', '--from', '2024-25', '--to', '2025-26', '--json'], 'values'],
    ['/api/values/FIN01?revisions=true', ['values', 'FIN01', '--revisions', '--json'], 'values'],
  ])('%s answers what the CLI prints', async (p, args, list) => {
    const { status, body } = await getJson(p);
    expect(status).toBe(200);
    expect((body[list] as unknown[]).length).toBeGreaterThan(0);
    expect(body).toEqual(cliJson(args));
  });

  it('lists runs newest first, filtered by pipeline, outcome and since, at most limit', async () => {
    const all = (await getJson('/api/runs?limit=5000')).body.runs as { id: number; pipeline: string; outcome: string; finishedAt: string }[];
    expect(all.length).toBeGreaterThan(100);
    expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort((a, b) => b - a));
    const awaiting = (await getJson('/api/runs?pipeline=waste&outcome=awaiting')).body.runs as typeof all;
    expect(awaiting.length).toBeGreaterThan(0);
    expect(awaiting).toEqual(all.filter((r) => r.pipeline === 'waste' && r.outcome === 'awaiting'));
    const since = all[10]!.finishedAt;
    expect((await getJson(`/api/runs?since=${encodeURIComponent(since)}&limit=5000`)).body.runs).toEqual(all.filter((r) => r.finishedAt >= since));
    expect(((await getJson('/api/runs?limit=3')).body.runs as typeof all).map((r) => r.id)).toEqual(all.slice(0, 3).map((r) => r.id));
    expect(((await getJson('/api/runs')).body.runs as typeof all).length).toBe(100);
  });

  it.each([
    ['/nowhere', 404, /no such path: \/nowhere/],
    ['/api/nothing', 404, /no such path/],
    ['/api/scorecard/extra', 404, /no such path/],
    ['/api/values/NOPE1', 404, /unknown indicator "NOPE1"/],
    ['/api/values/%E0%A4%A', 400, /percent-encoding/],
    ['/api/scorecard?servce=Finance', 400, /unknown query parameter "servce" \(known: period, service, clinic, priority\)/],
    ['/api/scorecard?service=a&service=b', 400, /"service" is given 2 times/],
    ['/api/scorecard?period=2024-13', 400, /^period: /],
    ['/api/checks?status=shut', 400, /status is one of open, resolved, acknowledged, all, not "shut"/],
    ['/api/checks?since=2024-02-30', 400, /since takes a date/],
    ['/api/risks?format=csv', 400, /unknown query parameter "format": this endpoint takes none/],
    ['/api/runs?outcome=ok', 400, /outcome is one of succeeded, failed, awaiting/],
    ['/api/runs?since=yesterday', 400, /since takes a date .* or a time with its offset/],
    ['/api/runs?limit=0', 400, /limit is a whole number from 1 to 5000/],
    ['/api/runs?limit=99999', 400, /limit is a whole number from 1 to 5000/],
    ['/api/values/HR01?revisions=yes', 400, /revisions is one of true, false/],
    ['/api/scorecard?service=', 400, /query parameter "service" is empty/],
    ['/metrics?format=json', 400, /unknown query parameter "format": this endpoint takes none/],
    ['/readyz?verbose=1', 400, /unknown query parameter "verbose"/],
  ])('%s is %i, saying why', async (p, status, message) => {
    const r = await getJson(p);
    expect(r.status).toBe(status);
    expect(String(r.body.error)).toMatch(message);
  });

  it.each(['/metrics', '/readyz', '/api/scorecard', '/api/runs', '/nowhere'])('%s wants the bearer token', async (p) => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }]) {
      const r = await get(p, headers);
      expect(r.status, JSON.stringify(headers)).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('answers /healthz without a token, and only GET and HEAD anywhere', async () => {
    const health = await get('/healthz', {});
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
    const post = await get('/api/runs', { authorization: `Bearer ${TOKEN}` }, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await get('/metrics', { authorization: `Bearer ${TOKEN}` }, 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it.each([
    [['serve', '--port', 'http'], {}, /--port is a port number from 0 to 65535, not "http"/],
    [['serve', '--port', '70000'], {}, /--port is a port number from 0 to 65535, not "70000"/],
    [['serve'], { LINEOFSIGHT_HTTP_TOKEN: ' ' }, /LINEOFSIGHT_HTTP_TOKEN is set but empty/],
  ])('refuses to serve with %j', (args, extra, message) => {
    const r = lineofsight(args, { env: { ...env, ...extra } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it('is ready with the config loaded and the store answering', async () => {
    const r = await getJson('/readyz');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ready: true, checks: [{ name: 'config', ok: true }, { name: 'store', ok: true }] });
  });

  it.each([
    ['garbage', 'NOT HTTP AT ALL\r\n\r\n'],
    ['a bad header line', 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'],
    ['headers too large', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['a bad content length', 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n'],
  ])('survives %s: answered 400 and closed, and serves the next request', async (_what, bytes) => {
    expect(await rawExchange(server.url, bytes)).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect((await get('/healthz', {})).status).toBe(200);
  });

  it.each([
    ['headers too large', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431 /],
    ['a target that is no URL path', 'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 400 [^]*not a valid URL path/],
  ])('answers %s with its own status, before asking for the token', async (_what, bytes, answer) => {
    expect(await rawExchange(server.url, bytes)).toMatch(answer);
  });

  it('reads the store again only when it changed: a second scrape sends one cheap statement', async () => {
    await get('/metrics');
    const before = queries;
    const text = await (await get('/metrics')).text();
    expect(queries - before).toBe(1);
    expect(text).toContain('lineofsight_store_up 1');
  });

  it('sees an acknowledgement made by another process at the next scrape', async () => {
    const open = (cliJson(['checks', '--format', 'json']) as { entries: { id: number; pipeline: string; severity: string }[] }).entries;
    const entry = open[0]!;
    const series = `lineofsight_failed_check_entries{pipeline="${entry.pipeline}",severity="${entry.severity}",status="acknowledged"}`;
    const before = sampleOf(await (await get('/metrics')).text(), series)!;
    const ack = lineofsight(['checks', 'ack', String(entry.id), '--note', 'known: the supplier is re-sending'], { env });
    expect(ack.status, ack.stderr).toBe(0);
    expect(sampleOf(await (await get('/metrics')).text(), series)).toBe(before + 1);
  });

  it("counts the runs this process executes, their rows and their sources' queries", async () => {
    const foi = held.open.config.pipelines.find((p) => p.id === 'foi')!;
    const metricsBefore = await (await get('/metrics')).text();
    const started = Date.now() / 1000;
    const { runs } = await runCycle(held.open, { pipelines: [foi], choice: { period: '2025-26' } });
    const text = await (await get('/metrics')).text();
    const count = (outcome: string, t: string) => sampleOf(t, `lineofsight_runs_total{pipeline="foi",outcome="${outcome}"}`)!;
    for (const outcome of ['succeeded', 'failed', 'awaiting']) {
      expect(count(outcome, text) - count(outcome, metricsBefore)).toBe(runs.filter((r) => r.outcome === outcome).length);
    }
    expect(sampleOf(text, 'lineofsight_run_duration_seconds_count{pipeline="foi"}')).toBe(sampleOf(metricsBefore, 'lineofsight_run_duration_seconds_count{pipeline="foi"}')! + 12);
    expect(sampleOf(text, 'lineofsight_rows_read_total{pipeline="foi"}')).toBe(runs.reduce((n, r) => n + r.rowsRead, 0));
    expect(sampleOf(text, 'lineofsight_rows_malformed_total{pipeline="foi"}')).toBe(0);
    expect(sampleOf(text, 'lineofsight_source_query_duration_seconds_count{source="services"}')).toBeGreaterThan(12);
    expect(sampleOf(text, 'lineofsight_source_query_duration_seconds_count{source="finance"}')).toBe(0);
    // The state read them too: the new runs are the latest.
    expect(sampleOf(text, 'lineofsight_pipeline_last_run_timestamp_seconds{pipeline="foi"}')).toBeGreaterThanOrEqual(Math.floor(started));
  });
});
