import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverOutbox } from '../src/app/deliver.js';
import { withService, type OpenService } from '../src/app/open.js';
import { runCycle } from '../src/app/runCycle.js';
import { loadService } from '../src/app/service.js';
import { silentLogger } from '../src/logger.js';
import type { MessageKind } from '../src/notify/compose.js';
import { newMessageId } from '../src/notify/outbox.js';
import { contactCentrePipeline } from './helpers/contactCentre.js';
import { LoopbackSmtp } from './helpers/smtp.js';
import { workspace } from './helpers/workspace.js';

const FROM = 'Performance <performance@example.gov.uk>';
const SAM = 'sam@example.gov.uk';
const TEAM = 'team@example.gov.uk';

/** Saturday 28 March 2026, 10:00 GMT: the clocks go forward at 01:00 UTC tomorrow. */
const SATURDAY = Date.parse('2026-03-28T10:00:00Z');
/** Friday 27 March 2026, 17:59 GMT: a minute before the hours close for the weekend. */
const FRIDAY_1759 = Date.parse('2026-03-27T17:59:00Z');
/** Monday 30 March 2026, 08:00 BST: the next opening after either. */
const MONDAY_OPENING = Date.parse('2026-03-30T07:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const at = (ms: number) => () => new Date(ms);

const PEOPLE = `
performance_team: { name: Performance Team, email: ${TEAM} }
people:
  - { id: sam, name: Sam Owner, email: ${SAM} }
services:
  Contact centre: { manager: sam }
`;

/** One risk, recorded by its owner above the tolerance line (B/I scores 20, the line 12). */
const RISKS = `tolerance_line: { score: 12 }
risks:
  - id: BUD-R1
    title: General fund overspend
    owner: sam
    clinic: Resources
    inherent: { likelihood: B, impact: I }
    current: { likelihood: B, impact: I }
    indicators: [CS1]
`;

const BROKEN = contactCentrePipeline({ title: 'Broken calls', owner: 'sam' }).replace('id: calls', 'id: broken').replace('id: CS1', 'id: BR1').replace('FROM monthly WHERE', 'FROM missing_table WHERE');

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const undo of cleanups.splice(0).reverse()) await undo();
});

async function smtpServer(): Promise<LoopbackSmtp> {
  const smtp = await LoopbackSmtp.start();
  cleanups.push(() => smtp.close());
  return smtp;
}

/**
 * A contact centre whose February 2026 answered share (70% against 80) is RED, with weekday
 * sending hours 08:00 to 18:00 in London and mail to the loopback SMTP server; with `urgent`, a
 * pipeline that fails and a risk above the tolerance line besides.
 */
async function council(smtp: LoopbackSmtp, o: { urgent: boolean }) {
  const ws = workspace({
    'lineofsight.yaml': [
      'timezone: Europe/London',
      'pipelines_dir: {{dir}}/pipelines',
      ...(o.urgent ? ['risks_file: {{dir}}/risks.yaml'] : []),
      'store: { client: sqlite, filename: {{dir}}/store.sqlite }',
      'sources:\n  db: { client: sqlite, connection: {{dir}}/calls.sqlite }',
      'people_file: {{dir}}/people.yaml',
      'email:',
      `  from: "${FROM}"`,
      '  transport: smtp',
      `  smtp: ${JSON.stringify(smtp.smtpConfig())}`,
      '  sending_hours: { days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00" }',
      '  outbox: { retry_after: 1m, retry_max: 3m, give_up_after: 4d, claim_timeout: 1h }',
      '',
    ].join('\n'),
    'people.yaml': PEOPLE,
    'risks.yaml': RISKS,
    'pipelines/calls.yaml': contactCentrePipeline({ title: 'Calls answered', owner: 'sam' }),
    ...(o.urgent ? { 'pipelines/broken.yaml': BROKEN } : {}),
  });
  const db = new Database(ws.file('calls.sqlite'));
  db.exec('CREATE TABLE monthly (day TEXT, answered REAL, offered REAL)');
  for (const [day, percent] of [['2026-01-31', 85], ['2026-02-28', 70]] as const) db.prepare('INSERT INTO monthly VALUES (?, ?, 1000)').run(day, percent * 10);
  db.close();
  return loadService(ws.config, {});
}

/** Runs `work` on the council's service opened, with its loopback SMTP server. */
async function withCouncil(o: { urgent: boolean }, work: (open: OpenService, smtp: LoopbackSmtp) => Promise<void>): Promise<void> {
  const smtp = await smtpServer();
  await withService(await council(smtp, o), (open) => work(open, smtp), { logger: silentLogger });
}

const february = (open: OpenService, now: number) => runCycle(open, { pipelines: open.config.pipelines, choice: { period: '2026-02' }, now: at(now) });

/** The outbox as the store lists it (newest first), turned oldest first: what each message is, its state, and when it is next due. */
async function outbox(open: OpenService) {
  return (await open.store.outbox.list(undefined, 20)).reverse().map((m) => ({ kind: m.kind, to: m.to.address, state: m.state, nextAttemptAt: m.nextAttemptAt, attemptsSince: m.attemptsSince }));
}

describe('quiet hours across the spring change of the clocks', () => {
  it('a Saturday cycle sends the pipeline failure and the risk above the line at once, and holds the digest until Monday 08:00 BST', async () => {
    await withCouncil({ urgent: true }, async (open, smtp) => {
      const cycle = await february(open, SATURDAY);
      expect(cycle.exceptions.messages.map((m) => [m.kind, m.to.address, m.subject])).toEqual([
        ['risk', SAM, 'Risk above the tolerance line: BUD-R1 General fund overspend (B/I)'],
        ['pipeline_failed', TEAM, 'Pipeline failed: broken - February 2026'],
        ['digest', SAM, '1 red: Contact centre - February 2026'],
      ]);
      expect(cycle.delivered).toMatchObject({ sent: 2, retrying: 0, failed: 0 });
      // give_up_after counts from the opening: the weekend's wait is not a delay in sending.
      expect(await outbox(open)).toEqual([
        { kind: 'risk', to: SAM, state: 'sent', nextAttemptAt: iso(SATURDAY), attemptsSince: iso(SATURDAY) },
        { kind: 'pipeline_failed', to: TEAM, state: 'sent', nextAttemptAt: iso(SATURDAY), attemptsSince: iso(SATURDAY) },
        { kind: 'digest', to: SAM, state: 'pending', nextAttemptAt: iso(MONDAY_OPENING), attemptsSince: iso(MONDAY_OPENING) },
      ]);
      expect(smtp.received.map((r) => [r.rcptTo, r.mail.subject]).sort()).toEqual([
        [[SAM], 'Risk above the tolerance line: BUD-R1 General fund overspend (B/I)'],
        [[TEAM], 'Pipeline failed: broken - February 2026'],
      ]);

      // Saturday evening, Sunday at 08:00 BST (a day not in the hours), and 07:59:59 BST on Monday: nothing.
      for (const drain of [Date.parse('2026-03-28T18:00:00Z'), Date.parse('2026-03-29T07:00:00Z'), MONDAY_OPENING - 1000]) {
        expect(await deliverOutbox(open, at(drain))).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
      }
      expect(smtp.received).toHaveLength(2);

      expect(await deliverOutbox(open, at(MONDAY_OPENING))).toMatchObject({ sent: 1, retrying: 0, failed: 0 });
      expect(smtp.received.slice(2).map((r) => [r.rcptTo, r.mail.subject])).toEqual([[[SAM], '1 red: Contact centre - February 2026']]);
      expect((await outbox(open)).map((m) => m.state)).toEqual(['sent', 'sent', 'sent']);
    });
  });

  it('a digest the server turns away (451) at 17:59 on Friday is not tried again until Monday 08:00 BST', async () => {
    await withCouncil({ urgent: false }, async (open, smtp) => {
      smtp.replyNext(451, 1);
      const cycle = await february(open, FRIDAY_1759);
      expect(cycle.exceptions.messages.map((m) => m.kind)).toEqual(['digest']);
      expect(cycle.delivered).toMatchObject({ sent: 0, retrying: 1, failed: 0 });
      expect(smtp.refused).toEqual([{ code: 451, stage: 'data' }]);
      // Written in the hours, so due at once; its retry, a minute on, would fall after 18:00.
      const [entry] = await open.store.outbox.list(undefined, 20);
      // The weekend's wait is not counted toward give_up_after: its attempts count as from a minute before the opening.
      expect(entry).toMatchObject({ kind: 'digest', state: 'pending', attempts: 1, nextAttemptAt: iso(MONDAY_OPENING), attemptsSince: iso(MONDAY_OPENING - 60_000) });
      expect(entry!.lastError).toMatch(/\b451\b/);

      for (const drain of [FRIDAY_1759 + 60_000, Date.parse('2026-03-28T12:00:00Z'), MONDAY_OPENING - 1000]) {
        expect(await deliverOutbox(open, at(drain))).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
      }
      expect(smtp.received).toEqual([]);
      expect(await deliverOutbox(open, at(MONDAY_OPENING))).toMatchObject({ sent: 1, retrying: 0, failed: 0 });
      expect(smtp.received.map((r) => r.mail.messageId)).toEqual([entry!.messageId]);
      expect(await open.store.outbox.entry(entry!.id)).toMatchObject({ state: 'sent', attempts: 2, sentAt: iso(MONDAY_OPENING) });
    });
  });

  it.each([
    { kind: 'digest', when: 'Monday 08:00 BST', next: MONDAY_OPENING },
    { kind: 'undeliverable', when: 'Monday 08:00 BST', next: MONDAY_OPENING },
    { kind: 'pipeline_failed', when: '18:00, after the minute of backoff', next: FRIDAY_1759 + 60_000 },
    { kind: 'risk', when: '18:00, after the minute of backoff', next: FRIDAY_1759 + 60_000 },
  ] as { kind: MessageKind; when: string; next: number }[])('a $kind turned away (451) at 17:59 on Friday is tried again at $when', async ({ kind, next }) => {
    await withCouncil({ urgent: false }, async (open, smtp) => {
      const [id] = await open.store.outbox.write([{ kind, to: { address: SAM, name: 'Sam Owner' }, from: FROM, messageId: newMessageId(FROM), subject: `A ${kind}`, text: kind, html: `<p>${kind}</p>` }], new Date(FRIDAY_1759));
      smtp.replyNext(451, 1);
      expect(await deliverOutbox(open, at(FRIDAY_1759))).toMatchObject({ sent: 0, retrying: 1, failed: 0 });
      expect(await open.store.outbox.entry(id!)).toMatchObject({ state: 'pending', nextAttemptAt: iso(next) });
      expect(await deliverOutbox(open, at(next - 1000))).toMatchObject({ sent: 0 });
      expect(await deliverOutbox(open, at(next))).toMatchObject({ sent: 1 });
    });
  });

  it('the report of mail that failed for good on a Saturday waits for Monday 08:00 BST', async () => {
    await withCouncil({ urgent: false }, async (open, smtp) => {
      const [id] = await open.store.outbox.write([{ kind: 'pipeline_failed', to: { address: SAM, name: 'Sam Owner' }, from: FROM, messageId: newMessageId(FROM), subject: 'Pipeline failed: calls', text: 'failed', html: '<p>failed</p>' }], new Date(SATURDAY));
      smtp.replyNext(550, 1, 'rcpt');
      expect(await deliverOutbox(open, at(SATURDAY))).toMatchObject({ sent: 0, retrying: 0, failed: 1 });
      expect((await outbox(open)).filter((m) => m.kind === 'undeliverable')).toEqual([
        { kind: 'undeliverable', to: TEAM, state: 'pending', nextAttemptAt: iso(MONDAY_OPENING), attemptsSince: iso(MONDAY_OPENING) },
      ]);
      expect(await open.store.outbox.entry(id!)).toMatchObject({ state: 'failed' });
      expect(await deliverOutbox(open, at(MONDAY_OPENING - 1000))).toMatchObject({ sent: 0 });
      expect(await deliverOutbox(open, at(MONDAY_OPENING))).toMatchObject({ sent: 1 });
      expect(smtp.received.map((r) => [r.rcptTo, r.mail.subject])).toEqual([[[TEAM], 'Email not delivered: Pipeline failed: calls']]);
    });
  });
});
