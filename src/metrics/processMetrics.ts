import { createHash } from 'node:crypto';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { LoadedConfig } from '../config/load.js';
import { thisRelease } from '../release.js';
import type { RiskRegister } from '../risk/config.js';

/**
 * prom-client's default gauges that end in _total, which Prometheus keeps for counters
 * (`promtool check metrics` refuses them); the same numbers stay as nodejs_active_handles,
 * nodejs_active_requests and nodejs_active_resources, labelled by type.
 */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

const VERSION = thisRelease();

/** The loaded configuration told apart from any other: every file's digest as written, in order. */
export function configHash(config: LoadedConfig, register: RiskRegister | undefined): string {
  const hash = createHash('sha256');
  for (const [file, yaml] of [...config.yaml].sort(([a], [b]) => a.localeCompare(b))) hash.update(`${file}\0${yaml.digest}\0`);
  if (register) hash.update(`${register.file}\0${register.digest}\0`);
  return hash.digest('hex').slice(0, 16);
}

export interface ProcessMetrics {
  registry: Registry;
  /** Set at every scrape: whether the store answered it. */
  storeUp: Gauge;
}

/** The registry of this process: Node's and the process's own metrics, build and config info, and whether the store answers. */
export function processRegistry(config: LoadedConfig, register: RiskRegister | undefined): ProcessMetrics {
  const registry = new Registry();
  // The event loop's delay sampled every 100 ms, not prom-client's 10: at 10 an idle daemon spends
  // nearly 1% of a core on the sampling alone, and a batch service's lag is not told in milliseconds.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  const registers = [registry];
  new Gauge({ name: 'lineofsight_build_info', help: 'The lineofsight build serving, always 1.', labelNames: ['version', 'nodejs_version'], registers }).set({ version: VERSION, nodejs_version: process.version }, 1);
  new Gauge({ name: 'lineofsight_config_info', help: 'The configuration loaded, always 1: hash changes when any config, pipeline, targets or risk file does.', labelNames: ['hash'], registers }).set({ hash: configHash(config, register) }, 1);
  const storeUp = new Gauge({ name: 'lineofsight_store_up', help: 'Whether the store answered the latest scrape: 1 it did, 0 it did not (the state metrics are then absent).', registers });
  return { registry, storeUp };
}
