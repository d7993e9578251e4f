import type { ExceptionKind } from '../config/schema.js';

export type { ExceptionKind } from '../config/schema.js';

/** What an exception is about, as routes match it and messages group it. */
export interface ExceptionSubject {
  indicator?: string;
  pipeline?: string;
  risk?: string;
  services: string[];
  clinics: string[];
  /** The period the exception stands at, where it stands at one (a month, a quarter). */
  period?: string;
}

/** One line of an exception's facts, as an email shows it: "Target", "95%". */
export interface Fact {
  label: string;
  value: string;
}

/**
 * A problem a person would call the same one run after run, as this cycle's results show it. Its
 * `key` is that identity; its `state` is what a change is (AMBER to RED, a risk's move to another
 * cell): the same key in another state is "Changed", in the same state "Still open".
 */
export interface RaisedException {
  key: string;
  kind: ExceptionKind;
  severity: 'warn' | 'error';
  state: string;
  /** One line, naming the subject and what is wrong: "HR01 Repairs completed on time is RED". */
  title: string;
  subject: ExceptionSubject;
  /** The RAG status shown as a word and a colour, for an indicator's exception. */
  rag?: string;
  facts: Fact[];
  /** Why it was raised, in words. */
  explanation: string;
  /** The people (directory ids) who own what it is about: the indicator's or the risk's owner. */
  owners: string[];
  /** Set when a failed pipeline or an error-severity check makes the value behind it doubtful. */
  unvalidated?: string;
  /** Held back while its root cause stands: nothing is said of it, and it is not resolved. */
  held?: boolean;
  /** No reminders: acknowledged where it is kept (a failed-check log entry), or its steps are its reminders. */
  quiet?: boolean;
  /** Who it goes to before any route, in place of its kind's defaults: the step data not received has reached. */
  to?: string[];
}

/** Whether an exception counts as red in a subject line's counts ("3 red, 1 amber"). */
export function isRed(e: Pick<RaisedException, 'rag'>): boolean {
  return e.rag === 'RED' || e.rag === 'RED_AMBER';
}

/** The kinds in words, for subject lines and headings. */
export const KIND_WORDS: Record<ExceptionKind, { one: string; many: string }> = {
  rag: { one: 'RAG exception', many: 'RAG exceptions' },
  worsening: { one: 'worsening', many: 'worsening' },
  suspect_value: { one: 'suspect value', many: 'suspect values' },
  data_quality: { one: 'data-quality failure', many: 'data-quality failures' },
  risk: { one: 'risk above the line', many: 'risks above the line' },
  pipeline_failed: { one: 'pipeline failed', many: 'pipelines failed' },
  governance: { one: 'governance finding', many: 'governance findings' },
  data_not_received: { one: 'data not received', many: 'data not received' },
};
