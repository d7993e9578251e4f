import type { LoadedConfig } from '../config/load.js';
import { rateHistory, type SeriesPoint } from '../judging/rateHistory.js';
import type { RiskEvidence, SourceRunEvidence } from './triggers.js';

/** What weighing risk triggers reads of the store: the whole current history, and recent check results and runs. */
export interface EvidenceSource {
  valueSeries(): Promise<SeriesPoint[]>;
  recentRunEvidence(since: string): Promise<{
    checks: { checkId: string; runId: number; status: string; at: string }[];
    runs: { pipelineId: string; outcome: string; at: string }[];
  }>;
}

/** How far back check results and source runs are read: longer than any trigger looks. */
const EVIDENCE_DAYS = 120;

/**
 * The evidence risk triggers weigh, read in three queries whatever the number of indicators:
 * every stored value judged afresh against the targets in force now (a replaced id's history
 * continues its successor's), recent check results, and recent runs by source.
 */
export async function evidenceFrom(config: LoadedConfig, source: EvidenceSource, now: Date): Promise<RiskEvidence> {
  const rag = rateHistory(config, await source.valueSeries());
  const since = new Date(now.getTime() - EVIDENCE_DAYS * 86_400_000).toISOString();
  const recent = await source.recentRunEvidence(since);
  const checks: RiskEvidence['checks'] = new Map();
  for (const c of recent.checks) {
    const list = checks.get(c.checkId) ?? [];
    list.push({ runId: c.runId, status: c.status as 'passed', at: c.at });
    checks.set(c.checkId, list);
  }
  const sourceOf = new Map(config.pipelines.map((p) => [p.id, p.source]));
  const sources: RiskEvidence['sources'] = new Map();
  for (const r of recent.runs) {
    const name = sourceOf.get(r.pipelineId);
    if (!name) continue;
    const list = sources.get(name) ?? [];
    list.push({ at: r.at, outcome: r.outcome as SourceRunEvidence['outcome'] });
    sources.set(name, list);
  }
  return { rag, checks, sources, now };
}
