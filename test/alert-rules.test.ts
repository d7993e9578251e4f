import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../src/config/load.js';
import { WorkMetrics } from '../src/metrics/work.js';
import { prometheusTools } from './helpers/prometheus.js';

const tools = prometheusTools();
const DIR = path.resolve('dashboards/prometheus');

describe.skipIf(!tools)("the alert rules for the service itself, through Prometheus' promtool", () => {
  it('are valid rules', () => {
    const r = spawnSync(tools!.promtool, ['check', 'rules', 'lineofsight.rules.yml'], { cwd: DIR, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: 6 rules found/);
    expect(r.status).toBe(0);
  });

  it('fire as their unit tests say: pending, firing, one alert for two replicas, never for a healthy neighbour', () => {
    const r = spawnSync(tools!.promtool, ['test', 'rules', 'lineofsight.rules.test.yml'], { cwd: DIR, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });
});

describe('the counter LineofsightConfigReloadFailed reads', () => {
  it('is exposed at 0 from the start, so increase() has a start, and counts each refused reload', async () => {
    const registry = new Registry();
    const work = new WorkMetrics(registry, { pipelines: [], service: { sources: {} } } as unknown as LoadedConfig);
    const text = await registry.metrics();
    expect(text).toContain('# HELP lineofsight_config_reload_failures_total Refused hot reloads of the configuration since the process started: the old configuration kept running.\n');
    expect(text).toContain('# TYPE lineofsight_config_reload_failures_total counter\nlineofsight_config_reload_failures_total 0\n');
    work.configReloadFailed();
    work.configReloadFailed();
    expect(await registry.metrics()).toContain('\nlineofsight_config_reload_failures_total 2\n');
    if (tools) {
      const lint = spawnSync(tools.promtool, ['check', 'metrics'], { input: await registry.metrics(), encoding: 'utf8' });
      expect(lint.stdout + lint.stderr).toBe('');
    }
  });
});
