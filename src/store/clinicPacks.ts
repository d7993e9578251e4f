import type { Knex } from 'knex';
import { iso } from './rows.js';

/** A pack as the store keeps it: when it was sent, for which period, and what it showed. */
export interface StoredPack<Shown> {
  id: number;
  clinic: string;
  period: string;
  sentAt: string;
  shown: Shown;
}

/**
 * The exception packs sent to improvement clinics (table clinic_packs). A scheduled pack is
 * recorded under a key unique to its clinic and period, so that of the replicas (or the
 * catch-up and the schedule) sending it, one records it and the others find it sent; a pack
 * sent on demand has no key and is recorded however often it is sent.
 */
export class ClinicPackStore {
  constructor(private readonly db: Knex) {}

  /** The newest pack sent to the clinic, if any. */
  async lastPack<Shown>(clinic: string): Promise<StoredPack<Shown> | undefined> {
    const row = await this.db('clinic_packs').where({ clinic }).orderBy([{ column: 'sent_at', order: 'desc' }, { column: 'id', order: 'desc' }]).first();
    return row && { id: Number(row.id), clinic: String(row.clinic), period: String(row.period), sentAt: iso(row.sent_at), shown: JSON.parse(String(row.shown)) as Shown };
  }

  /**
   * Records a pack sent: its id, or undefined when it is scheduled and a pack of the clinic and
   * period is recorded already (sent by another replica, or before).
   */
  async record(pack: { clinic: string; period: string; scheduled: boolean; shown: unknown }, at: Date): Promise<number | undefined> {
    const row = {
      clinic: pack.clinic,
      period: pack.period,
      scheduled_key: pack.scheduled ? `${pack.clinic}/${pack.period}` : null,
      sent_at: at.toISOString(),
      shown: JSON.stringify(pack.shown),
    };
    const inserted: { id: number }[] = await this.db('clinic_packs').insert(row).onConflict('scheduled_key').ignore().returning('id');
    return inserted[0] ? Number(inserted[0].id) : undefined;
  }
}
