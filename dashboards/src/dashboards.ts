import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { dataQualityDashboard } from './dataQuality.js';
import { indicatorDashboard } from './indicator.js';
import { pipelineHealthDashboard } from './pipelineHealth.js';
import { riskDashboard } from './risk.js';
import { scorecardDashboard } from './scorecard.js';

/** Where `npm run dashboards` writes the JSON, which provisioning/dashboards/ points Grafana at. */
export const JSON_DIR = 'dashboards/json';

/**
 * The five dashboards, each built fresh. Each panel is numbered in its dashboard's order, so a
 * link to one (`viewPanel=3`) stays good, and names its queries' data source for Grafana's editor.
 */
export function dashboards(): dashboard.Dashboard[] {
  return [scorecardDashboard(), indicatorDashboard(), dataQualityDashboard(), riskDashboard(), pipelineHealthDashboard()].map((builder) => {
    const d = builder.build();
    d.panels?.forEach((panel, i) => {
      panel.id = i + 1;
      if ('targets' in panel) panel.datasource = (panel.targets?.[0] as { datasource?: dashboard.DataSourceRef } | undefined)?.datasource;
    });
    return d;
  });
}

/** A dashboard's file and text, byte for byte what is committed. */
export function dashboardFile(d: dashboard.Dashboard): { name: string; text: string } {
  return { name: `${d.uid}.json`, text: `${JSON.stringify(d, null, 2)}\n` };
}
