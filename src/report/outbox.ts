import type { OutboxEntry } from '../notify/outbox.js';

/** The documented JSON shape of an outbox message (README, "JSON output"): everything but its two bodies. */
export function messageJson(m: OutboxEntry) {
  return {
    id: m.id,
    messageId: m.messageId,
    kind: m.kind,
    state: m.state,
    to: m.to.address,
    toName: m.to.name,
    subject: m.subject,
    attempts: m.attempts,
    createdAt: m.createdAt,
    nextAttemptAt: m.state === 'pending' ? m.nextAttemptAt : null,
    sentAt: m.sentAt,
    lastError: m.lastError,
  };
}

/** How many messages `outbox` lists unless asked for more. */
export const DEFAULT_MESSAGES_LISTED = 50;
