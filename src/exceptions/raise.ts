import { daysBetween, type LocalDate } from '../calendar/localDate.js';
import { periodInWords } from '../calendar/recordDate.js';
import type { Period } from '../calendar/periods.js';
import type { LoadedConfig } from '../config/load.js';
import type { Directory } from '../config/people.js';
import { SUSPECT_VALUES_CHECK, type IndicatorConfig } from '../config/schema.js';
import { formatMeasured, formatPercent, formatSet, formatSetGap } from '../indicators/format.js';
import { directionInWords, type ValueJudgement } from '../judging/judgement.js';
import type { LogEntry } from '../quality/failedCheckLog.js';
import { isRuleStatus, rankOf } from '../rag/scale.js';
import type { RiskRegister } from '../risk/config.js';
import type { RiskAssessment } from '../risk/evaluate.js';
import type { GovernanceFinding } from '../targets/governance.js';
import { escalationFacts, escalationOf, escalationState } from './escalation.js';
import type { ExceptionSubject, Fact, RaisedException } from './exception.js';

/** A current value of an indicator, as the exceptions read it. */
export interface RecentValue {
  periodId: string;
  value: number | null;
  judgement?: ValueJudgement;
}

/** An indicator as this cycle leaves it. */
export interface IndicatorFacts {
  indicator: IndicatorConfig;
  pipelineId: string;
  /** The period the scorecard shows it at. */
  period: Period;
  /** Why it has no value there, when that period's latest run found its data not yet in. */
  awaiting: string | null;
  /** Its current values in that period and the ones before it, newest first. */
  recent: RecentValue[];
}

/** A pipeline whose latest run failed. */
export interface PipelineFailure {
  pipelineId: string;
  periodId: string;
  error: string;
  at: string;
}

/** Everything exceptions are raised from: the store's results as this cycle left them. */
export interface ExceptionFacts {
  today: LocalDate;
  indicators: IndicatorFacts[];
  /** The failed-check log's entries not resolved (open or acknowledged). */
  entries: LogEntry[];
  risks: RiskAssessment[];
  failures: PipelineFailure[];
  /** Governance findings for each pipeline's latest complete period. */
  findings: GovernanceFinding[];
  /** Exceptions already open: an entry of the log stays raised after its period is no longer the latest. */
  openKeys: ReadonlySet<string>;
  /** Open data-not-received exceptions (by key) whose period's latest run still found no data, with why. */
  stillAwaiting: ReadonlyMap<string, { indicator: string; periodId: string; why: string }>;
}

export interface Raised {
  exceptions: RaisedException[];
  /**
   * Keys whose state this cycle's results cannot tell (an indicator with no value stored in its
   * recent periods): an open exception of one is neither changed nor resolved.
   */
  unsettled: Set<string>;
}

const AMBER_RANK = rankOf('AMBER');
const GOVERNANCE_KINDS = new Set(['no_target', 'target_not_signed_off', 'no_owner']);

/**
 * Every exception this cycle's results raise. Only each indicator's latest period counts: a
 * value recomputed or backfilled for an earlier period changes the store, never an exception.
 */
export function raiseExceptions(config: LoadedConfig, register: RiskRegister | undefined, directory: Directory | undefined, facts: ExceptionFacts): Raised {
  const settings = config.service.exceptions;
  const pipelines = new Map(config.pipelines.map((p) => [p.id, p]));
  const out: RaisedException[] = [];
  const unsettled = new Set<string>();
  const periodWords = (id: string) => periodInWords(config.calendar, id);

  // The periods each pipeline now stands at: its scorecard period and its indicators' newest values.
  const latestPeriods = new Map<string, Set<string>>();
  for (const f of facts.indicators) {
    const periods = latestPeriods.get(f.pipelineId) ?? new Set<string>();
    periods.add(f.period.id);
    if (f.recent[0]) periods.add(f.recent[0].periodId);
    latestPeriods.set(f.pipelineId, periods);
  }
  const failures = new Map(facts.failures.map((f) => [f.pipelineId, f]));
  const entries = facts.entries.filter((e) => latestPeriods.get(e.pipelineId)?.has(e.periodId) || facts.openKeys.has(entryKey(e)));

  /** Why a pipeline's values are doubtful at a period: its latest run failed, or its data failed an error check. */
  const doubt = (pipelineId: string, periodId: string): string | undefined => {
    const failure = failures.get(pipelineId);
    if (failure) return `pipeline ${pipelineId}'s latest run failed, so this value may be out of date`;
    const failed = entries.filter((e) => e.pipelineId === pipelineId && e.periodId === periodId && e.severity === 'error').map((e) => e.checkId);
    return failed.length ? `its data failed the data-quality check${failed.length > 1 ? 's' : ''} ${failed.join(', ')} (error)` : undefined;
  };
  const held = (why: string | undefined) => (why === undefined ? {} : settings.unvalidated === 'hold' ? { unvalidated: why, held: true } : { unvalidated: why });

  for (const f of facts.indicators) {
    const { indicator } = f;
    const { subject, owners, name } = aboutIndicator(f);
    const latest = f.recent[0];
    if (!latest) {
      unsettled.add(ragKey(indicator.id));
      unsettled.add(worseningKey(indicator.id));
    } else {
      const j = latest.judgement;
      const facts = valueFacts(indicator, latest, periodWords);
      const rag = j?.rag;
      const doubted = doubt(f.pipelineId, latest.periodId);
      // A value in doubt, or none computed, says nothing of whether an exception is over.
      if (doubted || latest.value === null) {
        unsettled.add(ragKey(indicator.id));
        unsettled.add(worseningKey(indicator.id));
      }
      if (rag && isRuleStatus(rag) && rankOf(rag) >= AMBER_RANK && (rag !== 'AMBER' || amberRaised(settings.amber, directory, indicator))) {
        out.push({
          key: ragKey(indicator.id),
          kind: 'rag',
          severity: rankOf(rag) > AMBER_RANK ? 'error' : 'warn',
          state: rag,
          title: `${name} is ${rag} for ${periodWords(latest.periodId)}`,
          subject: { ...subject, period: latest.periodId },
          rag,
          facts,
          explanation: j.explanation,
          owners,
          ...held(doubted),
        });
      }
      const run = worseningRun(f.recent);
      if (run >= settings.worsening_periods) {
        out.push({
          key: worseningKey(indicator.id),
          kind: 'worsening',
          severity: 'warn',
          state: 'worsening',
          title: `${name} has worsened for ${run} periods running, to ${periodWords(latest.periodId)}`,
          subject: { ...subject, period: latest.periodId },
          rag: j?.rag,
          facts,
          explanation: `Its direction of travel against the period before has been worsening for ${run} periods in a row (${f.recent.slice(0, run).reverse().map((v) => v.periodId).join(', ')}).`,
          owners,
          ...held(doubted),
        });
      }
    }
    if (f.awaiting !== null) {
      const missing = missingData(f, f.period, f.awaiting);
      if (missing) out.push(missing);
    }
  }

  // A period told as not received stays so until its data comes, though the scorecard has moved
  // on; it goes on up its steps as the days pass.
  const byId = new Map(facts.indicators.map((f) => [f.indicator.id, f]));
  const raisedKeys = new Set(out.map((e) => e.key));
  for (const [key, { indicator, periodId, why }] of facts.stillAwaiting) {
    const f = byId.get(indicator);
    const missing = f && !raisedKeys.has(key) ? missingData(f, config.calendar.parse(periodId), why) : undefined;
    if (missing) out.push(missing);
    else unsettled.add(key);
  }

  for (const e of entries) {
    const suspect = e.checkId === SUSPECT_VALUES_CHECK;
    // A suspect value is an exception of its own whatever its severity; other checks' warnings only when asked for.
    if (!suspect && e.severity === 'warn' && !settings.data_quality_warnings) continue;
    const pipeline = pipelines.get(e.pipelineId);
    const indicators = pipeline?.indicators ?? [];
    const doubted = indicators.map((i) => i.id);
    out.push({
      key: entryKey(e),
      kind: suspect ? 'suspect_value' : 'data_quality',
      severity: e.severity,
      state: 'open',
      ...(e.status === 'acknowledged' ? { quiet: true } : {}),
      title: suspect
        ? `Suspect values in ${pipeline?.title ?? e.pipelineId} for ${periodWords(e.periodId)}`
        : `Data-quality check ${e.checkId} failed on ${pipeline?.title ?? e.pipelineId} for ${periodWords(e.periodId)}`,
      subject: { pipeline: e.pipelineId, services: distinct(indicators.map((i) => i.service)), clinics: distinct(indicators.flatMap((i) => (i.clinic ? [i.clinic] : []))), period: e.periodId },
      facts: [
        { label: 'Check', value: `${e.checkId} (${e.checkType}, ${e.severity})` },
        { label: 'Source', value: e.source },
        { label: 'Period', value: periodWords(e.periodId) },
        { label: 'Failing', value: e.failingCount === null ? 'not counted' : `${e.failingCount}${e.failingShare === null ? '' : ` (${formatPercent(e.failingShare)} of rows checked)`}` },
        { label: 'Failing since', value: `${e.firstFailedAt.slice(0, 10)}, ${e.consecutiveFailures} run${e.consecutiveFailures === 1 ? '' : 's'} in a row` },
        { label: 'Failed-check log', value: `entry ${e.id}: lineofsight checks show ${e.id}` },
        ...(e.severity === 'error' && doubted.length ? [{ label: 'Values unvalidated', value: doubted.join(', ') }] : []),
      ],
      explanation: e.message,
      owners: distinct(indicators.flatMap((i) => (i.owner ? [i.owner] : []))),
    });
  }

  for (const failure of facts.failures) {
    const pipeline = pipelines.get(failure.pipelineId);
    const indicators = pipeline?.indicators ?? [];
    out.push({
      key: `pipeline:${failure.pipelineId}`,
      kind: 'pipeline_failed',
      severity: 'error',
      state: 'failed',
      title: `Pipeline ${pipeline?.title ?? failure.pipelineId} failed for ${periodWords(failure.periodId)}`,
      subject: { pipeline: failure.pipelineId, services: distinct(indicators.map((i) => i.service)), clinics: distinct(indicators.flatMap((i) => (i.clinic ? [i.clinic] : []))), period: failure.periodId },
      facts: [
        { label: 'Pipeline', value: `${failure.pipelineId} (${pipeline?.source ? `source ${pipeline.source}` : 'no longer configured'})` },
        { label: 'Period', value: periodWords(failure.periodId) },
        { label: 'Failed at', value: failure.at },
        { label: 'Values unvalidated', value: indicators.map((i) => i.id).join(', ') || 'none' },
      ],
      explanation: failure.error,
      owners: [],
    });
  }

  if (register) {
    const risks = new Map(register.risks.map((r) => [r.id, r]));
    for (const a of facts.risks) {
      const risk = risks.get(a.riskId);
      if (!a.exception || !risk) continue;
      const cell = `${a.assessed.likelihood}/${a.assessed.impact}`;
      out.push({
        key: `risk:${a.riskId}`,
        kind: 'risk',
        severity: 'error',
        state: cell,
        title: `Risk ${a.riskId} ${risk.title} is above the tolerance line at ${cell}`,
        subject: { risk: a.riskId, services: [], clinics: [risk.clinic] },
        facts: [
          { label: 'Assessed', value: `${cell}: likelihood ${register.matrix.band('likelihood', a.assessed.likelihood).label}, impact ${register.matrix.band('impact', a.assessed.impact).label} (score ${formatSet(a.assessed.score, '')})` },
          { label: 'Recorded by its owner', value: `${a.recorded.likelihood}/${a.recorded.impact}` },
          ...(risk.indicators.length ? [{ label: 'Indicators', value: risk.indicators.join(', ') }] : []),
        ],
        explanation: a.triggered.length ? a.triggered.map((t) => `${t.triggerId}: ${t.evidence}`).join('; ') : 'Its recorded position is above the tolerance line.',
        owners: [risk.owner],
      });
    }
  }

  for (const finding of facts.findings) {
    const f = byId.get(finding.indicatorId);
    if (!f || !GOVERNANCE_KINDS.has(finding.kind)) continue;
    const { indicator } = f;
    const { subject, owners } = aboutIndicator(f);
    out.push({
      key: `governance:${indicator.id}:${finding.kind}`,
      kind: 'governance',
      severity: 'warn',
      state: finding.kind,
      title: `${indicator.id} ${indicator.title}: ${finding.kind === 'no_owner' ? 'no owner' : finding.kind === 'no_target' ? 'no target in force' : 'target not signed off'}`,
      subject: { ...subject, period: finding.periodId },
      facts: finding.periodId ? [{ label: 'Period', value: periodWords(finding.periodId) }] : [],
      explanation: finding.message,
      owners,
    });
  }
  return { exceptions: out, unsettled };

  /** An indicator's period whose data is not in, chased at the step its days have reached; none before the first. */
  function missingData(f: IndicatorFacts, period: Period, why: string): RaisedException | undefined {
    const { indicator } = f;
    const { subject, owners, name } = aboutIndicator(f);
    const overdue = daysBetween(period.end, facts.today);
    const escalation = escalationOf(settings.data_not_received, period.end, overdue);
    if (!escalation) return undefined;
    return {
      key: missingKey(indicator.id, period.id),
      kind: 'data_not_received',
      severity: 'warn',
      state: escalationState(escalation),
      title: `${name}: no data for ${periodWords(period.id)}, ${overdue} day${overdue === 1 ? '' : 's'} after it ended`,
      subject: { ...subject, period: period.id },
      facts: [{ label: 'Period', value: periodWords(period.id) }, { label: 'Ended', value: `${overdue} day${overdue === 1 ? '' : 's'} ago` }, ...escalationFacts(escalation)],
      explanation: why,
      owners,
      quiet: true,
      to: escalation.step.to,
    };
  }
}

/** What an indicator's exceptions are about, who owns them, and its name as titles give it. */
function aboutIndicator(f: Pick<IndicatorFacts, 'indicator' | 'pipelineId'>): { subject: ExceptionSubject; owners: string[]; name: string } {
  const { indicator } = f;
  return {
    subject: { indicator: indicator.id, pipeline: f.pipelineId, services: [indicator.service], clinics: indicator.clinic ? [indicator.clinic] : [] },
    owners: indicator.owner ? [indicator.owner] : [],
    name: `${indicator.id} ${indicator.title}`,
  };
}

const ragKey = (indicator: string) => `rag:${indicator}`;
/** An indicator's period whose data has not been received: ids hold no colon, so the key parses back. */
export const missingKey = (indicator: string, periodId: string) => `data_not_received:${indicator}:${periodId}`;
export function missingOfKey(key: string): { indicator: string; periodId: string } | undefined {
  const m = /^data_not_received:([^:]+):([^:]+)$/.exec(key);
  return m ? { indicator: m[1]!, periodId: m[2]! } : undefined;
}
const worseningKey = (indicator: string) => `worsening:${indicator}`;
/** A failed-check log entry is one problem for as long as it stays open. */
export const entryKey = (e: Pick<LogEntry, 'id'>) => `check:${e.id}`;

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

/** AMBER raises an exception unless the indicator, else its service, else the service config turns it off. */
function amberRaised(byDefault: boolean, directory: Directory | undefined, indicator: IndicatorConfig): boolean {
  return indicator.amber_exceptions ?? directory?.services[indicator.service]?.amber_exceptions ?? byDefault;
}

/** How many of the newest values in a row moved the wrong way against the one before. */
function worseningRun(recent: readonly RecentValue[]): number {
  let n = 0;
  while (n < recent.length && recent[n]!.judgement?.directionPrevious === 'worsening') n++;
  return n;
}

/** A value's facts as a manager reads them: the value, the target and tolerance, the direction of travel. */
function valueFacts(indicator: IndicatorConfig, v: RecentValue, periodWords: (id: string) => string): Fact[] {
  const j = v.judgement;
  const facts: Fact[] = [
    { label: 'Period', value: periodWords(v.periodId) },
    { label: 'Value', value: v.value === null ? 'no value' : formatMeasured(v.value, indicator.unit, indicator.decimals) },
  ];
  if (j?.target !== null && j?.target !== undefined) facts.push({ label: 'Target', value: formatSet(j.target, indicator.unit) });
  if (j?.toleranceAmount !== null && j?.toleranceAmount !== undefined) facts.push({ label: 'Tolerance', value: formatSetGap(j.toleranceAmount, indicator.unit) });
  facts.push({ label: 'Direction of travel', value: directionInWords(j) });
  facts.push({ label: 'Polarity', value: indicator.polarity.replaceAll('_', ' ') });
  return facts;
}
