import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { STORE } from './datasources.js';

/**
 * A query of Grafana's PostgreSQL data source, which the SDK has no type for: SQL as written
 * (code mode), with Grafana's macros (`$__timeFilter(column)`, `$__timeFrom()`, ...) and
 * variables (`${indicator:sqlstring}`, quoted and escaped by Grafana) left for Grafana to fill in.
 */
export interface SqlQuery {
  refId: string;
  /** The store's data source, by its provisioned uid. */
  datasource: { type: string; uid: string };
  rawSql: string;
  /** `time_series` wants a `time` column and gives a series per numeric column (or per `metric` value). */
  format: 'table' | 'time_series';
  rawQuery: true;
  editorMode: 'code';
}

export class SqlQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: SqlQuery & cog.Dataquery;

  constructor(rawSql: string, format: SqlQuery['format'] = 'table') {
    // The method marks the object as a query variant for the SDK's types; JSON leaves it out.
    this.internal = { refId: 'A', datasource: { type: STORE.type!, uid: STORE.uid! }, rawSql, format, rawQuery: true, editorMode: 'code', _implementsDataqueryVariant: () => {} };
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  build(): SqlQuery & cog.Dataquery {
    return this.internal;
  }
}
