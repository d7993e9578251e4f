/**
 * Prometheus text exposition (format 0.0.4), written straight from values read: the state
 * families hold one series per indicator, and building them through prom-client's metric
 * objects first costs more than the scrape itself (bench/scrape.ts).
 */
export type Labels = Readonly<Record<string, string>>;

const escapeLabel = (v: string): string => (/[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v);
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value as the format writes it: Prometheus' own words for the values JSON has none for. */
function valueText(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

/**
 * A series' labels as the format writes them, `{indicator="HR01"}`: rendered once and given to
 * every family of the same thing, since a scrape writes ten families per indicator.
 */
export function labelsText(labels: Labels): string {
  let out = '';
  for (const key in labels) out += `${out ? ',' : ''}${key}="${escapeLabel(labels[key]!)}"`;
  return out ? `{${out}}` : '';
}

/** One metric family being written: its HELP and TYPE once, then its samples. */
export class Family {
  private readonly lines: string[];

  constructor(
    readonly name: string,
    help: string,
    type: 'gauge' | 'counter' = 'gauge',
  ) {
    this.lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
  }

  /** A sample, its labels as labelsText gave them; a value that is null (nothing known) writes no sample at all, never a 0. */
  sample(labels: string, value: number | null): this {
    if (value !== null) this.lines.push(`${this.name}${labels} ${valueText(value)}`);
    return this;
  }

  get size(): number {
    return this.lines.length - 2;
  }

  toString(): string {
    return `${this.lines.join('\n')}\n`;
  }
}
