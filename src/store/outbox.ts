import type { Knex } from 'knex';
import type { MessageKind } from '../notify/compose.js';
import type { Attachment, NewMessage, Outbox, OutboxEntry, OutboxMessage, OutboxState } from '../notify/outbox.js';
import { lockFor } from './locks.js';
import { iso, isoOrNull } from './rows.js';

const CHUNK = 100;

/**
 * The outbox (table outbox): every message from its writing to its end. Processes draining one
 * outbox each claim different messages: on PostgreSQL by skipping rows another holds, on SQLite
 * by taking turns at the claim.
 */
export class OutboxStore implements Outbox {
  constructor(private readonly db: Knex) {}

  /** Writes messages as pending, each to be sent from now or from its notBefore. */
  async write(messages: readonly NewMessage[], at: Date): Promise<number[]> {
    const when = at.toISOString();
    const ids: number[] = [];
    for (let i = 0; i < messages.length; i += CHUNK) {
      const rows = messages.slice(i, i + CHUNK).map((m) => {
        // give_up_after counts from when it may first be sent: a weekend's wait is not a failure.
        const due = m.notBefore && m.notBefore > at ? m.notBefore.toISOString() : when;
        return {
          message_id: m.messageId,
          kind: m.kind,
          from_address: m.from,
          to_address: m.to.address,
          to_name: m.to.name,
          subject: m.subject,
          state: 'pending',
          attempts: 0,
          next_attempt_at: due,
          attempts_since: due,
          created_at: when,
          changed_at: when,
        };
      });
      const inserted = (await this.db('outbox').insert(rows).returning('id')).map((r: { id: number }) => Number(r.id));
      const part = messages.slice(i, i + CHUNK);
      await this.db('outbox_bodies').insert(
        inserted.map((id, k) => {
          const m = part[k]!;
          return { outbox_id: id, html: m.html, text: m.text, attachments: m.attachments?.length ? JSON.stringify(m.attachments) : null };
        }),
      );
      ids.push(...inserted);
    }
    return ids;
  }

  async claim(claimant: string, now: Date, until: Date, limit: number): Promise<OutboxMessage[]> {
    const at = now.toISOString();
    const due = (q: Knex.QueryBuilder) =>
      q.where((w) => w.where('state', 'pending').andWhere('next_attempt_at', '<=', at)).orWhere((w) => w.where('state', 'sending').andWhere('claimed_until', '<', at));
    const set = { state: 'sending', claimed_by: claimant, claimed_until: until.toISOString(), changed_at: at };
    if (this.db.client.config.client === 'pg') {
      // Rows another drainer has locked are skipped, not waited for: each takes its own.
      const ids = this.db('outbox').select('id').where(due).orderBy('id').limit(limit).forUpdate().skipLocked();
      const claimed: { id: number }[] = await this.db('outbox').whereIn('id', ids).update({ ...set, attempts: this.db.raw('attempts + 1') }).returning('id');
      return this.withBodies(this.db, claimed.map((r) => Number(r.id)));
    }
    return this.db.transaction(async (trx) => {
      await lockFor(trx, 'outbox', now);
      const rows = await trx('outbox').select('id').where(due).orderBy('id').limit(limit);
      const ids = rows.map((r) => Number(r.id));
      if (!ids.length) return [];
      await trx('outbox').whereIn('id', ids).update({ ...set, attempts: trx.raw('attempts + 1') });
      return this.withBodies(trx, ids);
    });
  }

  /** These messages whole, each row with its two parts, oldest first. */
  private async withBodies(db: Knex, ids: readonly number[]): Promise<OutboxEntry[]> {
    if (!ids.length) return [];
    const rows = await db('outbox as o').join('outbox_bodies as b', 'b.outbox_id', 'o.id').select('o.*', 'b.html', 'b.text', 'b.attachments').whereIn('o.id', ids).orderBy('o.id');
    return rows.map(toEntry);
  }

  async sent(ids: readonly number[], claimant: string, at: Date): Promise<number[]> {
    if (!ids.length) return [];
    const rows: { id: number }[] = await this.db('outbox')
      .whereIn('id', ids)
      .where({ claimed_by: claimant, state: 'sending' })
      .update({ state: 'sent', sent_at: at.toISOString(), changed_at: at.toISOString(), claimed_until: null })
      .returning('id');
    return rows.map((r) => Number(r.id));
  }

  /** Pending again from `next`; `attemptsSince` moved on past a wait that is no delay in sending (quiet hours). */
  async retryLater(id: number, claimant: string, at: Date, next: Date, error: string, attemptsSince?: Date): Promise<void> {
    await this.db('outbox')
      .where({ id, claimed_by: claimant, state: 'sending' })
      .update({
        state: 'pending',
        next_attempt_at: next.toISOString(),
        last_error: error,
        changed_at: at.toISOString(),
        claimed_by: null,
        claimed_until: null,
        ...(attemptsSince ? { attempts_since: attemptsSince.toISOString() } : {}),
      });
  }

  async failed(id: number, claimant: string, at: Date, error: string, report: NewMessage | undefined): Promise<void> {
    await this.db.transaction(async (trx) => {
      const n = await trx('outbox').where({ id, claimed_by: claimant, state: 'sending' }).update({ state: 'failed', last_error: error, changed_at: at.toISOString(), claimed_by: null, claimed_until: null });
      if (n && report) await new OutboxStore(trx).write([report], at);
    });
  }

  /** Messages listed newest first: in one state, or all. */
  async list(state: OutboxState | undefined, limit: number): Promise<OutboxEntry[]> {
    const q = this.db('outbox').select('id');
    if (state) q.where('state', state);
    const ids = (await q.orderBy('id', 'desc').limit(limit)).map((r) => Number(r.id));
    return (await this.withBodies(this.db, ids)).reverse();
  }

  async entry(id: number): Promise<OutboxEntry | undefined> {
    const [found] = await this.withBodies(this.db, [id]);
    return found;
  }

  /** A failed message made pending again, to be sent from now; undefined when no failed message has the id. */
  async retry(id: number, at: Date): Promise<OutboxEntry | undefined> {
    const n = await this.db('outbox').where({ id, state: 'failed' }).update({ state: 'pending', next_attempt_at: at.toISOString(), attempts_since: at.toISOString(), attempts: 0, changed_at: at.toISOString() });
    return n ? this.entry(id) : undefined;
  }

  /** How many messages are in each state: one query. */
  async counts(): Promise<Map<OutboxState, number>> {
    const rows: Record<string, unknown>[] = await this.db('outbox').select('state').count({ n: '*' }).groupBy('state');
    return new Map(rows.map((r) => [r.state as OutboxState, Number(r.n)]));
  }
}

function toMessage(r: Record<string, unknown>): OutboxMessage {
  return {
    id: Number(r.id),
    messageId: String(r.message_id),
    kind: r.kind as MessageKind,
    from: String(r.from_address),
    to: { address: String(r.to_address), name: String(r.to_name) },
    subject: String(r.subject),
    html: String(r.html),
    text: String(r.text),
    createdAt: iso(r.created_at),
    attempts: Number(r.attempts),
    attemptsSince: iso(r.attempts_since),
    attachments: typeof r.attachments === 'string' ? (JSON.parse(r.attachments) as Attachment[]) : [],
  };
}

function toEntry(r: Record<string, unknown>): OutboxEntry {
  return { ...toMessage(r), state: r.state as OutboxState, nextAttemptAt: iso(r.next_attempt_at), lastError: (r.last_error as string | null) ?? null, sentAt: isoOrNull(r.sent_at) };
}
