import type { RagRuleConfig } from '../config/schema.js';

/** A value on or better than its target is GREEN: a rule of every preset. */
const MEETS_TARGET: RagRuleConfig = { status: 'GREEN', when: 'shortfall <= 0', explain: '{actual} meets the target of {target}' };

/**
 * Published RAG schemes as config text: ordered rules, first match wins, the last with no
 * `when`. A council can copy one into `rag.schemes` in its config and edit it. The variables
 * and placeholders are documented in variables.ts and explain.ts; each scheme's published
 * source, by council, document and date, in docs/rag.md.
 *
 * Percentage schemes cannot take a percentage of a zero target, so each begins with the
 * target met and treats any other miss of a zero target as its worst band.
 */
export const PRESETS: Record<string, RagRuleConfig[]> = {
  /** Its published source: docs/rag.md, "tolerance-5pc". */
  'tolerance-5pc': [
    MEETS_TARGET,
    { status: 'GREEN', when: 'shortfall <= green_band', explain: '{actual} is within the green band of {green_band} around the target of {target}' },
    { status: 'AMBER', when: 'shortfall <= tolerance', explain: '{actual} is {side} the target of {target} but within {tolerance} ({amber_limit})' },
    { status: 'RED', explain: '{actual} is {shortfall} {side} the target of {target}, beyond {tolerance} ({amber_limit})' },
  ],

  /** Its published source: docs/rag.md, "belfast". */
  belfast: [
    MEETS_TARGET,
    { status: 'GREEN', when: 'shortfall_percent <= 1', explain: '{actual} is within 1% of the target of {target} ({shortfall_percent} {side} it)' },
    { status: 'AMBER', when: 'shortfall_percent < 5', explain: '{actual} is slightly adrift of the target of {target}: {shortfall_percent} {side} it, between 1% and 5%' },
    { status: 'RED', explain: '{actual} is adrift of the target of {target}: {shortfall} ({shortfall_percent}) {side} it, 5% or more' },
  ],

  /** Its published source: docs/rag.md, "havering". */
  havering: [
    MEETS_TARGET,
    { status: 'GREEN', when: 'shortfall_percent <= 10', explain: '{actual} is within 10% of the target of {target} ({shortfall_percent} {side} it)' },
    {
      status: 'AMBER',
      when: 'improved_or_maintained_on_last_year',
      explain: '{actual} is more than 10% off the target of {target} ({shortfall_percent} {side} it) but not worse than the same period last year ({last_year}, {direction_last_year})',
    },
    { status: 'RED', explain: '{actual} is more than 10% off the target of {target} ({shortfall_percent} {side} it) and has not improved on the same period last year ({last_year})' },
  ],

  /** Its published source: docs/rag.md, "kent-floor". */
  'kent-floor': [
    MEETS_TARGET,
    { status: 'AMBER', when: 'floor_shortfall <= 0', explain: '{actual} is {side} the target of {target} but meets the floor standard of {floor}' },
    { status: 'RED', when: 'floor_shortfall > 0', explain: '{actual} is {side} the floor standard of {floor} (target {target})' },
    { status: 'RED', explain: '{actual} is {shortfall} {side} the target of {target}, and no floor standard is set' },
  ],

  /** Its published source: docs/rag.md, "barnet-4". */
  'barnet-4': [
    MEETS_TARGET,
    { status: 'GREEN_AMBER', when: 'shortfall_percent < 5', explain: '{actual} is {shortfall_percent} {side} the target of {target}, less than 5%' },
    { status: 'RED_AMBER', when: 'shortfall_percent < 10', explain: '{actual} is {shortfall_percent} {side} the target of {target}, from 5% to less than 10%' },
    { status: 'RED', explain: '{actual} is {shortfall} ({shortfall_percent}) {side} the target of {target}, 10% or more' },
  ],

  /** Its published source: docs/rag.md, "lincoln-stretch". */
  'lincoln-stretch': [
    { status: 'GREEN', when: 'stretch_met', explain: '{actual} meets the stretch target of {stretch}' },
    { status: 'BLUE', when: 'in_range', explain: '{actual} is within the target range of {range}' },
    MEETS_TARGET,
    { status: 'RED', explain: '{actual} is {shortfall} {side} the target of {target}' },
  ],
};
