import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withService } from '../src/app/open.js';
import { silentLogger } from '../src/logger.js';
import { processRegistry } from '../src/metrics/processMetrics.js';
import { WorkMetrics } from '../src/metrics/work.js';
import { startServing } from '../src/server/serving.js';
import { councilConfig, councilRegister, councilRegisterFile, seedCouncil } from './council.js';
import { bareRegistry } from './exposed.js';
import { median, timed, type BenchResult } from './measure.js';

const ROUNDS = 7;

const fetchText = (url: string) => fetch(`${url}/metrics`).then((r) => r.text());

interface Measured {
  series: number;
  queriesPerScrape: number;
  baselineMs: number;
  coldMs: number;
  repeatMs: number;
  dir: string;
}

/**
 * One council served: each round a run is recorded (so the next scrape must read the store
 * afresh), then the cold scrape, the bare registry's scrape and a repeat scrape with nothing
 * changed, each over HTTP from this process.
 */
async function measure(count: number): Promise<Measured> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'los-scrape-'));
  const config = councilConfig(count, dir);
  await seedCouncil(config, { checks: true });
  const register = await councilRegister(config, councilRegisterFile(count, dir));
  return withService({ config, register }, async (open) => {
    const metrics = processRegistry(config, register);
    new WorkMetrics(metrics.registry, config);
    const server = await startServing(open, { host: '127.0.0.1', port: 0, metrics, migrated: () => true });
    let queries = 0;
    open.store.onQuery(() => queries++);
    const first = await fetchText(server.url);
    writeFileSync(path.join(dir, 'scrape.txt'), first);
    const bare = bareRegistry(first);
    const baseline = createServer((_req, res) => void bare.registry.metrics().then((t) => res.end(t)));
    await new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', resolve));
    const baselineUrl = `http://127.0.0.1:${(baseline.address() as { port: number }).port}`;
    const cold: number[] = [];
    const base: number[] = [];
    const repeat: number[] = [];
    let queriesPerScrape = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const at = new Date(Date.UTC(2026, 3, 2, 7, round));
        await open.store.runs.recordRunWithoutValues({ pipelineId: 'p0', periodId: '2026-03', periodStart: '2026-03-01', periodEnd: '2026-04-01', startedAt: at, finishedAt: at, outcome: 'failed', error: 'bench', rowsRead: 0, rowsRejected: 0, warnings: [] });
        const before = queries;
        cold.push(await timed(() => fetchText(server.url)));
        queriesPerScrape = queries - before;
        base.push(await timed(() => fetchText(baselineUrl)));
        repeat.push(await timed(() => fetchText(server.url)));
      }
    } finally {
      baseline.close();
      await server.close();
    }
    return { series: bare.series, queriesPerScrape, baselineMs: median(base), coldMs: median(cold), repeatMs: median(repeat), dir };
  }, { logger: silentLogger });
}

function peakKb(mode: 'bare' | 'serve', dir: string, count: number): number {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scrapePeak.js');
  return JSON.parse(execFileSync(process.execPath, [script, mode, dir, String(count)], { encoding: 'utf8', maxBuffer: 1 << 20 })).maxRssKb as number;
}

export async function benchScrape(): Promise<BenchResult> {
  const small = await measure(1_000);
  const large = await measure(10_000);
  const cold = large.coldMs / large.baselineMs;
  const repeat = large.repeatMs / large.baselineMs;
  const bareKb = peakKb('bare', large.dir, 10_000);
  const serveKb = peakKb('serve', large.dir, 10_000);
  const memory = serveKb / bareKb;
  return {
    name: `scrape: /metrics over a store of 10,000 indicators x 36 months with their checks and 100 risks (${large.series.toLocaleString('en-GB')} state series)`,
    target: 'a scrape after a change <= 1.25x, a repeat scrape <= 0.2x a bare prom-client registry serving the same series from memory; store queries per scrape the same for 1,000 and 10,000 indicators; peak RSS <= 1.5x the bare process',
    measured: `after a change ${large.coldMs.toFixed(0)} ms (${cold.toFixed(2)}x), repeat ${large.repeatMs.toFixed(1)} ms (${repeat.toFixed(3)}x), bare ${large.baselineMs.toFixed(0)} ms; ${large.queriesPerScrape} store queries for 10,000 indicators, ${small.queriesPerScrape} for 1,000; peak RSS ${(serveKb / 1024).toFixed(0)} MiB vs ${(bareKb / 1024).toFixed(0)} MiB bare (${memory.toFixed(2)}x)`,
    pass: cold <= 1.25 && repeat <= 0.2 && large.queriesPerScrape === small.queriesPerScrape && memory <= 1.5,
  };
}
