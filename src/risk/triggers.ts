import { formatUpTo } from '../indicators/format.js';
import { isRuleStatus } from '../rag/scale.js';
import type { RiskTrigger } from './config.js';

export interface PeriodEvidence {
  periodId: string;
  status: string | null;
  value: number | null;
  direction: string | null;
}

export interface CheckEvidence {
  runId: number;
  status: 'passed' | 'warned' | 'failed' | 'error';
  at: string;
}

export interface SourceRunEvidence {
  at: string;
  /** A run awaiting its period's data found the source answering: it breaks a run of failures. */
  outcome: 'succeeded' | 'failed' | 'awaiting';
}

export interface RiskEvidence {
  /** Per indicator: its RAG status by period, oldest first, one entry per period of its frequency (null where no value/judgement). */
  rag: Map<string, PeriodEvidence[]>;
  /** Per check id: its recent results, oldest first, one per run. */
  checks: Map<string, CheckEvidence[]>;
  /** Per source: its runs, oldest first. */
  sources: Map<string, SourceRunEvidence[]>;
  now: Date;
}

/**
 * The run of consecutive entries that match, ending at the latest. An entry judged `undefined`
 * (a period with no value or no RAG, a check that could not run) neither counts nor breaks the
 * run, as a performance officer reads a table with a gap in it; `gaps` are those inside the run.
 */
function trailingRun<T>(entries: readonly T[], judge: (entry: T) => boolean | undefined): { matched: T[]; gaps: T[] } {
  const matched: T[] = [];
  const gaps: T[] = [];
  let pending: T[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    const verdict = judge(entry);
    if (verdict === false) break;
    if (verdict === undefined) {
      pending.unshift(entry);
      continue;
    }
    matched.unshift(entry);
    gaps.unshift(...pending);
    pending = [];
  }
  return { matched, gaps };
}

/** The words for a list of periods or runs: all of them, or the first and last of a long one. */
function listed(items: readonly string[]): string {
  return items.length > 6 ? `${items[0]} to ${items[items.length - 1]}` : items.join(', ');
}

const number = (n: number) => formatUpTo(n, 2);

/**
 * Evidence for an indicator trigger: "HR01 RED for 2 consecutive periods (2025-01, 2025-02)", or
 * nothing when the latest run of matching periods is shorter than the trigger asks.
 */
function indicatorRun(
  periods: readonly PeriodEvidence[],
  needed: number,
  subject: string,
  judge: (p: PeriodEvidence) => boolean | undefined,
  detail: (p: PeriodEvidence) => string | undefined,
  gapWords: string,
): string | undefined {
  const { matched, gaps } = trailingRun(periods, judge);
  if (matched.length < needed) return undefined;
  const items = matched.map((p) => {
    const d = detail(p);
    return d === undefined ? p.periodId : `${p.periodId}: ${d}`;
  });
  const span = items.length === 1 ? `in ${items[0]}` : `for ${items.length} consecutive periods (${listed(items)})`;
  const gapNote = gaps.length ? `; skipped with ${gapWords}: ${listed(gaps.map((p) => p.periodId))}` : '';
  return `${subject} ${span}${gapNote}`;
}

const hours = (ms: number) => {
  const h = Number((ms / 3_600_000).toFixed(1));
  return `${h} hour${h === 1 ? '' : 's'}`;
};

/** Why the trigger fires on this evidence, in words and numbers; undefined when it does not. */
export function triggerEvidence(trigger: RiskTrigger, evidence: RiskEvidence): string | undefined {
  switch (trigger.type) {
    case 'indicator_rag': {
      const statuses = new Set(trigger.status.statuses);
      // Statuses off the RAG scale (NO_TARGET, MISSING, MONITOR) are no judgement: a gap.
      const judge = (p: PeriodEvidence) => {
        const status = p.status?.toUpperCase();
        return status === undefined || !isRuleStatus(status) ? undefined : statuses.has(status);
      };
      const detail = statuses.size > 1 ? (p: PeriodEvidence) => p.status!.toUpperCase() : () => undefined;
      return indicatorRun(evidence.rag.get(trigger.indicator) ?? [], trigger.periods, `${trigger.indicator} ${trigger.status.text}`, judge, detail, 'no RAG');
    }
    case 'indicator_threshold': {
      const [word, limit] = trigger.above !== undefined ? (['above', trigger.above] as const) : (['below', trigger.below!] as const);
      const judge = (p: PeriodEvidence) => (p.value === null ? undefined : word === 'above' ? p.value > limit : p.value < limit);
      const detail = (p: PeriodEvidence) => number(p.value!);
      return indicatorRun(evidence.rag.get(trigger.indicator) ?? [], trigger.periods, `${trigger.indicator} ${word} ${number(limit)}`, judge, detail, 'no value');
    }
    case 'indicator_worsening': {
      const judge = (p: PeriodEvidence) => (p.direction === null ? undefined : p.direction.toLowerCase() === 'worsening');
      return indicatorRun(evidence.rag.get(trigger.indicator) ?? [], trigger.periods, `${trigger.indicator} worsening`, judge, () => undefined, 'no direction of travel');
    }
    case 'check_failing': {
      const results = evidence.checks.get(trigger.check) ?? [];
      // A check that errored could not say whether the data is good: a gap, like a missing period.
      const { matched, gaps } = trailingRun(results, (r) => (r.status === 'error' ? undefined : r.status === 'failed'));
      if (matched.length < trigger.runs) return undefined;
      const last = matched[matched.length - 1]!;
      const runs = matched.length === 1 ? `in run ${last.runId}` : `in ${matched.length} consecutive runs (${listed(matched.map((r) => String(r.runId)))})`;
      const gapNote = gaps.length ? `; skipped as errored: run ${listed(gaps.map((r) => String(r.runId)))}` : '';
      return `data-quality check ${trigger.check} failed ${runs}, the last at ${last.at}${gapNote}`;
    }
    case 'source_failing': {
      const runs = evidence.sources.get(trigger.source) ?? [];
      const { matched } = trailingRun(runs, (r) => r.outcome === 'failed');
      const first = matched[0];
      if (!first) return undefined;
      const failingFor = evidence.now.getTime() - Date.parse(first.at);
      if (failingFor < trigger.for) return undefined;
      return `source ${trigger.source} failing for ${hours(failingFor)}: ${matched.length} run${matched.length === 1 ? '' : 's'} failed since ${first.at}, none succeeded`;
    }
  }
}
