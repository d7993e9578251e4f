import type { ComposedMessage } from '../notify/compose.js';
import type { Drained } from '../notify/drain.js';
import { messagesJson } from './exceptions.js';
import type { LoadedConfig } from '../config/load.js';
import type { RiskAssessment } from '../risk/evaluate.js';
import type { PeriodRun } from '../runs/execute.js';
import { findingJson, locateFinding } from './findings.js';
import { indicatorsById } from './indicators.js';
import { assessmentJson } from './risks.js';

/** The documented `run --json` shape (README, "JSON output"). */
export function runsJson(config: LoadedConfig, runs: readonly PeriodRun[]) {
  const pipelines = new Map(config.pipelines.map((p) => [p.id, p]));
  const indicators = indicatorsById(config);
  return {
    runs: runs.map((r) => ({
      runId: r.runId,
      pipeline: r.pipelineId,
      period: r.period.id,
      periodStart: r.period.start,
      periodEnd: r.period.end,
      outcome: r.outcome,
      error: r.error,
      reason: r.reason,
      rowsRead: r.rowsRead,
      rowsRejected: r.rowsRejected,
      warnings: r.warnings,
      dataQuality: r.dataQuality,
      checks: r.checks.map((c) => ({
        check: c.checkId,
        type: c.type,
        status: c.status,
        severity: c.severity,
        failing: c.failing,
        checked: c.checked,
        share: c.share,
        message: c.message,
      })),
      values: r.values.map((v) => ({
        indicator: v.indicatorId,
        title: indicators.get(v.indicatorId)?.title ?? null,
        unit: indicators.get(v.indicatorId)?.unit ?? null,
        value: v.value,
        numerator: v.numerator,
        denominator: v.denominator,
        reason: v.reason,
        dataQuality: v.dataQuality,
        target: v.judgement?.target ?? null,
        tolerance: v.judgement?.toleranceAmount ?? null,
        rag: v.judgement?.rag ?? null,
        directionPrevious: v.judgement?.directionPrevious ?? null,
        directionLastYear: v.judgement?.directionLastYear ?? null,
        explanation: v.judgement?.explanation ?? null,
      })),
      governance: r.governance.map((g) => findingJson(locateFinding(config, pipelines.get(r.pipelineId)!, g))),
    })),
  };
}

/** The documented `run --json` shape of a whole cycle: its runs, then every risk as assessed after them. */
export function cycleJson(config: LoadedConfig, cycle: { runs: readonly PeriodRun[]; risks: readonly RiskAssessment[]; exceptions: { messages: readonly ComposedMessage[] }; delivered: Drained }) {
  return { ...runsJson(config, cycle.runs), risks: cycle.risks.map(assessmentJson), messages: messagesJson(cycle.exceptions.messages), delivered: cycle.delivered };
}
