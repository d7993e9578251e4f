import { nextSendable } from '../calendar/sendingHours.js';
import { attemptTimeoutOf } from '../config/schema.js';
import { courierFor } from '../notify/courier.js';
import { drainOutbox, type Drained } from '../notify/drain.js';
import type { OutboxEntry } from '../notify/outbox.js';
import type { OpenService } from './open.js';

/** When mail that is not urgent may go: now within the sending hours, else at their next opening. */
export function sendingOpens(config: Pick<OpenService['config'], 'service'>, at: Date): Date {
  const { email, timezone, bank_holidays } = config.service;
  return nextSendable(at, email.sending_hours, timezone, bank_holidays);
}

/** Messages sent at once: the SMTP pool's connections. */
const CONCURRENCY = 3;

/**
 * Sends what the outbox holds that is due, through the configured courier (SMTP, or .eml files),
 * reporting a message that fails for good to the performance team.
 */
export async function deliverOutbox(open: Pick<OpenService, 'config' | 'directory' | 'store' | 'logger'>, now?: () => Date): Promise<Drained> {
  const { email } = open.config.service;
  const courier = courierFor(email, CONCURRENCY);
  try {
    return await drainOutbox(open.store.outbox, courier, {
      now,
      claimTimeout: email.outbox.claim_timeout,
      retryAfter: email.outbox.retry_after,
      retryMax: email.outbox.retry_max,
      giveUpAfter: email.outbox.give_up_after,
      concurrency: CONCURRENCY,
      attemptTimeout: attemptTimeoutOf(email),
      logger: open.logger,
      reportTo: open.directory && { address: open.directory.performance_team.email, name: open.directory.performance_team.name },
      sendable: (at) => sendingOpens(open.config, at),
    });
  } finally {
    courier.close();
  }
}

/** A failed message made pending again and sent now; refused for one that is not failed. */
export async function retryMessage(open: Pick<OpenService, 'config' | 'directory' | 'store' | 'logger'>, id: number, at: Date): Promise<{ entry: OutboxEntry; delivered: Drained }> {
  const entry = await open.store.outbox.retry(id, at);
  if (!entry) {
    const found = await open.store.outbox.entry(id);
    throw new Error(found ? `message ${id} is ${found.state}, not failed: only a failed message is retried` : `no message ${id} in the outbox`);
  }
  return { entry, delivered: await deliverOutbox(open) };
}
