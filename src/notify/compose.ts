import type { FinancialCalendar } from '../calendar/periods.js';
import { periodInWords } from '../calendar/recordDate.js';
import { isRed, KIND_WORDS, type ExceptionKind } from '../exceptions/exception.js';
import type { Recipient } from '../exceptions/route.js';
import type { Tell } from './plan.js';
import { renderSections, type Links, type RenderedMessage } from './render.js';

/**
 * What a message is: a cycle's digest for one recipient, a pipeline's failure or a risk crossing
 * the tolerance line sent at once, a report of mail that could not be delivered, or an
 * improvement clinic's exception pack.
 */
export type MessageKind = 'digest' | 'pipeline_failed' | 'risk' | 'undeliverable' | 'clinic_pack';

export interface ComposedMessage extends RenderedMessage {
  kind: MessageKind;
  to: { address: string; name: string };
  /** The tells it carries. */
  tells: readonly Tell[];
}

/**
 * Sent at once, whatever the sending hours: a pipeline's failure holds back values people act on,
 * and a risk that crossed the tolerance line is past what the council will accept. The rest
 * waits for the hours.
 */
const URGENT_KINDS: ReadonlySet<MessageKind> = new Set<MessageKind>(['pipeline_failed', 'risk']);

export function isUrgent(kind: MessageKind): boolean {
  return URGENT_KINDS.has(kind);
}

export interface ComposeContext {
  calendar: FinancialCalendar;
  links: Links;
  /** When the cycle ran, for the words of the introduction. */
  day: string;
}

/**
 * One message per recipient address for a cycle: a digest of every tell, and in a message of
 * its own, sent at once, each pipeline failure that is new, changed or still open, and each risk
 * that is new or changed (it crossed the tolerance line, or moved to another cell above it); a
 * risk's reminders and its resolution wait in the digest.
 */
export function compose(tells: readonly Tell[], ctx: ComposeContext): ComposedMessage[] {
  const byAddress = new Map<string, Tell[]>();
  for (const t of tells) byAddress.set(t.recipient.address, [...(byAddress.get(t.recipient.address) ?? []), t]);
  const out: ComposedMessage[] = [];
  for (const these of byAddress.values()) {
    const to = { address: these[0]!.recipient.address, name: these[0]!.recipient.name };
    const failures = these.filter((t) => t.exception.kind === 'pipeline_failed' && t.change !== 'resolved');
    const risks = these.filter((t) => t.exception.kind === 'risk' && (t.change === 'new' || t.change === 'changed'));
    for (const t of failures) out.push({ kind: 'pipeline_failed', to, tells: [t], ...failureMessage(t, ctx) });
    for (const t of risks) out.push({ kind: 'risk', to, tells: [t], ...riskMessage(t, ctx) });
    const digest = these.filter((t) => !failures.includes(t) && !risks.includes(t));
    if (digest.length) out.push({ kind: 'digest', to, tells: digest, ...digestMessage(to, digest, ctx) });
  }
  // Written first, so sent first.
  return [...out.filter((m) => isUrgent(m.kind)), ...out.filter((m) => !isUrgent(m.kind))];
}

function failureMessage(t: Tell, ctx: ComposeContext): RenderedMessage {
  const prefix = t.change === 'still_open' ? 'Still failing' : 'Pipeline failed';
  const subject = `${prefix}: ${t.exception.subject.pipeline ?? t.exception.title}${periodPart([t], ctx.calendar)}`.replace(/\s+/g, ' ');
  return renderSections(t.exception.title, `lineofsight could not complete a run on ${ctx.day}. Until it does, the values it computes may be out of date.`, subject, [t], ctx.links);
}

/** "Risk above the tolerance line: BUD-R1 General fund overspend (B/I)". */
function riskMessage(t: Tell, ctx: ComposeContext): RenderedMessage {
  const e = t.exception;
  // The title says the line and the cell in a sentence; the subject gives them their own places.
  const risk = e.title.replace(/^Risk /, '').replace(/ is above the tolerance line at \S+$/, '');
  const [prefix, intro] =
    t.change === 'new'
      ? ['Risk above the tolerance line', `lineofsight's assessment of ${ctx.day} puts this risk above the tolerance line. It is sent at once, not kept for the next digest.`]
      : ['Risk moved, still above the tolerance line', `lineofsight's assessment of ${ctx.day} moves this risk to another cell above the tolerance line. It is sent at once, not kept for the next digest.`];
  return renderSections(e.title, intro, `${prefix}: ${risk} (${e.state})`.replace(/\s+/g, ' '), [t], ctx.links);
}

function digestMessage(to: Recipient, tells: readonly Tell[], ctx: ComposeContext): RenderedMessage {
  const heading = `Exception report for ${to.name}`;
  const forOthers = [...new Set(tells.flatMap((t) => (t.recipient.onBehalfOf ? [t.recipient.onBehalfOf] : [])))];
  const intro =
    `What changed in lineofsight's run of ${ctx.day}: each exception is New, Changed, Still open (a reminder) or Resolved.` +
    (forOthers.length ? ` Some are for ${forOthers.join(', ')}, who ${forOthers.length === 1 ? 'has' : 'have'} no email address in the people directory.` : '');
  return renderSections(heading, intro, subjectOf(tells, ctx.calendar), tells, ctx.links);
}

/** "3 red, 1 amber: Housing Repairs - May 2024": what is open first, then what is resolved, the services, the newest period. */
export function subjectOf(tells: readonly Tell[], calendar: FinancialCalendar): string {
  const open = tells.filter((t) => t.change !== 'resolved');
  const counts: string[] = [];
  const red = open.filter((t) => t.exception.kind === 'rag' && isRed(t.exception)).length;
  const amber = open.filter((t) => t.exception.kind === 'rag' && !isRed(t.exception)).length;
  if (red) counts.push(`${red} red`);
  if (amber) counts.push(`${amber} amber`);
  for (const kind of Object.keys(KIND_WORDS) as ExceptionKind[]) {
    if (kind === 'rag') continue;
    const n = open.filter((t) => t.exception.kind === kind).length;
    if (n) counts.push(`${n} ${n === 1 ? KIND_WORDS[kind].one : KIND_WORDS[kind].many}`);
  }
  const resolved = tells.length - open.length;
  if (resolved) counts.push(`${resolved} resolved`);
  const services = [...new Set(tells.flatMap((t) => t.exception.subject.services))];
  // A risk belongs to a clinic rather than a service.
  const clinics = [...new Set(tells.flatMap((t) => (t.exception.subject.services.length ? [] : t.exception.subject.clinics)))];
  const named = [...services, ...clinics.map((c) => `${c} clinic`)];
  const about = named.length === 0 ? 'lineofsight' : named.length <= 3 ? named.join(", ") : `${named.length} services and clinics`;
  // A header is one line, whatever a title configured or read from data holds.
  return `${counts.join(', ')}: ${about}${periodPart(tells, calendar)}`.replace(/\s+/g, ' ');
}

/** " - May 2024": the newest period the tells stand at, if any does. */
function periodPart(tells: readonly Tell[], calendar: FinancialCalendar): string {
  const periods = tells.flatMap((t) => (t.exception.subject.period ? [calendar.parse(t.exception.subject.period)] : []));
  if (!periods.length) return '';
  const newest = periods.reduce((a, b) => (b.end > a.end || (b.end === a.end && b.start > a.start) ? b : a));
  return ` - ${periodInWords(calendar, newest.id)}`;
}
