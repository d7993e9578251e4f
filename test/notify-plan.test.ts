import { describe, expect, it } from 'vitest';
import { FinancialCalendar } from '../src/calendar/periods.js';
import type { ExceptionKind, RaisedException } from '../src/exceptions/exception.js';
import type { Recipient } from '../src/exceptions/route.js';
import { compose, subjectOf } from '../src/notify/compose.js';
import { reconcile, RESOLVED, tellings, type Acknowledgement, type Change, type CurrentException, type OpenException, type Tell, type Told } from '../src/notify/plan.js';
import { escapeHtml, renderSections } from '../src/notify/render.js';

const DAY = 86_400_000;
const T0 = Date.parse('2024-06-10T07:00:00Z');
const at = (days: number) => new Date(T0 + days * DAY);
const jo: Recipient = { address: 'jo@example.gov.uk', name: 'Jo' };

function raised(state: string, o: Partial<RaisedException> = {}): RaisedException {
  return { key: 'rag:HR01', kind: 'rag', severity: 'error', state, title: `HR01 is ${state}`, subject: { indicator: 'HR01', services: ['Housing Repairs'], clinics: [], period: '2024-05' }, rag: state, facts: [], explanation: 'why', owners: ['jo'], ...o };
}

const told = (state: string, days: number, reminders = 0): Told => ({ exceptionId: 1, recipient: jo.address, name: 'Jo', state, at: at(days).toISOString(), reminders });

function tell(current: RaisedException, last: Told | undefined, now: number, ack: Acknowledgement | null = null): { change?: Change; reminders?: number } {
  const c: CurrentException = { id: 1, raised: current, openedAt: at(0).toISOString(), acknowledgement: ack };
  const log = new Map(last ? [[`1\n${jo.address}`, last]] : []);
  const r = tellings([c], [], log, { now: at(now), today: at(now).toISOString().slice(0, 10), reminders: [DAY, 7 * DAY], recipientsOf: () => [jo] });
  return { change: r.tells[0]?.change, reminders: r.told[0]?.reminders };
}

describe('what the notification log tells a recipient', () => {
  it.each<[string, RaisedException, Told | undefined, number, { change?: Change; reminders?: number }]>([
    ['never told: New', raised('RED'), undefined, 0, { change: 'new', reminders: 0 }],
    ['told it resolved, and back: New', raised('RED'), told(RESOLVED, 0), 3, { change: 'new', reminders: 0 }],
    ['told AMBER, now RED: Changed', raised('RED'), told('AMBER', 0), 0, { change: 'changed', reminders: 0 }],
    ['told RED, RED again the same day: nothing', raised('RED'), told('RED', 0), 0.5, {}],
    ['told RED a day ago: the first reminder, Still open', raised('RED'), told('RED', 0), 1, { change: 'still_open', reminders: 1 }],
    ['reminded a day ago: the next is weekly, so nothing', raised('RED'), told('RED', 1, 1), 2, {}],
    ['reminded a week ago: Still open', raised('RED'), told('RED', 1, 1), 8, { change: 'still_open', reminders: 2 }],
    ['the last interval repeats', raised('RED'), told('RED', 8, 2), 15, { change: 'still_open', reminders: 3 }],
    ['a held exception: nothing at all', raised('RED', { held: true }), undefined, 0, {}],
    ['one acknowledged where it is kept: no reminder', raised('open', { quiet: true }), told('open', 0), 9, {}],
    ['one acknowledged where it is kept is still told when new', raised('open', { quiet: true }), undefined, 0, { change: 'new', reminders: 0 }],
  ])('%s', (_, current, last, now, expected) => {
    expect(tell(current, last, now)).toEqual(expected);
  });

  it('is quiet while acknowledged, until the day given passes or the exception changes', () => {
    const ack = (until: string | null, state = 'RED'): Acknowledgement => ({ at: at(0).toISOString(), note: 'contractor engaged', until, state });
    expect(tell(raised('RED'), told('RED', 0), 9, ack(null))).toEqual({});
    expect(tell(raised('RED'), told('RED', 0), 9, ack('2024-06-19'))).toEqual({});
    expect(tell(raised('RED'), told('RED', 0), 10, ack('2024-06-19'))).toEqual({ change: 'still_open', reminders: 1 });
    // Acknowledged as AMBER, now RED: the change is told whatever the acknowledgement.
    expect(tell(raised('RED'), told('AMBER', 0), 1, ack(null, 'AMBER'))).toEqual({ change: 'changed', reminders: 0 });
  });

  it('tells a resolution once, to each recipient told it was open, and never again', () => {
    const open: OpenException = { id: 1, key: 'rag:HR01', state: 'RED', raised: raised('RED'), openedAt: at(0).toISOString(), changedAt: at(0).toISOString(), acknowledgement: null };
    const team: Told = { ...told('RED', 0), recipient: 'team@example.gov.uk for Nia', name: 'Performance Team' };
    const rules = { now: at(2), today: '2024-06-12', reminders: [DAY], recipientsOf: () => [] };
    const first = tellings([], [open], new Map([[`1\n${jo.address}`, told('RED', 0)], [`1\n${team.recipient}`, team]]), rules);
    expect(first.tells.map((t) => [t.recipient.address, t.recipient.onBehalfOf, t.change])).toEqual([
      [jo.address, undefined, 'resolved'],
      ['team@example.gov.uk', 'Nia', 'resolved'],
    ]);
    expect(first.told.map((t) => t.state)).toEqual([RESOLVED, RESOLVED]);
    const again = tellings([], [open], new Map(first.told.map((t) => [`1\n${t.recipient}`, t])), rules);
    expect(again.tells).toEqual([]);
  });
});

describe('setting a cycle against what is open', () => {
  const open = (key: string, state: string, id = 1): OpenException => ({ id, key, state, raised: raised(state, { key }), openedAt: '', changedAt: '', acknowledgement: null });

  it('opens the new, keeps the raised (changed or refreshed), resolves the rest, but not the unsettled or the held', () => {
    const r = reconcile(
      {
        exceptions: [raised('RED', { key: 'a' }), raised('AMBER', { key: 'b' }), raised('RED', { key: 'c', explanation: 'new words' }), raised('RED', { key: 'h', held: true }), raised('RED', { key: 'n', held: true })],
        unsettled: new Set(['u']),
      },
      [open('b', 'RED', 2), open('c', 'RED', 3), open('gone', 'RED', 4), open('u', 'RED', 5), open('h', 'RED', 6)],
    );
    expect(r.opened.map((e) => e.key)).toEqual(['a']);
    expect(r.kept.map((k) => [k.open.key, k.changed, k.refreshed])).toEqual([
      ['b', true, true],
      ['c', false, true],
      ['h', false, false],
      ['u', false, false],
    ]);
    expect(r.resolved.map((o) => o.key)).toEqual(['gone']);
  });

  it('holds an open exception that is now held as it was, so that no reminder of it is sent either', () => {
    const r = reconcile({ exceptions: [raised('RED', { key: 'h', held: true, unvalidated: 'its pipeline failed' })], unsettled: new Set() }, [open('h', 'RED', 6)]);
    const [kept] = r.kept;
    expect(kept).toMatchObject({ changed: false, refreshed: false, raised: { key: 'h', held: true } });
    const c: CurrentException = { id: 6, raised: kept!.raised, openedAt: at(0).toISOString(), acknowledgement: null };
    const reminderDue = tellings([c], [], new Map([[`6\n${jo.address}`, { ...told('RED', 0), exceptionId: 6 }]]), { now: at(30), today: '2024-07-10', reminders: [DAY], recipientsOf: () => [jo] });
    expect(reminderDue.tells).toEqual([]);
  });
});

describe('messages', () => {
  const calendar = new FinancialCalendar(4);
  const t = (kind: ExceptionKind, state: string, change: Change, o: Partial<RaisedException> = {}): Tell => ({
    exceptionId: 1,
    exception: raised(state, { kind, key: `${kind}:${state}`, ...o }),
    recipient: jo,
    change,
    openedAt: at(0).toISOString(),
  });

  it.each<[string, Tell[], string]>([
    ['counts red and amber, names the service and the period', [t('rag', 'RED', 'new'), t('rag', 'RED_AMBER', 'changed'), t('rag', 'RED', 'still_open'), t('rag', 'AMBER', 'new')], '3 red, 1 amber: Housing Repairs - May 2024'],
    ['then the other kinds, then what is resolved', [t('rag', 'RED', 'new'), t('data_quality', 'open', 'new'), t('rag', 'AMBER', 'resolved')], '1 red, 1 data-quality failure, 1 resolved: Housing Repairs - May 2024'],
    ['the newest period of several', [t('rag', 'RED', 'new', { subject: { services: ['Waste'], clinics: [], period: '2024-25-Q1' } }), t('rag', 'AMBER', 'new')], '1 red, 1 amber: Waste, Housing Repairs - Q1 2024-25'],
    ['a risk names its clinic', [t('risk', 'B/II', 'new', { subject: { services: [], clinics: ['Resources'] } })], '1 risk above the line: Resources clinic'],
    ['is one line whatever a service is called', [t('rag', 'RED', 'new', { subject: { services: ['Repairs\r\nBcc: x@example.com'], clinics: [] } })], '1 red: Repairs Bcc: x@example.com'],
  ])('a subject line %s', (_, tells, subject) => {
    expect(subjectOf(tells, calendar)).toBe(subject);
  });

  it('is one digest per recipient, with a pipeline failure sent on its own', () => {
    const failed = t('pipeline_failed', 'failed', 'new', { subject: { pipeline: 'repairs', services: ['Housing Repairs'], clinics: [], period: '2024-05' } });
    const other: Tell = { ...t('rag', 'RED', 'new'), recipient: { address: 'sam@example.gov.uk', name: 'Sam' } };
    const messages = compose([t('rag', 'RED', 'new'), failed, t('rag', 'AMBER', 'still_open'), other], { calendar, links: {}, day: '10 June 2024' });
    expect(messages.map((m) => [m.kind, m.to.address, m.tells.length])).toEqual([
      ['pipeline_failed', jo.address, 1],
      ['digest', jo.address, 2],
      ['digest', 'sam@example.gov.uk', 1],
    ]);
    expect(messages[0]!.subject).toBe('Pipeline failed: repairs - May 2024');
  });

  it('escapes every value in the HTML, shows RAG as a word, and keeps the text part plain', () => {
    const nasty = `<script>alert("x")</script> & 'quoted'`;
    const e = t('rag', 'RED', 'new', { title: nasty, explanation: nasty, facts: [{ label: 'Value<b>', value: nasty }] });
    const m = renderSections(`Report for ${nasty}`, nasty, 'subject', [e], { grafana: 'https://grafana.example.gov.uk/', api: 'https://api.example.gov.uk' });
    expect(m.html).not.toContain('<script>');
    expect(m.html).not.toContain('<b>');
    expect(m.html).toContain(escapeHtml(nasty));
    expect(m.html).toMatch(/>RED</);
    expect(m.html).toContain('href="https://grafana.example.gov.uk/d/lineofsight-indicator?var-indicator=HR01"');
    expect(m.html).toContain('href="https://api.example.gov.uk/api/values/HR01"');
    expect(m.text).toContain(`[RED] ${nasty}`);
    expect(m.text).toContain(`Value<b>: ${nasty}`);
    expect(m.text).toContain('New (1)');
  });
});
