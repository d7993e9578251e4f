import type { ExceptionKind } from '../exceptions/exception.js';

/** One period of an indicator's history as a pack shows it. */
export interface PackPoint {
  periodId: string;
  /** "May 2024" */
  period: string;
  /** In a chart column's few characters: "May", "Q2", "25-26". */
  short: string;
  value: number | null;
  /** The value in its unit, or "no value". */
  shown: string;
  /** Its RAG word, NOT_JUDGED, or MISSING. */
  rag: string;
}

/** An unresolved entry of the failed-check log, on an indicator's pipeline. */
export interface PackCheck {
  entry: number;
  check: string;
  severity: 'warn' | 'error';
  period: string;
  message: string;
  acknowledged: boolean;
}

/** A risk of the register at its assessed position in the matrix. */
export interface PackRisk {
  id: string;
  title: string;
  owner: string;
  /** "B/II" */
  cell: string;
  /** In the matrix's words: "likelihood B Likely, impact II Critical, score 16". */
  position: string;
  aboveTolerance: boolean;
  /** What moved it there, when triggers did. */
  evidence: string;
}

/** One indicator of the clinic that is an exception, with everything the clinic asks of it. */
export interface PackRow {
  indicator: string;
  title: string;
  service: string;
  owner: string;
  pipeline: string;
  periodId: string;
  period: string;
  value: string;
  target: string;
  tolerance: string;
  rag: string;
  explanation: string;
  direction: string;
  dataQuality: string;
  exceptions: { key: string; kind: ExceptionKind; title: string }[];
  /** The last 13 periods, oldest first, its own period last. */
  history: PackPoint[];
  checks: PackCheck[];
  risks: PackRisk[];
}

/** What a pack showed, kept with it so that the next pack can say what changed. */
export interface PackShown {
  /** Every indicator of the clinic: its RAG word at the pack's period. */
  rags: Record<string, string>;
  /** Every exception shown: its key and title. */
  exceptions: Record<string, string>;
}

/** What changed since the clinic's last pack. */
export interface PackChanges {
  /** When the last pack was sent and what period it covered; none for the first pack. */
  last: { sentAt: string; periodId: string; period: string } | null;
  /** Exceptions now that the last pack did not show. */
  raised: string[];
  /** Exceptions the last pack showed that are no more. */
  cleared: string[];
  /** Indicators whose RAG moved. */
  moved: { indicator: string; from: string; to: string }[];
}

/** An improvement clinic's exception pack, as every front end and the email share it. */
export interface ClinicPack {
  clinic: { id: string; name: string };
  periodId: string;
  period: string;
  /** The day it was drawn up, in words. */
  day: string;
  /** How many indicators the clinic has. */
  indicators: number;
  /** Its indicators by RAG word at the period, most severe first. */
  counts: { rag: string; count: number }[];
  rows: PackRow[];
  /** The clinic's risks above the tolerance line. */
  risks: PackRisk[];
  changes: PackChanges;
  shown: PackShown;
}

/** What changed between the last pack and this one's showing. */
export function packChanges(shown: PackShown, last: { sentAt: string; periodId: string; period: string; shown: PackShown } | undefined): PackChanges {
  if (!last) return { last: null, raised: [], cleared: [], moved: [] };
  const before = last.shown;
  return {
    last: { sentAt: last.sentAt, periodId: last.periodId, period: last.period },
    raised: Object.keys(shown.exceptions).filter((k) => !(k in before.exceptions)).map((k) => shown.exceptions[k]!),
    cleared: Object.keys(before.exceptions).filter((k) => !(k in shown.exceptions)).map((k) => before.exceptions[k]!),
    moved: Object.entries(shown.rags).flatMap(([indicator, to]) => {
      const from = before.rags[indicator];
      return from !== undefined && from !== to ? [{ indicator, from, to }] : [];
    }),
  };
}
