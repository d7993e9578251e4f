import type { FinancialCalendar, Period } from '../calendar/periods.js';
import type { IndicatorConfig, TargetConfig } from '../config/schema.js';
import { targetInForce } from './inForce.js';

export type FindingKind = 'no_target' | 'target_not_signed_off' | 'target_without_rationale' | 'tolerance_without_reason' | 'no_owner';

/** A gap in how an indicator is governed: reported, never a reason to stop. */
export interface GovernanceFinding {
  indicatorId: string;
  kind: FindingKind;
  message: string;
  /** The period concerned, for findings about a period being reported. */
  periodId?: string;
  /** Field path within the pipeline file, to locate the finding. */
  path: PropertyKey[];
  /** The target concerned, for findings about one target: it may have been set outside the pipeline. */
  target?: TargetConfig;
}

/**
 * The findings report 002 (docs/domain.md) asks a performance framework to surface: targets signed off by the
 * portfolio holder with a rationale, tolerances with their reasons, an owner for every indicator,
 * and a target in force for each period reported. Monitor (contextual) indicators need no target.
 */
export function governanceFindings(calendar: FinancialCalendar, indicator: IndicatorConfig, at: PropertyKey[], periods: readonly Period[]): GovernanceFinding[] {
  const out: GovernanceFinding[] = [];
  const finding = (kind: FindingKind, message: string, path: PropertyKey[], more: { periodId?: string; target?: TargetConfig } = {}) =>
    out.push({ indicatorId: indicator.id, kind, message, path: [...at, ...path], ...more });
  if (!indicator.owner) finding('no_owner', `${indicator.id} has no owner: nobody is told when it goes wrong`, []);
  indicator.targets.forEach((t, i) => {
    const which = t.period ?? `from ${t.from}`;
    if (!t.signed_off_by || !t.signed_off_on) finding('target_not_signed_off', `${indicator.id}'s target for ${which} is not signed off (signed_off_by and signed_off_on)`, ['targets', i], { target: t });
    if (!t.rationale) finding('target_without_rationale', `${indicator.id}'s target for ${which} has no rationale`, ['targets', i], { target: t });
  });
  if (indicator.tolerance && !indicator.tolerance.reason) finding('tolerance_without_reason', `${indicator.id}'s tolerance has no reason for being set at this level`, ['tolerance']);
  if (indicator.rag !== 'monitor' && indicator.polarity !== 'none') {
    for (const period of periods) {
      if (!targetInForce(calendar, indicator, period)) finding('no_target', `${indicator.id} has no target in force for ${period.id}`, ['targets'], { periodId: period.id });
    }
  }
  return out;
}
