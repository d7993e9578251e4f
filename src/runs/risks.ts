import type { LoadedConfig } from '../config/load.js';
import { loadRisks, type RiskRegister } from '../risk/config.js';
import { assessRisks, type RiskAssessment } from '../risk/evaluate.js';
import type { RiskEvidence } from '../risk/triggers.js';
import { rateHistory } from './judge.js';
import type { Store } from '../store/store.js';

/** The risk register, checked against the ids the pipelines and sources define; none if not configured. */
export async function loadRegister(config: LoadedConfig): Promise<RiskRegister | undefined> {
  if (!config.service.risks_file) return undefined;
  return loadRisks(config.service.risks_file, {
    indicators: new Set(config.pipelines.flatMap((p) => p.indicators.map((i) => i.id))),
    checks: new Set(config.pipelines.flatMap((p) => p.checks.map((c) => c.id))),
    sources: new Set(Object.keys(config.service.sources)),
  });
}

/** How far back check results and source runs are read: longer than any trigger looks. */
const EVIDENCE_DAYS = 120;

/**
 * The evidence risk triggers weigh, read from the store in three queries whatever the number of
 * indicators: every stored value judged afresh against the targets in force now (a replaced id's
 * history continues its successor's), recent check results, and recent runs by source.
 */
export async function evidenceFrom(config: LoadedConfig, store: Store, now: Date): Promise<RiskEvidence> {
  const rag = rateHistory(config, await store.valueSeries());
  const since = new Date(now.getTime() - EVIDENCE_DAYS * 86_400_000).toISOString();
  const recent = await store.recentRunEvidence(since);
  const checks: RiskEvidence['checks'] = new Map();
  for (const c of recent.checks) {
    const list = checks.get(c.checkId) ?? [];
    list.push({ runId: c.runId, status: c.status as 'passed', at: c.at });
    checks.set(c.checkId, list);
  }
  const sourceOf = new Map(config.pipelines.map((p) => [p.id, p.source]));
  const sources: RiskEvidence['sources'] = new Map();
  for (const r of recent.runs) {
    const source = sourceOf.get(r.pipelineId);
    if (!source) continue;
    const list = sources.get(source) ?? [];
    list.push({ at: r.at, outcome: r.outcome as 'succeeded' });
    sources.set(source, list);
  }
  return { rag, checks, sources, now };
}

/**
 * Assesses every risk on the stored evidence and records each whose position moved, so the
 * history of a risk shows every change with the evidence that caused it: the triggers that fire,
 * and those that fired at the last recorded position and no longer do.
 */
export async function assessAndRecord(config: LoadedConfig, store: Store, register: RiskRegister | undefined, now: Date): Promise<RiskAssessment[]> {
  if (!register) return [];
  const assessments = assessRisks(register, await evidenceFrom(config, store, now));
  const last = await store.latestRiskPositions();
  for (const a of assessments) {
    const before = last.get(a.riskId);
    // Only a move is history; recordRiskPosition checks again under its lock.
    if (before && before.likelihood === a.assessed.likelihood && before.impact === a.assessed.impact) continue;
    await store.recordRiskPosition({
      riskId: a.riskId,
      assessedAt: now.toISOString(),
      likelihood: a.assessed.likelihood,
      impact: a.assessed.impact,
      score: a.assessed.score,
      aboveTolerance: a.assessed.aboveTolerance,
      triggered: a.changed,
      evidence: positionEvidence(a, before?.evidence ?? []),
    });
  }
  return assessments;
}

/** A trigger's evidence line is "<trigger id>: <evidence>" (an id holds no colon or space). */
const triggerOf = (line: string) => /^([A-Za-z][\w.-]*): /.exec(line)?.[1];

function positionEvidence(a: RiskAssessment, before: readonly string[]): string[] {
  const firing = new Set(a.triggered.map((t) => t.triggerId));
  const cleared = [...new Set(before.map(triggerOf))].filter((id): id is string => id !== undefined && !firing.has(id));
  return [
    ...a.triggered.map((t) => `${t.triggerId}: ${t.evidence}`),
    ...cleared.map((id) => `${id}: no longer fires`),
    ...(a.changed ? [] : [`at its recorded position ${a.recorded.likelihood}/${a.recorded.impact}, moved by no trigger`]),
  ];
}
