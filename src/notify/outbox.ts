import { randomUUID } from 'node:crypto';
import type { ComposedMessage, MessageKind } from './compose.js';

export const OUTBOX_STATES = ['pending', 'sending', 'sent', 'failed'] as const;
/** pending: written, waiting to be sent (or retried); sending: a process holds it; sent: the server took it; failed: given up, reported. */
export type OutboxState = (typeof OUTBOX_STATES)[number];

/** A message as the outbox keeps it, from its writing to its end. */
export interface OutboxMessage {
  id: number;
  /** Stable for the message's life: the same at every attempt, so a server or reader can tell a repeat. */
  messageId: string;
  kind: MessageKind;
  from: string;
  to: { address: string; name: string };
  subject: string;
  html: string;
  text: string;
  createdAt: string;
  attempts: number;
  /** Since when it has been tried: written, or retried by hand; give_up_after counts from it. */
  attemptsSince: string;
  attachments: Attachment[];
}

/** A file a message carries: text (a CSV), written whole. */
export interface Attachment {
  filename: string;
  contentType: string;
  content: string;
}

export interface OutboxEntry extends OutboxMessage {
  state: OutboxState;
  nextAttemptAt: string;
  lastError: string | null;
  sentAt: string | null;
}

/** A message to write, with the Message-ID it keeps. */
export interface NewMessage extends Omit<ComposedMessage, 'tells'> {
  messageId: string;
  from: string;
  attachments?: Attachment[];
  /** Not sent before this (quiet hours); by default it is due when written. */
  notBefore?: Date;
}

/**
 * The store's outbox, as delivery uses it. Every change of a message's state is made only by
 * the process that claimed it, named by its claim: a claim that ran out and was taken by
 * another process changes nothing.
 */
export interface Outbox {
  /** Takes up to `limit` messages due now (pending, or held by a claim that ran out) for `claimant` until `until`. */
  claim(claimant: string, now: Date, until: Date, limit: number): Promise<OutboxMessage[]>;
  /** The server accepted these; the ids marked sent, leaving out any whose claim was no longer this process's. */
  sent(ids: readonly number[], claimant: string, at: Date): Promise<number[]>;
  /** It could not be sent now: tried again at `next`. */
  retryLater(id: number, claimant: string, at: Date, next: Date, error: string, attemptsSince?: Date): Promise<void>;
  /** It will never be sent: failed, with the report of it written in the same transaction, if any. */
  failed(id: number, claimant: string, at: Date, error: string, report: NewMessage | undefined): Promise<void>;
}

/** A Message-ID of the sender's domain, made once when a message is written. */
export function newMessageId(from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'lineofsight.invalid';
  return `<${randomUUID()}@${domain}>`;
}
