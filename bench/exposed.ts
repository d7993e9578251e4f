import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;
const unescape = (v: string) => v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));

/**
 * The baseline the scrape is measured against: a bare prom-client registry holding, as gauges
 * already set in memory, exactly the lineofsight_ gauge series of a scrape's text, beside
 * prom-client's default metrics as the server has them.
 */
export function bareRegistry(text: string): { registry: Registry; series: number } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gauges = new Map<string, { help: string; samples: [Record<string, string>, number][] }>();
  let current: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# HELP lineofsight_')) {
      const name = line.split(' ')[2]!;
      gauges.set(name, { help: line.slice(`# HELP ${name} `.length), samples: [] });
    } else if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      current = type === 'gauge' && gauges.has(name!) ? name : undefined;
      if (!current) gauges.delete(name!);
    } else if (current && line.startsWith(current)) {
      const brace = line.indexOf('{');
      const labels: Record<string, string> = {};
      if (brace >= 0) for (const m of line.slice(brace, line.lastIndexOf('}') + 1).matchAll(LABEL)) labels[m[1]!] = unescape(m[2]!);
      gauges.get(current)!.samples.push([labels, Number(line.slice(line.lastIndexOf(' ') + 1))]);
    }
  }
  let series = 0;
  for (const [name, { help, samples }] of gauges) {
    const gauge = new Gauge({ name, help, labelNames: Object.keys(samples[0]?.[0] ?? {}), registers: [registry] });
    for (const [labels, value] of samples) gauge.set(labels, value);
    series += samples.length;
  }
  return { registry, series };
}
