import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { OpenService } from '../app/open.js';

/** This process as the store names it among replicas: host, pid and a few random bytes (a pid is reused). */
export function replicaIdentity(): { id: string; host: string; pid: number } {
  const host = os.hostname();
  return { id: `${host}:${process.pid}:${randomBytes(3).toString('hex')}`, host, pid: process.pid };
}

/** Whether a process of this host is running: a replica killed a moment ago is no reason to refuse its restart. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A second scheduler refused: what runs already, and why only one may. */
export class ReplicaRefused extends Error {}

/**
 * Enrols this replica's scheduler on the store. A SQLite file is one machine's, its writers
 * take turns at one lock, and its claims could not outlive a replica's host: a second scheduler
 * on it is refused while the first has been seen within a lease, naming it.
 */
export async function enrolReplica(open: OpenService, replica: { id: string; host: string; pid: number }, now: Date): Promise<void> {
  const { store } = open;
  if (store.config.client !== 'sqlite') return store.claims.enrol(replica, now);
  const since = new Date(now.getTime() - open.config.service.scheduler.lease);
  // A process of this host that has ended, or one whose pid is this process's own (a container's
  // pid 1 restarted), is gone.
  const others = await store.claims.enrolAlone(replica, now, since, (r) => r.host === replica.host && (r.pid === replica.pid || !alive(r.pid)));
  if (!others.length) return;
  const other = others[0]!;
  throw new ReplicaRefused(
    `a scheduler already runs on ${store.name} (host ${other.host}, pid ${other.pid}, seen ${other.seenAt}): a SQLite store takes one replica. Stop that one, serve this one with --no-scheduler, or use a PostgreSQL store for several replicas`,
  );
}
