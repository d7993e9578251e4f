import type { OpenService } from '../app/open.js';
import { schedulerStatusOf } from '../app/scheduledRun.js';
import { countFilter, dateFilter, instantFilter, oneOf } from '../report/filters.js';
import { indicatorNamed } from '../report/indicators.js';
import { entriesJson, failedCheckLog, LOG_STATUSES } from '../report/logEntries.js';
import { recordedStandings, risksJson } from '../report/risks.js';
import { DEFAULT_RUNS_LISTED, MAX_RUNS_LISTED, RUN_OUTCOMES, runLog, runLogJson } from '../report/runLog.js';
import { scorecard, scorecardJson } from '../report/scorecard.js';
import { statusJson } from '../report/status.js';
import { historyJson, indicatorHistory } from '../report/values.js';
import { checked, HttpError, queryOf } from './query.js';

/** An endpoint of the JSON API: its query parameters and what it answers with. */
type Endpoint = (open: OpenService, params: URLSearchParams, rest: string | undefined) => Promise<unknown>;

/** A period id the calendar knows (2025-26, 2025-26-Q2, 2025-06), or a 400 saying what it is not. */
function periodParam(open: OpenService, name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return open.config.calendar.parse(value).id;
  } catch (err) {
    throw new HttpError(400, `${name}: ${(err as Error).message}`);
  }
}

/** The read-only JSON API: each endpoint the same read model and shape as its CLI command (README, "HTTP API"). */
export const API: Readonly<Record<string, Endpoint>> = {
  async scorecard(open, params) {
    const q = queryOf(params, ['period', 'service', 'clinic', 'priority']);
    const period = periodParam(open, 'period', q.period);
    return scorecardJson(await scorecard(open.config, open.store.runs, { ...q, period }, open.today()));
  },

  async checks(open, params) {
    const q = queryOf(params, ['status', 'pipeline', 'since']);
    const status = checked(() => oneOf('status', q.status ?? 'open', LOG_STATUSES));
    const since = q.since === undefined ? undefined : checked(() => dateFilter('since', q.since!));
    return entriesJson(await failedCheckLog(open.store.checkLog, { status, pipelineId: q.pipeline, since }));
  },

  async risks(open, params) {
    queryOf(params, []);
    if (!open.register) throw new HttpError(404, `no risk register: the service config names no risks_file`);
    return risksJson(await recordedStandings(open.register, open.store.risks));
  },

  async values(open, params, indicator) {
    const q = queryOf(params, ['from', 'to', 'revisions']);
    if (!indicator) throw new HttpError(404, 'name an indicator: /api/values/<indicator>');
    try {
      indicatorNamed(open.config, indicator);
    } catch (err) {
      throw new HttpError(404, (err as Error).message);
    }
    const revisions = q.revisions === undefined ? false : checked(() => oneOf('revisions', q.revisions!, ['true', 'false'])) === 'true';
    const range = { from: periodParam(open, 'from', q.from), to: periodParam(open, 'to', q.to), revisions };
    return historyJson(await indicatorHistory(open.config, open.store.runs, indicator, range));
  },

  async status(open, params) {
    queryOf(params, []);
    return statusJson(await schedulerStatusOf(open, new Date()));
  },

  async runs(open, params) {
    const q = queryOf(params, ['pipeline', 'outcome', 'since', 'limit']);
    const outcome = q.outcome === undefined ? undefined : checked(() => oneOf('outcome', q.outcome!, RUN_OUTCOMES));
    const since = q.since === undefined ? undefined : checked(() => instantFilter('since', q.since!, open.config.service.timezone));
    const limit = q.limit === undefined ? DEFAULT_RUNS_LISTED : checked(() => countFilter('limit', q.limit!, MAX_RUNS_LISTED));
    return runLogJson(await runLog(open.store.runs, { pipelineId: q.pipeline, outcome, since, limit }));
  },
};
