/**
 * PromQL the panels share. State metrics are the same on every replica (README "Metrics"), so
 * each is taken `max by` its own labels: one series per indicator, check, risk or pipeline
 * however many replicas Prometheus scrapes.
 */
export const stateOf = (metric: string, by: readonly string[]): string => `max by (${by.join(', ')}) (${metric})`;

/** The descriptive labels of each indicator, one series each. */
export const INDICATOR_LABELS = ['indicator', 'title', 'unit', 'service', 'clinic', 'priority', 'perspective', 'pipeline', 'percentage', 'tolerance_band'] as const;

/** lineofsight_indicator_info restricted by a selector, one series per indicator. */
export const indicatorInfo = (selector = ''): string => stateOf(`lineofsight_indicator_info${selector}`, INDICATOR_LABELS);

/**
 * An indicator metric as the indicator's own unit shows it: percentages, which Prometheus holds
 * as ratios 0-1, back to per cent.
 */
export const shownInUnit = (metric: string, selector = ''): string => {
  const m = stateOf(`${metric}${selector}`, ['indicator']);
  // Bracketed whole: `*` binds tighter than `or`, so a join written after it would join only the right-hand side.
  return `((${m} * 100 and on (indicator) lineofsight_indicator_info{percentage="true"}) or ${m})`;
};
