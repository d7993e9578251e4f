import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from './measure.js';

/** How long the daemon is watched idle, and how often it is scraped, as Prometheus would. */
const WATCH_MS = Number(process.env.BENCH_DAEMON_WATCH_MS ?? 60_000);
const SCRAPE_EVERY_MS = 15_000;
const MAX_RSS_MB = 150;
const MAX_CPU_SHARE = 0.01;

const CLI = path.resolve('dist/cli/main.js');

/** The process's own view of itself, from its /metrics (prom-client's process collector). */
async function selfMeasured(url: string): Promise<{ rssBytes: number; cpuSeconds: number; text: string }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { rssBytes: value('process_resident_memory_bytes'), cpuSeconds: value('process_cpu_seconds_total'), text };
}

function started(child: ChildProcess): Promise<string> {
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${log}`)), 120_000);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(log);
      if (m && /scheduler started/.test(log)) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${log}`)));
  });
}

/** Watches `url` idle for WATCH_MS, scraped every 15 s: its peak resident memory and its share of one core. */
async function watch(url: string): Promise<{ peakRssMb: number; cpuShare: number; scrapes: number }> {
  // Idle is after the start: the first scrape builds what later ones reuse.
  await selfMeasured(url);
  await new Promise((r) => setTimeout(r, SCRAPE_EVERY_MS));
  const first = await selfMeasured(url);
  const t0 = process.hrtime.bigint();
  let peak = first.rssBytes;
  let last = first;
  let scrapes = 1;
  while (Number(process.hrtime.bigint() - t0) / 1e6 < WATCH_MS) {
    await new Promise((r) => setTimeout(r, SCRAPE_EVERY_MS));
    last = await selfMeasured(url);
    peak = Math.max(peak, last.rssBytes);
    scrapes++;
  }
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { peakRssMb: peak / 2 ** 20, cpuShare: (last.cpuSeconds - first.cpuSeconds) / wallSeconds, scrapes };
}

/**
 * The demo loaded into a store of its own (`lineofsight demo`), then `lineofsight serve` on it
 * with the demo's real schedules (none fires within the minute watched): an idle daemon,
 * measured from its own /metrics. Beside it, as a baseline in the same script, a bare Node HTTP
 * server scraped the same way, for what Node alone costs here.
 */
export async function benchDaemon(): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'los-bench-daemon-'));
  const env = {
    ...process.env,
    LINEOFSIGHT_CONFIG: undefined,
    LINEOFSIGHT_LOG_LEVEL: 'info',
    LINEOFSIGHT_LOG_FORMAT: 'json',
    LINEOFSIGHT_STORE_FILE: path.join(dir, 'store.sqlite'),
    LINEOFSIGHT_FINANCE_DB: path.join(dir, 'demo', 'finance.sqlite'),
    LINEOFSIGHT_SERVICES_DB: path.join(dir, 'demo', 'services.sqlite'),
    LINEOFSIGHT_DEMO_EXPORTS: path.join(dir, 'demo', 'exports'),
    LINEOFSIGHT_OUTBOX_DIR: path.join(dir, 'outbox'),
  };
  execFileSync(process.execPath, [CLI, 'demo'], { env, stdio: 'ignore' });
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let daemon;
  try {
    daemon = await watch(await started(child));
  } finally {
    child.kill('SIGTERM');
  }
  const bare = createServer((_req, res) => {
    const m = process.memoryUsage();
    const cpu = process.cpuUsage();
    res.end(`process_resident_memory_bytes ${m.rss}\nprocess_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}\n`);
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const address = bare.address() as { port: number };
  // The bare server is this process: its figures include the bench's own, an upper bound.
  const baseline = await watch(`http://127.0.0.1:${address.port}`);
  bare.close();
  return {
    name: `daemon idle: the demo loaded, scraped every 15 s for ${WATCH_MS / 1000} s, measured from its own /metrics`,
    target: `resident memory under ${MAX_RSS_MB} MB, under ${MAX_CPU_SHARE * 100}% of a core`,
    measured:
      `daemon: peak ${daemon.peakRssMb.toFixed(0)} MB resident, ${(daemon.cpuShare * 100).toFixed(2)}% of a core (${daemon.scrapes} scrapes); ` +
      `bare Node HTTP server (this bench process): ${baseline.peakRssMb.toFixed(0)} MB, ${(baseline.cpuShare * 100).toFixed(2)}%`,
    pass: daemon.peakRssMb < MAX_RSS_MB && daemon.cpuShare < MAX_CPU_SHARE,
  };
}
