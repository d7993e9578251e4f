import type { RaisedException } from '../exceptions/exception.js';
import type { Recipient } from '../exceptions/route.js';
import type { ComposedMessage } from '../notify/compose.js';
import { recipientKey } from '../notify/plan.js';

/** An exception as listed: stored (with its id) or, in a dry run, about to be opened (id null). */
export interface ListedException {
  id: number | null;
  exception: RaisedException;
  openedAt: string | null;
  acknowledged: boolean;
  recipients: Recipient[];
}

/** The documented JSON shape of an exception (README, "JSON output"). */
export function exceptionJson(l: ListedException) {
  const e = l.exception;
  return {
    id: l.id,
    key: e.key,
    kind: e.kind,
    severity: e.severity,
    state: e.state,
    title: e.title,
    rag: e.rag ?? null,
    indicator: e.subject.indicator ?? null,
    pipeline: e.subject.pipeline ?? null,
    risk: e.subject.risk ?? null,
    period: e.subject.period ?? null,
    services: e.subject.services,
    clinics: e.subject.clinics,
    explanation: e.explanation,
    unvalidated: e.unvalidated ?? null,
    held: e.held ?? false,
    openedAt: l.openedAt,
    acknowledged: l.acknowledged,
    recipients: l.recipients.map(recipientKey),
  };
}

/** The documented JSON shape of what a cycle tells, message by message. */
export function messagesJson(messages: readonly ComposedMessage[]) {
  return messages.map((m) => ({
    kind: m.kind,
    to: m.to.address,
    subject: m.subject,
    exceptions: m.tells.map((t) => ({ id: t.exceptionId, change: t.change, for: t.recipient.onBehalfOf ?? null })),
  }));
}
