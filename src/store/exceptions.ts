import type { Knex } from 'knex';
import type { RaisedException } from '../exceptions/exception.js';
import type { Acknowledgement, OpenException, Told } from '../notify/plan.js';
import { lockFor } from './locks.js';
import { iso, isoOrNull } from './rows.js';

/** An exception as the store lists it, open or resolved. */
export interface StoredException extends OpenException {
  kind: string;
  severity: string;
  title: string;
  resolvedAt: string | null;
}

/** Rows a statement may carry: well under SQLite's limit on bindings, at the columns written here. */
const CHUNK = 200;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * Exceptions (table exceptions) and the notification log (notification_log): what is open, and
 * what each recipient was last told of it. A cycle's whole reckoning runs in one transaction,
 * under one lock, with the outbox rows it writes.
 */
export class ExceptionStore {
  constructor(private readonly db: Knex) {}

  /** Takes the exceptions' turn for the rest of this transaction: one process reckons at a time. */
  async takeTurn(at: Date): Promise<void> {
    if (!(this.db as Knex.Transaction).isTransaction) throw new Error('the exceptions are reckoned inside a store transaction');
    await lockFor(this.db as Knex.Transaction, 'exceptions', at);
  }

  /** Every open exception, oldest first. */
  async openExceptions(): Promise<StoredException[]> {
    return (await this.db('exceptions').whereNotNull('open_key').orderBy('id')).map(toStored);
  }

  async exception(id: number): Promise<StoredException | undefined> {
    const row = await this.db('exceptions').where('id', id).first();
    return row ? toStored(row) : undefined;
  }

  /** What the notification log holds of these exceptions, keyed by exception id and recipient. */
  async toldOf(exceptionIds: readonly number[]): Promise<Map<string, Told>> {
    const out = new Map<string, Told>();
    for (const ids of chunks(exceptionIds)) {
      for (const r of await this.db('notification_log').whereIn('exception_id', ids)) {
        const told: Told = { exceptionId: Number(r.exception_id), recipient: r.recipient, name: r.name, state: r.state, at: iso(r.told_at), reminders: Number(r.reminders) };
        out.set(`${told.exceptionId}\n${told.recipient}`, told);
      }
    }
    return out;
  }

  /** Opens these exceptions; their ids by key. */
  async open(raised: readonly RaisedException[], at: Date): Promise<Map<string, number>> {
    const when = at.toISOString();
    const ids = new Map<string, number>();
    for (const part of chunks(raised)) {
      const rows = part.map((e) => ({ key: e.key, open_key: e.key, kind: e.kind, severity: e.severity, state: e.state, title: e.title, raised: JSON.stringify(e), opened_at: when, changed_at: when, updated_at: when }));
      const inserted: { id: number; key: string }[] = await this.db('exceptions').insert(rows).returning(['id', 'key']);
      for (const r of inserted) ids.set(r.key, Number(r.id));
    }
    return ids;
  }

  /** Writes an open exception as raised again: a change of state is when it changed. */
  async update(id: number, raised: RaisedException, changed: boolean, at: Date): Promise<void> {
    const when = at.toISOString();
    await this.db('exceptions')
      .where('id', id)
      // A change ends an acknowledgement: it was of the state before.
      .update({ severity: raised.severity, state: raised.state, title: raised.title, raised: JSON.stringify(raised), updated_at: when, ...(changed ? { changed_at: when, acknowledged_at: null, ack_note: null, ack_until: null, ack_state: null } : {}) });
  }

  async resolve(ids: readonly number[], at: Date): Promise<void> {
    const when = at.toISOString();
    for (const part of chunks(ids)) await this.db('exceptions').whereIn('id', part).update({ open_key: null, resolved_at: when, updated_at: when });
  }

  /** Writes what each recipient has now been told. */
  async recordTold(told: readonly Told[]): Promise<void> {
    for (const part of chunks(told)) {
      const rows = part.map((t) => ({ exception_id: t.exceptionId, recipient: t.recipient, name: t.name, state: t.state, told_at: t.at, reminders: t.reminders }));
      await this.db('notification_log').insert(rows).onConflict(['exception_id', 'recipient']).merge();
    }
  }

  /**
   * Acknowledges an open exception in its present state, until a day or until it changes; the
   * exception after, or undefined when no open exception has the id.
   */
  async acknowledge(id: number, note: string, until: string | null, at: Date): Promise<StoredException | undefined> {
    return this.db.transaction(async (trx) => {
      await lockFor(trx, 'exceptions', at);
      const row = await trx('exceptions').where('id', id).whereNotNull('open_key').first();
      if (!row) return undefined;
      await trx('exceptions').where('id', id).update({ acknowledged_at: at.toISOString(), ack_note: note, ack_until: until, ack_state: row.state, updated_at: at.toISOString() });
      return toStored(await trx('exceptions').where('id', id).first());
    });
  }
}

function toStored(r: Record<string, unknown>): StoredException {
  const acknowledgement: Acknowledgement | null =
    r.acknowledged_at === null || r.acknowledged_at === undefined
      ? null
      : { at: iso(r.acknowledged_at), note: String(r.ack_note ?? ''), until: (r.ack_until as string | null) ?? null, state: String(r.ack_state) };
  return {
    id: Number(r.id),
    key: String(r.key),
    kind: String(r.kind),
    severity: String(r.severity),
    state: String(r.state),
    title: String(r.title),
    raised: JSON.parse(String(r.raised)) as RaisedException,
    openedAt: iso(r.opened_at),
    changedAt: iso(r.changed_at),
    resolvedAt: isoOrNull(r.resolved_at),
    acknowledgement,
  };
}
