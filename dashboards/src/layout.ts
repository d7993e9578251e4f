import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/** The five dashboards link to each other by their shared tag, keeping the time range. */
const TAG = 'lineofsight';

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  /** The default time range's start, as Grafana writes it (`now-3y`). */
  from: string;
}

/**
 * A dashboard of the service: fixed uid (links and alerts point at it), UK financial years (April),
 * read-only since provisioning owns it.
 */
export function serviceDashboard(spec: DashboardSpec): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([TAG])
    .readonly()
    .timezone('browser')
    .fiscalYearStartMonth(3)
    .time({ from: spec.from, to: 'now' })
    .refresh('1m')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(new dashboard.DashboardLinkBuilder('lineofsight').type(dashboard.DashboardLinkType.Dashboards).tags([TAG]).asDropdown(true).keepTime(true).includeVars(false));
}
