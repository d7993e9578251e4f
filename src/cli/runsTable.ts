import type { IndicatorConfig } from '../config/schema.js';
import { formatValue } from '../indicators/format.js';
import type { RiskAssessment } from '../risk/evaluate.js';
import type { PeriodRun } from '../runs/execute.js';
import { shown } from '../text.js';
import { renderTable } from './table.js';

/** The runs of a cycle as a table, then each failure, period awaiting data, failing check and governance gap on a line of its own. */
export function runsTable(runs: readonly PeriodRun[], indicators: ReadonlyMap<string, IndicatorConfig>): string {
  const rows: string[][] = [];
  for (const r of runs) {
    if (r.outcome === 'failed') {
      rows.push([r.pipelineId, r.period.id, '', 'FAILED', '', '', 'see below']);
      continue;
    }
    for (const v of r.values) {
      const ind = indicators.get(v.indicatorId);
      rows.push([r.pipelineId, r.period.id, v.indicatorId, formatValue(v.value, ind?.unit ?? '', ind?.decimals ?? 2), v.judgement?.rag ?? '', v.dataQuality ?? '', v.judgement?.explanation ?? v.reason ?? '']);
    }
  }
  const failures = runs.filter((r) => r.outcome === 'failed').map((r) => `FAILED ${r.pipelineId} ${r.period.id}: ${r.error}`);
  // Not a failure: the period is run again when its data is in.
  const awaiting = runs.filter((r) => r.outcome === 'awaiting').map((r) => `AWAITING ${r.pipelineId} ${r.period.id}: ${r.reason}; nothing stored, run it again once the data is in`);
  const checks = runs.flatMap((r) => r.checks.filter((c) => c.status !== 'passed').map((c) => `CHECK ${c.status.toUpperCase()} ${r.pipelineId} ${r.period.id} ${c.checkId} (${c.severity}): ${c.message}`));
  const warnings = runs.flatMap((r) => r.warnings.map((w) => `WARNING ${r.pipelineId} ${r.period.id}: ${w}`));
  const governance = runs.flatMap((r) => r.governance.map((g) => `GOVERNANCE ${r.pipelineId} ${r.period.id}: ${g.message}`));
  // Errors and messages quote the data: shown escaped, like every table cell.
  const lines = [...failures, ...awaiting, ...warnings, ...checks, ...governance].map(shown);
  return [renderTable(['pipeline', 'period', 'indicator', 'value', 'RAG', 'quality', 'explanation'], rows), ...lines].join('\n');
}

/** A line for each risk a run moved from its recorded position. */
export function movedRisks(risks: readonly RiskAssessment[]): string[] {
  return risks
    .filter((r) => r.changed)
    .map((r) => `RISK ${r.riskId} at ${r.assessed.likelihood}/${r.assessed.impact}${r.exception ? ' (above the tolerance line)' : ''}: ${r.triggered.map((t) => t.evidence).join('; ')}`);
}

/** What a cycle told people, in a line or two: the messages written, and what the outbox sent. */
export function toldLines(cycle: { exceptions: { raised: { exceptions: readonly unknown[] }; messages: readonly { kind: string }[]; nobody?: string }; delivered: { via: string; sent: number; retrying: number; failed: number } }): string[] {
  const { exceptions, delivered } = cycle;
  const lines = [`${exceptions.raised.exceptions.length} exception(s) raised; ${exceptions.messages.length} message(s) written to the outbox (lineofsight exceptions, lineofsight outbox)`];
  if (exceptions.nobody) lines.push(exceptions.nobody);
  if (delivered.sent + delivered.retrying + delivered.failed) lines.push(`outbox: ${delivered.sent} sent to ${delivered.via}, ${delivered.retrying} to be tried again, ${delivered.failed} failed`);
  return lines;
}
