import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * The data sources every panel names, by the fixed uids `provisioning/datasources/lineofsight.yaml`
 * gives them: no `${DS_...}` input to fill in when a dashboard is imported.
 */
export const PROMETHEUS: dashboard.DataSourceRef = { type: 'prometheus', uid: 'lineofsight-prometheus' };

/** The store, read as the read-only role `postgres/grafana-reader.sql` creates. */
export const STORE: dashboard.DataSourceRef = { type: 'grafana-postgresql-datasource', uid: 'lineofsight-store' };
