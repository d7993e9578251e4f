import type { RagRuleConfig } from '../config/schema.js';

/**
 * Published RAG schemes as config text: ordered rules, first match wins, the last with no
 * `when`. A council can copy one into `rag.schemes` in its config and edit it. The variables
 * and placeholders are documented in variables.ts and explain.ts.
 *
 * Percentage schemes cannot take a percentage of a zero target, so each begins with the
 * target met (`shortfall <= 0`) and treats any other miss of a zero target as its worst band.
 */
export const PRESETS: Record<string, RagRuleConfig[]> = {
  /**
   * DOMAIN.md and seed 002 (rec. 6, "the 5% tolerance for the automatically generated RAG
   * rating"): GREEN on target (or, on target is best, within the green band); AMBER within the
   * tolerance, its boundary included; else RED. The 5% is the service's default tolerance; an
   * indicator's own tolerance (percent, absolute or amber threshold) replaces it.
   */
  'tolerance-5pc': [
    { status: 'GREEN', when: 'shortfall <= 0', explain: '{actual} meets the target of {target}' },
    { status: 'GREEN', when: 'shortfall <= green_band', explain: '{actual} is within the green band of {green_band} around the target of {target}' },
    { status: 'AMBER', when: 'shortfall <= tolerance', explain: '{actual} is {side} the target of {target} but within {tolerance} ({amber_limit})' },
    { status: 'RED', explain: '{actual} is {shortfall} {side} the target of {target}, beyond {tolerance} ({amber_limit})' },
  ],

  /**
   * Belfast City Council, Performance Improvement Self-Assessment Report (published September
   * 2024), "Overall performance of the Improvement Plan 2023-24": "on target or exceeded target
   * (within 1 per cent or better)", "slightly adrift of target (between 1 per cent and 5 per
   * cent)", "adrift of target (5 per cent or more)".
   * https://belfastcity.gov.uk/documents/performance-improvement-self-assessment-report/overall-performance-of-the-improvement-plan-2023-2
   * (The 2024-25 report says "more than 5 per cent"; this follows 2023-24 and DOMAIN.md: 5% is RED.)
   */
  belfast: [
    { status: 'GREEN', when: 'shortfall <= 0', explain: '{actual} meets the target of {target}' },
    { status: 'GREEN', when: 'shortfall_percent <= 1', explain: '{actual} is within 1% of the target of {target} ({shortfall_percent} {side} it)' },
    { status: 'AMBER', when: 'shortfall_percent < 5', explain: '{actual} is slightly adrift of the target of {target}: {shortfall_percent} {side} it, between 1% and 5%' },
    { status: 'RED', explain: '{actual} is adrift of the target of {target}: {shortfall} ({shortfall_percent}) {side} it, 5% or more' },
  ],

  /**
   * London Borough of Havering, Cabinet, Corporate Performance Quarter 4 2013/14: "Green = on
   * or within 10% of the Quarter 4 Target"; "Amber = more than 10% off the Quarter 4 Target and
   * where performance had improved or been maintained compared to Quarter 4 2012/13"; "Red =
   * more than 10% off ... and where performance had not improved".
   * https://democracy.havering.gov.uk/mgAi.aspx?ID=7435 (the same key in the Annual Corporate
   * Performance Report 2014/15, Appendix 1). Note "or been maintained": no change is AMBER too.
   */
  havering: [
    { status: 'GREEN', when: 'shortfall <= 0', explain: '{actual} meets the target of {target}' },
    { status: 'GREEN', when: 'shortfall_percent <= 10', explain: '{actual} is within 10% of the target of {target} ({shortfall_percent} {side} it)' },
    {
      status: 'AMBER',
      when: 'improved_or_maintained_on_last_year',
      explain: '{actual} is more than 10% off the target of {target} ({shortfall_percent} {side} it) but not worse than the same period last year ({last_year}, {direction_last_year})',
    },
    { status: 'RED', explain: '{actual} is more than 10% off the target of {target} ({shortfall_percent} {side} it) and has not improved on the same period last year ({last_year})' },
  ],

  /**
   * Kent County Council, Quarterly Performance Report Quarter 1 2020/21, "Key to KPI Ratings
   * used": "GREEN Target has been achieved"; "AMBER Floor Standard achieved but Target has not
   * been met"; "RED Floor Standard has not been achieved" ("Floor Standards are the minimum
   * performance expected"). https://docslib.org/doc/502732/kent-county-council-quarterly-performance-report-quarter-1-2020
   * A target without a floor standard has no AMBER: a miss is RED, and says why.
   */
  'kent-floor': [
    { status: 'GREEN', when: 'shortfall <= 0', explain: '{actual} meets the target of {target}' },
    { status: 'AMBER', when: 'floor_shortfall <= 0', explain: '{actual} is {side} the target of {target} but meets the floor standard of {floor}' },
    { status: 'RED', when: 'floor_shortfall > 0', explain: '{actual} is {side} the floor standard of {floor} (target {target})' },
    { status: 'RED', explain: '{actual} is {shortfall} {side} the target of {target}, and no floor standard is set' },
  ],

  /**
   * London Borough of Barnet, e.g. Appendix B "Service Performance (Quarter 3 2016/17)": ratings
   * Green, Green Amber, Red Amber and Red, "below target" meaning any of the last three, and
   * Monitor for indicators without a RAG rating.
   * https://dokumen.tips/documents/appendix-b-service-performance-quarter-3-201617-201617-annual-target-q3-201617.html
   * The percentages separating the bands were not found in any published source searched; the
   * 5% and 10% cut-offs below are this product's assumption, to be checked against Barnet's key.
   */
  'barnet-4': [
    { status: 'GREEN', when: 'shortfall <= 0', explain: '{actual} meets the target of {target}' },
    { status: 'GREEN_AMBER', when: 'shortfall_percent < 5', explain: '{actual} is {shortfall_percent} {side} the target of {target}, less than 5%' },
    { status: 'RED_AMBER', when: 'shortfall_percent < 10', explain: '{actual} is {shortfall_percent} {side} the target of {target}, from 5% to less than 10%' },
    { status: 'RED', explain: '{actual} is {shortfall} ({shortfall_percent}) {side} the target of {target}, 10% or more' },
  ],

  /**
   * City of Lincoln Council, Executive, Operational Performance Report Q2 2022/23: measures
   * "below target", "within target boundaries", or that "exceeded a higher target"; Q1 2021/22:
   * "red (below target)", "green (above target)", "within the acceptable boundaries".
   * https://democratic.lincoln.gov.uk/ieDecisionDetails.aspx?AIId=36522 and
   * https://democratic.lincoln.gov.uk/ieIssueDetails.aspx?IId=32281&Opt=3
   * The reports do not say, in what was found, that the band within the boundaries is coloured
   * blue; that is DOMAIN.md's wording. A value that meets the target but lies outside a range
   * (or with no range set) is GREEN, as "above target".
   */
  'lincoln-stretch': [
    { status: 'GREEN', when: 'stretch_met', explain: '{actual} meets the stretch target of {stretch}' },
    { status: 'BLUE', when: 'in_range', explain: '{actual} is within the target range of {range}' },
    { status: 'GREEN', when: 'shortfall <= 0', explain: '{actual} meets the target of {target}' },
    { status: 'RED', explain: '{actual} is {shortfall} {side} the target of {target}' },
  ],
};
