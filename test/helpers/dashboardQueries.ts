import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/** A panel as its JSON has it: what the tests read of it. */
export interface PanelJson {
  type: string;
  title: string;
  description?: string;
  datasource?: { uid: string; type?: string };
  options?: unknown;
  fieldConfig?: { defaults: { custom?: unknown } };
  targets?: (Record<string, unknown> & { refId: string; datasource: { uid: string; type?: string } })[];
}

export interface PromTarget {
  refId: string;
  expr: string;
}

export interface SqlTarget {
  refId: string;
  rawSql: string;
  format: 'table' | 'time_series';
}

export function panelsOf(d: dashboard.Dashboard): PanelJson[] {
  return ((d.panels ?? []) as unknown as PanelJson[]).filter((p) => p.type !== 'row');
}

export function promQueries(panel: PanelJson): PromTarget[] {
  return (panel.targets ?? []).filter((t) => typeof t.expr === 'string') as unknown as PromTarget[];
}

export function sqlQueries(panel: PanelJson): SqlTarget[] {
  return (panel.targets ?? []).filter((t) => typeof t.rawSql === 'string') as unknown as SqlTarget[];
}

/** The tables and views a store query reads: every name after FROM or JOIN. */
export function tablesRead(sql: string): string[] {
  return [...new Set([...sql.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)/gi)].map((m) => m[1]!))];
}
