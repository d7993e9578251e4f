/**
 * What Grafana does to a query before its data source sees it, for the parts the lineofsight
 * dashboards use: template variables in the data source's own format, and the SQL macros of its
 * PostgreSQL data source, as Grafana documents them. Anything else left with a `$` is refused,
 * so a panel using more than this fails its test rather than passing untried.
 */

export interface TimeRange {
  from: Date;
  to: Date;
}

/** A dashboard's relative time (`now-3y`, `now-24h`) as of `now`. */
export function relativeTime(text: string, now: Date): Date {
  if (text === 'now') return now;
  const m = /^now-(\d+)([smhdwMy])$/.exec(text);
  if (!m) throw new Error(`not a relative time this helper knows: ${text}`);
  const n = Number(m[1]);
  const d = new Date(now);
  switch (m[2]) {
    case 'y': d.setUTCFullYear(d.getUTCFullYear() - n); break;
    case 'M': d.setUTCMonth(d.getUTCMonth() - n); break;
    default: d.setTime(d.getTime() - n * { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'] * 1000);
  }
  return d;
}

/** A variable's value: one, or several (a multi-value variable, or All). */
export type VariableValue = string | string[];

const names = (v: VariableValue): string[] => (Array.isArray(v) ? v : [v]);
/** Prometheus: a multi value as a regex alternation of escaped values, as Grafana writes it. */
const promValue = (v: VariableValue): string => (Array.isArray(v) ? `(${v.map((x) => x.replace(/[\\^$*+?.()|{}[\]]/g, '\\\\$&')).join('|')})` : v);
const sqlString = (v: VariableValue): string => names(v).map((x) => `'${x.replace(/'/g, "''")}'`).join(',');

function variables(text: string, values: Readonly<Record<string, VariableValue>>, plain: (v: VariableValue) => string): string {
  return text.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (whole, braced: string | undefined, format: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    if (name.startsWith('__')) return whole;
    if (!(name in values)) throw new Error(`no value for variable $${name}`);
    if (format === undefined) return plain(values[name]!);
    if (format === 'sqlstring') return sqlString(values[name]!);
    throw new Error(`variable format ${format} is not one this helper knows`);
  });
}

function refuseLeftovers(text: string): string {
  const left = /\$[\w{]+/.exec(text);
  if (left) throw new Error(`"${left[0]}" is left in: ${text}`);
  return text;
}

/** A PromQL expression with its variables and Grafana's interval variables filled in. */
export function promqlFor(expr: string, values: Readonly<Record<string, VariableValue>>): string {
  const filled = variables(expr, values, promValue).replace(/\$__rate_interval|\$__interval|\$__range/g, '1m');
  return refuseLeftovers(filled);
}

const seconds = (interval: string): number => {
  const m = /^'?(\d+)([smhd])'?$/.exec(interval.trim());
  if (!m) throw new Error(`not an interval: ${interval}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'];
};

/** A store query with its variables and the PostgreSQL data source's macros filled in. */
export function sqlFor(sql: string, values: Readonly<Record<string, VariableValue>>, range: TimeRange, interval = '1h'): string {
  const iso = (d: Date) => `'${d.toISOString()}'`;
  const filled = variables(sql, values, (v) => names(v).join(','))
    .replace(/\$__interval\b/g, interval)
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_, column: string) => `${column.trim()} BETWEEN ${iso(range.from)} AND ${iso(range.to)}`)
    .replace(/\$__timeFrom\(\)/g, iso(range.from))
    .replace(/\$__timeTo\(\)/g, iso(range.to))
    .replace(/\$__timeGroupAlias\(([^,]+),([^)]+)\)/g, (_, column: string, every: string) => {
      const s = seconds(every);
      return `floor(extract(epoch from ${column.trim()})/${s})*${s} AS "time"`;
    });
  return refuseLeftovers(filled);
}
