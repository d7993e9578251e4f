import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import { isUrgent } from './compose.js';
import { faultOf, isPermanent, type Courier } from './courier.js';
import { newMessageId, type NewMessage, type Outbox, type OutboxMessage } from './outbox.js';
import { renderUndeliverable } from './render.js';

export interface DrainOptions {
  now?: () => Date;
  /** How long a claim holds a message before another process may take it. */
  claimTimeout: number;
  retryAfter: number;
  retryMax: number;
  giveUpAfter: number;
  /** Messages sent at once (the SMTP pool's connections). */
  concurrency: number;
  /** The longest one attempt may take: a message whose claim has less left is not begun. */
  attemptTimeout: number;
  logger: Logger;
  /** Where a message that failed for good is reported: the performance team. */
  reportTo?: { address: string; name: string };
  /** The first instant from `at` that mail that is not urgent may go (the sending hours); by default `at`. */
  sendable?: (at: Date) => Date;
}

export interface Drained {
  /** Where messages went: the courier's name. */
  via: string;
  sent: number;
  retrying: number;
  failed: number;
}

/** Claimed at a time, for each message sent at once: few enough that none waits long in its claim. */
const CLAIMED_PER_SENDER = 16;
/**
 * Messages the server accepted are marked sent this many at a time, in one statement: marking
 * each alone costs as much as sending it. A process that dies between acceptance and the mark
 * may send up to this many again once their claims run out (README, "Delivery").
 */
export const MARKED_TOGETHER = 10;

/**
 * Sends every message due in the outbox, until none is left that is due now. A message is
 * claimed before it is sent and marked sent after the server accepted it (MARKED_TOGETHER at a
 * time): if this process dies between the two, the claim runs out and another attempt sends it
 * again (the one duplicate the README names). A 4xx reply or a connection fault is tried again after a backoff that
 * doubles; a 5xx reply, or a message still unsent after give_up_after, fails it, and the
 * performance team is told in a message of its own.
 */
export async function drainOutbox(outbox: Outbox, courier: Courier, o: DrainOptions): Promise<Drained> {
  const now = o.now ?? (() => new Date());
  const sendable = o.sendable ?? ((at: Date) => at);
  const claimant = randomUUID();
  const done: Drained = { via: courier.name, sent: 0, retrying: 0, failed: 0 };
  const queue: { message: OutboxMessage; until: number }[] = [];
  let exhausted = false;
  let claiming: Promise<void> | undefined;
  // One claim at a time, made when the queue runs dry, while the other senders carry on; what was
  // accepted is marked first, so that no claim of it can run out and be taken again.
  const refill = async () => {
    await mark();
    const at = now();
    const until = at.getTime() + o.claimTimeout;
    const batch = await outbox.claim(claimant, at, new Date(until), o.concurrency * CLAIMED_PER_SENDER);
    if (!batch.length) exhausted = true;
    queue.push(...batch.map((message) => ({ message, until })));
  };
  const next = async (): Promise<OutboxMessage | undefined> => {
    for (;;) {
      while (!queue.length && !exhausted) {
        claiming ??= refill().finally(() => (claiming = undefined));
        await claiming;
      }
      const item = queue.shift();
      if (!item) return undefined;
      // A claim too near its end to see an attempt through is left to run out: begun, it could
      // be taken and sent by another process while this one still sends it.
      if (item.until - now().getTime() >= o.attemptTimeout) return item.message;
      o.logger.warn({ message: item.message.id }, 'email left for a later attempt: its claim runs out before an attempt could finish');
    }
  };
  let accepted: OutboxMessage[] = [];
  const mark = async () => {
    const these = accepted;
    accepted = [];
    if (!these.length) return;
    const marked = new Set(await outbox.sent(these.map((m) => m.id), claimant, now()));
    done.sent += marked.size;
    for (const m of these) if (!marked.has(m.id)) o.logger.warn({ message: m.id, messageId: m.messageId }, 'email sent after its claim ran out: another process may send it too');
  };
  const deliver = async (m: OutboxMessage) => {
    try {
      await courier.send(m);
    } catch (err) {
      const fault = faultOf(err);
      const at = now();
      const tooOld = at.getTime() - Date.parse(m.attemptsSince) >= o.giveUpAfter;
      if (isPermanent(err) || tooOld) {
        const why = isPermanent(err) ? fault : `not accepted within ${Math.round(o.giveUpAfter / 3_600_000)} h; last: ${fault}`;
        o.logger.error({ message: m.id, messageId: m.messageId, to: m.to.address, fault: why }, 'email failed: it will not be sent');
        const word = m.kind === 'undeliverable' ? undefined : report(m, why, sendable(at), o);
        await outbox.failed(m.id, claimant, at, why, word);
        done.failed++;
        // A report due now is claimed again rather than left for the next cycle (one held for
        // the sending hours is not found by the claim).
        if (word) exhausted = false;
      } else {
        const backoff = new Date(at.getTime() + Math.min(o.retryMax, o.retryAfter * 2 ** Math.max(0, m.attempts - 1)));
        // A retry that would fall in quiet hours waits for their end, as the message did at first.
        const retryAt = isUrgent(m.kind) ? backoff : sendable(backoff);
        o.logger.warn({ message: m.id, to: m.to.address, fault, retryInSeconds: Math.round((retryAt.getTime() - at.getTime()) / 1000) }, 'email not sent now: it will be tried again');
        // The wait for the hours is no delay in sending: give_up_after does not count it.
        const quiet = retryAt.getTime() - backoff.getTime();
        await outbox.retryLater(m.id, claimant, at, retryAt, fault, quiet > 0 ? new Date(Date.parse(m.attemptsSince) + quiet) : undefined);
        done.retrying++;
      }
      return;
    }
    accepted.push(m);
    if (accepted.length >= MARKED_TOGETHER) await mark();
  };
  const worker = async () => {
    for (let m = await next(); m; m = await next()) await deliver(m);
  };
  // Every sender is let finish before what they had accepted is marked, whichever of them failed.
  const settled = await Promise.allSettled(Array.from({ length: o.concurrency }, worker));
  await mark();
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return done;
}

/** The performance team's word of a message that will never arrive: not urgent, it waits for the sending hours. */
function report(m: OutboxMessage, why: string, notBefore: Date, o: DrainOptions): NewMessage | undefined {
  if (!o.reportTo) return undefined;
  return { kind: 'undeliverable', to: o.reportTo, from: m.from, messageId: newMessageId(m.from), ...renderUndeliverable(m, why), notBefore };
}
