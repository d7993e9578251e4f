import type { LocalDate } from '../calendar/localDate.js';
import type { LoadedConfig } from '../config/load.js';
import { recordedStandings } from '../report/risks.js';
import type { Period } from '../calendar/periods.js';
import type { IndicatorConfig } from '../config/schema.js';
import { scorecardPeriods } from '../report/scorecard.js';
import type { RiskAssessment } from '../risk/evaluate.js';
import type { RiskRegister } from '../risk/config.js';
import type { UnresolvedCount } from '../store/checkLog.js';
import type { OutboxState } from '../notify/outbox.js';
import type { StoreParts } from '../store/store.js';
import type { JudgedValueRow, LatestCheckResult, PipelineState } from '../store/runs.js';

/** An indicator at the period the scorecard shows it at, with its current value there if one is stored. */
export interface IndicatorState {
  indicator: IndicatorConfig;
  pipelineId: string;
  period: Period;
  value: JudgedValueRow | undefined;
  /** When the latest successful run of its pipeline and period computed it (a rerun that confirms a value computes it too). */
  computedAt: string | null;
}

/** Everything the state metrics show, as the store has it at one moment. */
export interface ServiceState {
  /** Every indicator as at the latest complete month, at the scorecard's own periods, so the counts agree. */
  indicators: IndicatorState[];
  checks: LatestCheckResult[];
  unresolved: UnresolvedCount[];
  risks: RiskAssessment[];
  pipelines: PipelineState[];
  /** Messages in the outbox by state. */
  outbox: ReadonlyMap<OutboxState, number>;
}

/**
 * Reads the state from the store in a fixed number of queries, however many indicators, checks
 * and risks there are: two for values, one for checks, one for the log, one for risks, three
 * for pipelines and one for the outbox.
 */
export async function readState(parts: StoreParts, config: LoadedConfig, register: RiskRegister | undefined, today: LocalDate): Promise<ServiceState> {
  const { lines } = scorecardPeriods(config, {}, today);
  const periods = [...new Set(lines.map((l) => l.period.id))];
  const rows = await parts.runs.judgedValuesIn(periods);
  const computed = await parts.runs.computedAt(periods);
  const byKey = new Map(rows.map((r) => [`${r.indicatorId}/${r.periodId}`, r]));
  const indicators = lines.map((l) => {
    const value = byKey.get(`${l.indicator.id}/${l.period.id}`);
    return { indicator: l.indicator, pipelineId: l.pipelineId, period: l.period, value, computedAt: value ? (computed.get(`${l.pipelineId}/${l.period.id}`) ?? value.recordedAt) : null };
  });
  const checks = await parts.runs.latestCheckResults();
  const unresolved = await parts.checkLog.unresolvedCounts();
  const risks = register ? await recordedStandings(register, parts.risks) : [];
  const pipelines = await parts.runs.pipelineStates();
  return { indicators, checks, unresolved, risks, pipelines, outbox: await parts.outbox.counts() };
}
