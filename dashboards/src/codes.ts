import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { CHECK_CODES, DIRECTION_CODES, QUALITY_CODES, RAG_CODES } from '../../src/metrics/codes.js';

/**
 * The words and colours of the codes the metrics give (src/metrics/codes.ts): a dashboard shows
 * RAG as its word on its colour, never as the number Prometheus holds.
 */
const RAG_COLOURS: Record<keyof typeof RAG_CODES, string> = {
  BLUE: 'blue',
  GREEN: 'green',
  GREEN_AMBER: 'yellow',
  AMBER: 'orange',
  RED_AMBER: 'dark-orange',
  RED: 'red',
  NO_TARGET: 'text',
  MONITOR: 'text',
  MISSING: 'purple',
  NOT_JUDGED: 'text',
};

const DIRECTION_COLOURS: Record<keyof typeof DIRECTION_CODES, string> = {
  improving: 'green',
  'no change': 'text',
  worsening: 'red',
  increasing: 'text',
  decreasing: 'text',
};

const QUALITY_COLOURS: Record<keyof typeof QUALITY_CODES, string> = { passed: 'green', warned: 'orange', failed: 'red' };

const CHECK_COLOURS: Record<keyof typeof CHECK_CODES, string> = { passed: 'green', warned: 'orange', failed: 'red', error: 'purple' };

function mapped<K extends string>(codes: Readonly<Record<K, number>>, colours: Readonly<Record<K, string>>): dashboard.ValueMapping[] {
  const words = Object.keys(codes) as K[];
  return [{ type: dashboard.MappingType.ValueToText, options: Object.fromEntries(words.map((word, index) => [String(codes[word]), { text: word, color: colours[word], index }])) }];
}

export const RAG_WORDS = mapped(RAG_CODES, RAG_COLOURS);
export const DIRECTION_WORDS = mapped(DIRECTION_CODES, DIRECTION_COLOURS);
export const QUALITY_WORDS = mapped(QUALITY_CODES, QUALITY_COLOURS);
export const CHECK_WORDS = mapped(CHECK_CODES, CHECK_COLOURS);

/**
 * `count_values("rag", ...)` names each series by its code: these overrides give each code's
 * series (or a column of that name) its word and its colour.
 */
export function ragSeriesOverrides(): { name: string; properties: dashboard.DynamicConfigValue[] }[] {
  return (Object.keys(RAG_CODES) as (keyof typeof RAG_CODES)[]).map((word) => ({
    name: String(RAG_CODES[word]),
    properties: [
      { id: 'displayName', value: word },
      { id: 'color', value: { mode: 'fixed', fixedColor: RAG_COLOURS[word] } },
    ],
  }));
}

/** lineofsight_risk_above_tolerance and a matrix cell's side of the line. */
export const ABOVE_WORDS: dashboard.ValueMapping[] = [
  {
    type: dashboard.MappingType.ValueToText,
    options: { '1': { text: 'above the line', color: 'red', index: 0 }, '0': { text: 'within', color: 'green', index: 1 } },
  },
];
