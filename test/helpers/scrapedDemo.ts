import { expect } from 'vitest';
import { buildCli } from './build.js';
import { lineofsight } from './cli.js';
import { freshPostgres } from './databases.js';
import { demoOnPostgres } from './demoStore.js';
import { startPrometheus, type RunningPrometheus } from './prometheus.js';
import { startServe, type ServeProcess } from './serve.js';

export interface ScrapedDemo {
  /** The store's URL, as its owner. */
  storeUrl: string;
  /** The environment the demo, `serve` and any CLI command of the test run with. */
  env: NodeJS.ProcessEnv;
  serve: ServeProcess;
  prometheus: RunningPrometheus;
  stop(): Promise<void>;
}

/**
 * The demo in a fresh PostgreSQL database of its own, served by a real `lineofsight serve` that
 * wants `token`, scraped by a real Prometheus (with `ruleFiles`) until it holds two scrapes of
 * the store's state, so that rates and rules have samples to work on.
 */
export async function scrapedDemo(prometheusBinary: string, database: string, token: string, ruleFiles: string[] = []): Promise<ScrapedDemo> {
  buildCli();
  const storeUrl = await freshPostgres(database);
  const env = { ...demoOnPostgres(storeUrl).env, LINEOFSIGHT_HTTP_TOKEN: token };
  const demo = lineofsight(['demo'], { env });
  expect(demo.stdout, demo.stderr).toMatch(/runs \(\d+ pipelines x their periods\) stored in PostgreSQL/);
  const serve = await startServe([], { env });
  const prometheus = await startPrometheus(prometheusBinary, { host: new URL(serve.url).host, token }, ruleFiles);
  const deadline = Date.now() + 30_000;
  while ((await prometheus.query('lineofsight_store_up == 1 and count_over_time(lineofsight_store_up[1m]) >= 2')).length === 0) {
    if (Date.now() > deadline) throw new Error(`Prometheus never scraped lineofsight_store_up 1 twice: ${serve.log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    storeUrl,
    env,
    serve,
    prometheus,
    async stop() {
      await prometheus.stop();
      await serve.stop();
    },
  };
}
