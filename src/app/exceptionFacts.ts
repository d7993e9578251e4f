import type { LocalDate } from '../calendar/localDate.js';
import { KIND_OF_FREQUENCY, type Period } from '../calendar/periods.js';
import { missingOfKey, type ExceptionFacts, type IndicatorFacts, type PipelineFailure } from '../exceptions/raise.js';
import { latestFindings } from '../report/findings.js';
import { recordedStandings } from '../report/risks.js';
import { scorecard } from '../report/scorecard.js';
import type { StoreParts } from '../store/store.js';
import type { OpenService } from './open.js';

/**
 * What exceptions are raised from, read from the store as the cycle left it, in a fixed number
 * of queries however many indicators: the scorecard (two), each indicator's recent values (one),
 * the unresolved log (one), the risks (one), the pipelines (three, and one for each that failed),
 * and the periods told as not received (one).
 */
export async function readExceptionFacts(
  open: Pick<OpenService, 'config' | 'register'>,
  parts: StoreParts,
  today: LocalDate,
  openKeys: ReadonlySet<string>,
  /** The indicators as at this period (a clinic's pack for a period of its choosing); by default the latest complete month. */
  asAt?: string,
): Promise<ExceptionFacts> {
  const { config, register } = open;
  const card = await scorecard(config, parts.runs, asAt ? { period: asAt } : {}, today);
  const depth = config.service.exceptions.worsening_periods;
  const windows = new Map<string, Period[]>();
  for (const line of card.lines) {
    if (windows.has(line.period.id)) continue;
    const periods = [line.period];
    while (periods.length <= depth) periods.push(config.calendar.previous(periods[periods.length - 1]!));
    windows.set(line.period.id, periods);
  }
  const periodIds = [...new Set([...windows.values()].flatMap((w) => w.map((p) => p.id)))];
  const values = await parts.runs.valuesInPeriods(card.lines.map((l) => l.indicator.id), periodIds);
  const byKey = new Map(values.map((v) => [`${v.indicatorId}/${v.periodId}`, v]));
  const indicators: IndicatorFacts[] = card.lines.map((line) => ({
    indicator: line.indicator,
    pipelineId: line.pipelineId,
    period: line.period,
    awaiting: line.awaiting,
    recent: windows
      .get(line.period.id)!
      .flatMap((p) => {
        const v = byKey.get(`${line.indicator.id}/${p.id}`);
        return v ? [{ periodId: v.periodId, value: v.value, judgement: v.judgement }] : [];
      }),
  }));

  const configured = new Map(config.pipelines.map((p) => [p.id, p]));
  const failures: PipelineFailure[] = [];
  for (const state of await parts.runs.pipelineStates()) {
    const pipeline = configured.get(state.pipelineId);
    if (state.lastOutcome !== 'failed' || !pipeline) continue;
    const [run] = await parts.runs.storedRuns({ pipelineId: state.pipelineId, limit: 1 });
    // A failure of a past period (a backfill's) is the backfill's to report, never an email about the past.
    const latest = config.calendar.latestComplete(today, KIND_OF_FREQUENCY[pipeline.frequency]);
    if (run && config.calendar.parse(run.periodId).end >= latest.end) failures.push({ pipelineId: run.pipelineId, periodId: run.periodId, error: run.error ?? 'no error recorded', at: run.finishedAt });
  }
  return {
    today,
    stillAwaiting: await stillAwaiting(config, parts, openKeys),
    indicators,
    entries: await parts.checkLog.unresolvedEntries(),
    risks: register ? await recordedStandings(register, parts.risks) : [],
    failures,
    findings: latestFindings(config, today),
    openKeys,
  };
}

/** The open data-not-received exceptions whose period's latest run still found its data not in, each with that run's reason. */
async function stillAwaiting(config: OpenService['config'], parts: StoreParts, openKeys: ReadonlySet<string>): Promise<ExceptionFacts['stillAwaiting']> {
  const pipelineOf = new Map(config.pipelines.flatMap((p) => p.indicators.map((i) => [i.id, p.id] as const)));
  const told = [...openKeys].flatMap((key) => {
    const m = missingOfKey(key);
    const pipelineId = m && pipelineOf.get(m.indicator);
    return m && pipelineId ? [{ key, pipelineId, indicator: m.indicator, periodId: m.periodId }] : [];
  });
  if (!told.length) return new Map();
  const runs = await parts.runs.latestRuns([...new Set(told.map((t) => t.pipelineId))], [...new Set(told.map((t) => t.periodId))]);
  const awaiting = new Map(runs.filter((r) => r.outcome === 'awaiting').map((r) => [`${r.pipelineId}/${r.periodId}`, r.reason ?? `no data received for ${r.periodId}`]));
  return new Map(told.flatMap((t) => {
    const why = awaiting.get(`${t.pipelineId}/${t.periodId}`);
    return why === undefined ? [] : [[t.key, { indicator: t.indicator, periodId: t.periodId, why }] as const];
  }));
}
