import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prometheusTools } from './helpers/prometheus.js';

const tools = prometheusTools();
const DIR = path.resolve('dashboards/prometheus');

describe.skipIf(!tools)("the alert rules for the service itself, through Prometheus' promtool", () => {
  it('are valid rules', () => {
    const r = spawnSync(tools!.promtool, ['check', 'rules', 'lineofsight.rules.yml'], { cwd: DIR, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: 5 rules found/);
    expect(r.status).toBe(0);
  });

  it('fire as their unit tests say: pending, firing, one alert for two replicas, never for a healthy neighbour', () => {
    const r = spawnSync(tools!.promtool, ['test', 'rules', 'lineofsight.rules.test.yml'], { cwd: DIR, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });
});
