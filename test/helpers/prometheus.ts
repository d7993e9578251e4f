import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const DIR = process.env.LINEOFSIGHT_PROMETHEUS_DIR ?? path.resolve('tools/prometheus/usr/bin');

/**
 * Debian's Prometheus 2.42 and promtool, unpacked by .ci/prometheus.sh (run here if they are not
 * there yet). Under CI a missing Prometheus fails the tests; elsewhere they say why they skip.
 */
export function prometheusTools(): { prometheus: string; promtool: string } | undefined {
  const tools = { prometheus: path.join(DIR, 'prometheus'), promtool: path.join(DIR, 'promtool') };
  if (!existsSync(tools.prometheus) && !process.env.LINEOFSIGHT_PROMETHEUS_DIR) spawnSync('bash', ['.ci/prometheus.sh'], { stdio: 'ignore', timeout: 300_000 });
  if (existsSync(tools.prometheus) && existsSync(tools.promtool)) return tools;
  if (process.env.CI) throw new Error(`Prometheus is not at ${DIR}: run bash .ci/prometheus.sh`);
  process.stderr.write(`skipping Prometheus tests: no Prometheus at ${DIR} (bash .ci/prometheus.sh unpacks it)\n`);
  return undefined;
}

/** A port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningPrometheus {
  url: string;
  process: ChildProcess;
  /** An instant query's result vector. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

/** Starts Prometheus on a free loopback port, scraping `target` every second, with `ruleFiles` loaded. */
export async function startPrometheus(binary: string, target: { host: string; token?: string }, ruleFiles: string[] = []): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'los-prometheus-'));
  const port = await freePort();
  const scrape = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    `rule_files: [${ruleFiles.map((f) => JSON.stringify(f)).join(', ')}]`,
    'scrape_configs:',
    '  - job_name: lineofsight',
    '    scrape_timeout: 1s',
    ...(target.token ? ['    authorization:', `      credentials: ${JSON.stringify(target.token)}`] : []),
    `    static_configs: [{ targets: [${JSON.stringify(target.host)}] }]`,
  ].join('\n');
  writeFileSync(path.join(dir, 'prometheus.yml'), `${scrape}\n`);
  const child = spawn(binary, [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Prometheus exited (${child.exitCode}): ${log}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`Prometheus did not become ready: ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    process: child,
    async query(expr) {
      const r = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      const body = (await r.json()) as { status: string; error?: string; data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
      return body.data.result;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
