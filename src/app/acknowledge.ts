import type { LogEntry } from '../quality/failedCheckLog.js';
import type { OpenService } from './open.js';

/** A data-quality lead's acknowledgement of a failed-check log entry, with why; refused for an entry that is not there. */
export async function acknowledgeEntry(open: Pick<OpenService, 'store'>, id: number, note: string, at: Date): Promise<LogEntry> {
  const entry = await open.store.checkLog.acknowledgeCheck(id, note, at);
  if (!entry) throw new Error(`no failed-check log entry ${id}`);
  return entry;
}
