// Child process for the scrape memory benchmark: either a bare prom-client registry holding the
// series of a saved scrape, or lineofsight serving the store, each scraped over HTTP three times;
// reports its own peak RSS, so each measurement starts from a fresh process.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { withService } from '../src/app/open.js';
import { silentLogger } from '../src/logger.js';
import { processRegistry } from '../src/metrics/processMetrics.js';
import { WorkMetrics } from '../src/metrics/work.js';
import { startServing } from '../src/server/serving.js';
import { councilConfig, councilRegister } from './council.js';
import { bareRegistry } from './exposed.js';

const [mode, dir, count] = process.argv.slice(2) as [string, string, string];

async function scrape(url: string, times: number): Promise<number> {
  let bytes = 0;
  for (let i = 0; i < times; i++) bytes = (await (await fetch(`${url}/metrics`)).text()).length;
  return bytes;
}

let bytes: number;
if (mode === 'bare') {
  const { registry } = bareRegistry(readFileSync(`${dir}/scrape.txt`, 'utf8'));
  const server = createServer((_req, res) => void registry.metrics().then((t) => res.end(t)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  bytes = await scrape(`http://127.0.0.1:${(server.address() as { port: number }).port}`, 3);
  server.close();
} else {
  const config = councilConfig(Number(count), dir);
  const register = await councilRegister(config, `${dir}/risks.yaml`);
  bytes = await withService({ config, register }, async (open) => {
    const metrics = processRegistry(config, register);
    new WorkMetrics(metrics.registry, config);
    const server = await startServing(open, { host: '127.0.0.1', port: 0, metrics, migrated: () => true });
    try {
      return await scrape(server.url, 3);
    } finally {
      await server.close();
    }
  }, { logger: silentLogger, migrate: false });
}
process.stdout.write(JSON.stringify({ bytes, maxRssKb: process.resourceUsage().maxRSS }));
