import type { LocalDate } from '../calendar/localDate.js';
import type { RaisedException } from '../exceptions/exception.js';
import type { Raised } from '../exceptions/raise.js';
import type { Recipient } from '../exceptions/route.js';

/** An exception the store holds open, as it was last raised. */
export interface OpenException {
  id: number;
  key: string;
  state: string;
  raised: RaisedException;
  openedAt: string;
  changedAt: string;
  acknowledgement: Acknowledgement | null;
}

/** `exceptions ack`: no reminders while the exception stays in the state acknowledged, until the day given if any. */
export interface Acknowledgement {
  at: string;
  note: string;
  /** The last day it holds; none: until the exception changes. */
  until: LocalDate | null;
  /** The state acknowledged: a change of state ends it. */
  state: string;
}

/** What the notification log holds of one exception and one recipient: what they were last told, and when. */
export interface Told {
  exceptionId: number;
  recipient: string;
  /** The name their mail is addressed to. */
  name: string;
  state: string;
  at: string;
  /** Reminders sent since they were last told of a change. */
  reminders: number;
}

/** What a cycle does to the exceptions the store holds open. */
export interface Reconciled {
  /** Raised now, not open before: to be opened. */
  opened: RaisedException[];
  /** Open before, raised again: in another state (changed), with other facts (refreshed), or the same. */
  kept: { open: OpenException; raised: RaisedException; changed: boolean; refreshed: boolean }[];
  /** Open before, raised no more, and known to be over: resolved. */
  resolved: OpenException[];
}

/**
 * Sets this cycle's exceptions against those the store holds open. A held exception is never
 * opened, changed or resolved; one whose state the cycle cannot tell (unsettled) stays as it was.
 */
export function reconcile(raised: Raised, open: readonly OpenException[]): Reconciled {
  const byKey = new Map(open.map((o) => [o.key, o]));
  const seen = new Set<string>();
  const out: Reconciled = { opened: [], kept: [], resolved: [] };
  for (const e of raised.exceptions) {
    seen.add(e.key);
    const o = byKey.get(e.key);
    if (!o) {
      if (!e.held) out.opened.push(e);
      continue;
    }
    // Held as it was last told, and said nothing of, reminders included, until its cause clears.
    if (e.held) out.kept.push({ open: o, raised: { ...o.raised, held: true }, changed: false, refreshed: false });
    else out.kept.push({ open: o, raised: e, changed: o.state !== e.state, refreshed: JSON.stringify(o.raised) !== JSON.stringify(e) });
  }
  for (const o of open) {
    if (seen.has(o.key)) continue;
    if (raised.unsettled.has(o.key)) out.kept.push({ open: o, raised: o.raised, changed: false, refreshed: false });
    else out.resolved.push(o);
  }
  return out;
}

export type Change = 'new' | 'changed' | 'still_open' | 'resolved';

/** One thing to tell one recipient this cycle. */
export interface Tell {
  exceptionId: number;
  exception: RaisedException;
  recipient: Recipient;
  change: Change;
  /** Set for a reminder: since when it has been open. */
  openedAt: string;
}

/** An exception as it stands after this cycle's writes, with its id. */
export interface CurrentException {
  id: number;
  raised: RaisedException;
  openedAt: string;
  acknowledgement: Acknowledgement | null;
}

export interface Telling {
  tells: Tell[];
  /** The notification log's rows to write: what each recipient has now been told. */
  told: Told[];
}

/** The key a recipient is kept under in the notification log: their address, and for whom when it is not their own. */
export function recipientKey(r: Recipient): string {
  return r.onBehalfOf ? `${r.address} for ${r.onBehalfOf}` : r.address;
}

export interface TellingRules {
  now: Date;
  today: LocalDate;
  /** Intervals between reminders, in ms, the last repeating. */
  reminders: readonly number[];
  recipientsOf(e: RaisedException): Recipient[];
}

/**
 * What each recipient is told this cycle, as the notification log decides it (the model is
 * Alertmanager's): an exception they have not been told of is New; one told in another state is
 * Changed; one told in this state is Still open only once a reminder is due and it is not
 * acknowledged; a resolution is told once, to everyone who was told it was open.
 */
export function tellings(current: readonly CurrentException[], resolved: readonly OpenException[], told: ReadonlyMap<string, Told>, rules: TellingRules): Telling {
  const at = rules.now.toISOString();
  const out: Telling = { tells: [], told: [] };
  for (const c of current) {
    if (c.raised.held) continue;
    const ack = c.acknowledgement;
    const quiet = c.raised.quiet === true || (ack !== null && ack.state === c.raised.state && (ack.until === null || rules.today <= ack.until));
    for (const recipient of rules.recipientsOf(c.raised)) {
      const key = recipientKey(recipient);
      const last = told.get(`${c.id}\n${key}`);
      const tell = (change: Change, reminders: number) => {
        out.tells.push({ exceptionId: c.id, exception: c.raised, recipient, change, openedAt: c.openedAt });
        out.told.push({ exceptionId: c.id, recipient: key, name: recipient.name, state: c.raised.state, at, reminders });
      };
      if (!last || last.state === RESOLVED) tell('new', 0);
      else if (last.state !== c.raised.state) tell('changed', 0);
      else if (!quiet && reminderDue(last, rules)) tell('still_open', last.reminders + 1);
    }
  }
  const toldOf = new Map<number, Told[]>();
  for (const last of told.values()) toldOf.set(last.exceptionId, [...(toldOf.get(last.exceptionId) ?? []), last]);
  for (const o of resolved) {
    for (const last of toldOf.get(o.id) ?? []) {
      if (last.state === RESOLVED) continue;
      const recipient = recipientOf(last);
      out.tells.push({ exceptionId: o.id, exception: o.raised, recipient, change: 'resolved', openedAt: o.openedAt });
      out.told.push({ ...last, state: RESOLVED, at });
    }
  }
  return out;
}

/** The state the log keeps for a recipient told of a resolution. */
export const RESOLVED = 'resolved';

function reminderDue(last: Told, rules: TellingRules): boolean {
  const interval = rules.reminders[Math.min(last.reminders, rules.reminders.length - 1)]!;
  return rules.now.getTime() - Date.parse(last.at) >= interval;
}

/** A recipient back from the log's key, for telling them of a resolution whatever the routes now say. */
function recipientOf(told: Told): Recipient {
  const at = told.recipient.indexOf(' for ');
  return at < 0 ? { address: told.recipient, name: told.name } : { address: told.recipient.slice(0, at), name: told.name, onBehalfOf: told.recipient.slice(at + 5) };
}
