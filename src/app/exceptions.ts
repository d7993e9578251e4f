import { dateIn, type LocalDate } from '../calendar/localDate.js';
import { dateInWords } from '../calendar/recordDate.js';
import type { RaisedException } from '../exceptions/exception.js';
import { raiseExceptions, type Raised } from '../exceptions/raise.js';
import { recipientsOf } from '../exceptions/route.js';
import { compose, isUrgent, type ComposedMessage } from '../notify/compose.js';
import { newMessageId } from '../notify/outbox.js';
import { reconcile, tellings, type CurrentException, type Tell } from '../notify/plan.js';
import type { ListedException } from '../report/exceptions.js';
import type { StoredException } from '../store/exceptions.js';
import type { StoreParts } from '../store/store.js';
import { sendingOpens } from './deliver.js';
import { readExceptionFacts } from './exceptionFacts.js';
import type { OpenService } from './open.js';

/** What one reckoning of the exceptions found, and what it wrote (or, dry, would have written). */
export interface Reckoning {
  raised: Raised;
  /** Every exception open after it, with its id (none for one a dry run would open) and who it goes to. */
  open: ListedException[];
  /** Resolved by it. */
  resolved: StoredException[];
  tells: Tell[];
  messages: ComposedMessage[];
  /** Why nobody is told, when nobody can be: no people directory. */
  nobody?: string;
}

class DryRun extends Error {
  constructor(readonly reckoning: Reckoning) {
    super('dry run');
  }
}

/**
 * Turns the store's results into exceptions and, in one transaction under one lock, opens,
 * changes and resolves them, decides from the notification log what each recipient is told,
 * and writes the messages to the outbox with the log's new entries: all of it or none. Dry, the
 * same transaction is rolled back, so it says exactly what a cycle now would send.
 */
export async function reckonExceptions(
  open: Pick<OpenService, 'config' | 'register' | 'directory' | 'store'>,
  at: Date,
  /** today: the day the results are read as at (the demo's day), when not the day of `at`. */
  options: { dry?: boolean; today?: LocalDate } = {},
): Promise<Reckoning> {
  const { config, directory } = open;
  const settings = config.service.exceptions;
  const today = options.today ?? dateIn(at, config.service.timezone);
  const raise = async (parts: StoreParts, before: readonly { key: string }[]) =>
    raiseExceptions(config, open.register, directory, await readExceptionFacts(open, parts, today, new Set(before.map((e) => e.key))));
  if (!directory) {
    const raised = await raise(open.store, await open.store.exceptions.openExceptions());
    const nobody = `no people directory (people_file in ${config.file}): exceptions are listed, nobody is emailed`;
    return { raised, open: raised.exceptions.map((e) => ({ id: null, exception: e, openedAt: null, acknowledged: false, recipients: [] })), resolved: [], tells: [], messages: [], nobody };
  }
  const route = (e: RaisedException) => recipientsOf(e, directory, settings.routes);
  const work = open.store.transaction(async (parts) => {
    await parts.exceptions.takeTurn(at);
    // Read under the lock: facts read before it could be older than what another process told.
    const before = await parts.exceptions.openExceptions();
    const raised = await raise(parts, before);
    const plan = reconcile(raised, before);
    const ids = await parts.exceptions.open(plan.opened, at);
    for (const k of plan.kept) if (k.changed || k.refreshed) await parts.exceptions.update(k.open.id, k.raised, k.changed, at);
    await parts.exceptions.resolve(plan.resolved.map((r) => r.id), at);
    const current: CurrentException[] = [
      ...plan.opened.map((e) => ({ id: ids.get(e.key)!, raised: e, openedAt: at.toISOString(), acknowledgement: null })),
      // A change of state ends an acknowledgement.
      ...plan.kept.map((k) => ({ id: k.open.id, raised: k.raised, openedAt: k.open.openedAt, acknowledgement: k.changed ? null : k.open.acknowledgement })),
    ];
    const told = await parts.exceptions.toldOf(before.map((o) => o.id));
    const { tells, told: nowTold } = tellings(current, plan.resolved, told, { now: at, today, reminders: settings.reminders, recipientsOf: route });
    const messages = compose(tells, { calendar: config.calendar, links: settings.links, day: dateInWords(today) });
    const { from } = config.service.email;
    // Outside the sending hours what is not urgent waits in the outbox for their opening.
    const opening = sendingOpens(config, at);
    await parts.outbox.write(messages.map((m) => ({ ...m, from, messageId: newMessageId(from), ...(isUrgent(m.kind) ? {} : { notBefore: opening }) })), at);
    await parts.exceptions.recordTold(nowTold);
    const reckoning: Reckoning = {
      raised,
      open: current
        .map((c) => {
          const opened = ids.has(c.raised.key);
          return { id: opened && options.dry ? null : c.id, exception: c.raised, openedAt: opened && options.dry ? null : c.openedAt, acknowledged: c.acknowledgement !== null, recipients: route(c.raised) };
        })
        .sort((a, b) => (a.id ?? Infinity) - (b.id ?? Infinity)),
      resolved: plan.resolved as StoredException[],
      tells,
      messages,
    };
    if (options.dry) throw new DryRun(reckoning);
    return reckoning;
  });
  return work.catch((err: unknown) => {
    if (err instanceof DryRun) return err.reckoning;
    throw err;
  });
}

/** The exceptions the store holds open, each with who it goes to now. */
export async function openExceptions(open: Pick<OpenService, 'config' | 'directory' | 'store'>, at: Date): Promise<ListedException[]> {
  const { directory } = open;
  const today = dateIn(at, open.config.service.timezone);
  return (await open.store.exceptions.openExceptions()).map((e) => ({
    id: e.id,
    exception: e.raised,
    openedAt: e.openedAt,
    // An acknowledgement whose last day has passed no longer quiets anything.
    acknowledged: e.acknowledgement !== null && (e.acknowledgement.until === null || today <= e.acknowledgement.until),
    recipients: directory ? recipientsOf(e.raised, directory, open.config.service.exceptions.routes) : [],
  }));
}

/**
 * Acknowledges an open exception: no reminders while it stays as it is, or until the day given.
 * Refused for an exception that is not open, or a day already past.
 */
export async function acknowledgeException(open: Pick<OpenService, 'config' | 'store'>, id: number, note: string, until: string | undefined, at: Date): Promise<StoredException> {
  const today = dateIn(at, open.config.service.timezone);
  if (until !== undefined && until < today) throw new Error(`--until ${until} has passed: give a day from ${today} on`);
  const acknowledged = await open.store.exceptions.acknowledge(id, note, until ?? null, at);
  if (acknowledged) return acknowledged;
  const found = await open.store.exceptions.exception(id);
  throw new Error(found ? `exception ${id} was resolved at ${found.resolvedAt}: there is nothing to acknowledge` : `no exception ${id} (lineofsight exceptions lists the open ones)`);
}
