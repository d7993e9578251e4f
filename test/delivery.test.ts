import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { pino, type Logger } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deliverOutbox, retryMessage } from '../src/app/deliver.js';
import type { OpenService } from '../src/app/open.js';
import { withService } from '../src/app/open.js';
import { runCycle } from '../src/app/runCycle.js';
import { loadService, type Service } from '../src/app/service.js';
import { silentLogger } from '../src/logger.js';
import { courierFor } from '../src/notify/courier.js';
import { newMessageId, type NewMessage } from '../src/notify/outbox.js';
import { escapeHtml } from '../src/notify/render.js';
import { Store } from '../src/store/store.js';
import { buildCli } from './helpers/build.js';
import { contactCentrePipeline } from './helpers/contactCentre.js';
import { freshPostgres } from './helpers/databases.js';
import { LoopbackSmtp, until, type LoopbackSmtpOptions } from './helpers/smtp.js';
import { workspace } from './helpers/workspace.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const JULY_2ND = Date.parse('2024-07-02T07:00:00Z');

const FROM = 'Performance <performance@example.gov.uk>';
/** Data that HTML must escape: an indicator's title and a person's name, as configured. */
const TITLE = `Calls <script>alert("x")</script> & 'co'`;
const OWNER = `Siân O'Neill & Co`;

const PEOPLE = `
performance_team: { name: Performance Team, email: team@example.gov.uk }
people:
  - { id: sam, name: "${OWNER}", email: sam@example.gov.uk }
services:
  Contact centre: { manager: sam }
`;

const PIPELINE = contactCentrePipeline({ title: TITLE, owner: 'sam' });

type Client = 'sqlite' | 'pg';
const STORES: Client[] = ['sqlite', 'pg'];

/** Undone after each test, last first: servers, stores, children, files. */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const undo of cleanups.splice(0).reverse()) await undo();
});

beforeAll(buildCli);

async function smtpServer(options: LoopbackSmtpOptions = {}): Promise<LoopbackSmtp> {
  const smtp = await LoopbackSmtp.start(options);
  cleanups.push(() => smtp.close());
  return smtp;
}

let databases = 0;

interface CouncilOptions {
  client?: Client;
  smtp?: LoopbackSmtp;
  /** Over what smtpConfig() gives. */
  smtpExtra?: Record<string, string | number>;
  transport?: 'smtp' | 'files';
  env?: NodeJS.ProcessEnv;
}

/**
 * A contact centre whose June answered share (70% against 80, tolerance 5) is RED, with a
 * people directory, its store on SQLite or a fresh PostgreSQL database, and its email sent to
 * the loopback server (or written as .eml files): the service as a user configures it.
 */
async function council(o: CouncilOptions = {}) {
  const store = o.client === 'pg' ? `store: { client: pg, connection: "${await freshPostgres(`lineofsight_delivery_${process.pid}_${++databases}`)}" }` : 'store: { client: sqlite, filename: {{dir}}/store.sqlite }';
  const transport = o.transport ?? 'smtp';
  const ws = workspace({
    'lineofsight.yaml': [
      'pipelines_dir: {{dir}}/pipelines',
      store,
      'sources:\n  db: { client: sqlite, connection: {{dir}}/calls.sqlite }',
      'people_file: {{dir}}/people.yaml',
      'email:',
      `  from: "${FROM}"`,
      `  transport: ${transport}`,
      '  files_dir: {{dir}}/outbox',
      ...(o.smtp ? [`  smtp: ${JSON.stringify(o.smtp.smtpConfig(o.smtpExtra))}`] : []),
      '  outbox: { retry_after: 1m, retry_max: 3m, give_up_after: 2d, claim_timeout: 1h }',
      '',
    ].join('\n'),
    'people.yaml': PEOPLE,
    'pipelines/calls.yaml': PIPELINE,
  });
  const db = new Database(ws.file('calls.sqlite'));
  db.exec('CREATE TABLE monthly (day TEXT, answered REAL, offered REAL)');
  for (const [day, percent] of [['2024-04-30', 85], ['2024-05-31', 78], ['2024-06-30', 70]] as const) db.prepare('INSERT INTO monthly VALUES (?, ?, 1000)').run(day, percent * 10);
  db.close();
  const env = o.env ?? {};
  return { ws, env, service: await loadService(ws.config, env) };
}

type Open = Pick<OpenService, 'config' | 'directory' | 'store' | 'logger'>;

/** The service's store opened (and migrated) as a process of the service opens it. */
async function opened(service: Service, logger: Logger = silentLogger): Promise<Open> {
  const store = new Store(service.config.service.store);
  cleanups.push(() => store.close());
  await store.migrate();
  return { ...service, store, logger };
}

/** A logger whose lines are kept, parsed, for assertions on what was logged. */
function capturing(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }), lines };
}

/** A digest as the outbox is given one, with the Message-ID it keeps. */
function digest(n: number, to = 'sam@example.gov.uk'): NewMessage {
  return { kind: 'digest', to: { address: to, name: 'Sam' }, from: FROM, messageId: newMessageId(FROM), subject: `1 red: Contact centre ${n}`, text: `Digest ${n}`, html: `<p>Digest ${n}</p>` };
}

/** A moment an hour ago, on a whole second: the tests' clock starts there and moves only when told. */
function startOfClock(): number {
  return Math.floor(Date.now() / 1000) * 1000 - HOUR;
}

const at = (ms: number) => () => new Date(ms);

function addresses(a: AddressObject | AddressObject[] | undefined): { address?: string; name: string }[] {
  return (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => ({ address: v.address, name: v.name })));
}

interface Child {
  pid: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
  kill: () => void;
}

/** A node process of its own, asynchronously (the SMTP server lives in this one), killed after the test if still running. */
function node(args: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): Child {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, LINEOFSIGHT_CONFIG: undefined, LINEOFSIGHT_LOG_LEVEL: 'warn', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (status, signal) => resolve({ status, signal })));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  cleanups.push(async () => {
    kill();
    await exited;
  });
  return { pid: child.pid!, stdout: () => stdout, stderr: () => stderr, exited, kill };
}

/** The compiled CLI, as a user runs it. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Child {
  return node([path.resolve('dist/cli/main.js'), ...args], env, cwd);
}

const dist = (file: string) => pathToFileURL(path.resolve('dist', file)).href;

/** A script run with `node --input-type=module -e`, importing the compiled service. */
function script(body: string, args: string[]): Child {
  return node(['--input-type=module', '-e', body, ...args]);
}

/** Writes three digests to the outbox of the store given as JSON, prints their ids, and waits to be killed. */
const WRITE_THEN_WAIT = `
const { Store } = await import(${JSON.stringify(dist('store/store.js'))});
const { newMessageId } = await import(${JSON.stringify(dist('notify/outbox.js'))});
const store = new Store(JSON.parse(process.argv[1]));
await store.migrate();
const from = ${JSON.stringify(FROM)};
const ids = await store.outbox.write([1, 2, 3].map((n) => ({ kind: 'digest', to: { address: 'sam@example.gov.uk', name: 'Sam' }, from, messageId: newMessageId(from), subject: 'Digest ' + n, text: 'Digest ' + n, html: '<p>Digest ' + n + '</p>' })), new Date());
process.stdout.write(JSON.stringify(ids) + '\\n');
setInterval(() => undefined, 60_000);
`;

/**
 * A whole run cycle of June for the service config given, as a user's `run` but reckoning the
 * exceptions as at the test data's July (so June's RED is raised); claims are on the real clock.
 */
const RUN_JUNE = `
const { loadService } = await import(${JSON.stringify(dist('app/service.js'))});
const { withService } = await import(${JSON.stringify(dist('app/open.js'))});
const { runCycle } = await import(${JSON.stringify(dist('app/runCycle.js'))});
const { silentLogger } = await import(${JSON.stringify(dist('logger.js'))});
const service = await loadService(process.argv[1], {});
await withService(service, (open) => runCycle(open, { pipelines: open.config.pipelines, choice: { period: '2024-06' }, asOf: '2024-07-02' }), { logger: silentLogger });
`;

/** Drains the outbox of the service config given, through deliverOutbox, and prints what it did. */
const DRAIN = `
const { loadService } = await import(${JSON.stringify(dist('app/service.js'))});
const { deliverOutbox } = await import(${JSON.stringify(dist('app/deliver.js'))});
const { Store } = await import(${JSON.stringify(dist('store/store.js'))});
const { silentLogger } = await import(${JSON.stringify(dist('logger.js'))});
const service = await loadService(process.argv[1], {});
const store = new Store(service.config.service.store);
try {
  const drained = await deliverOutbox({ ...service, store, logger: silentLogger });
  process.stdout.write(JSON.stringify(drained) + '\\n');
} finally {
  await store.close();
}
`;

describe('a cycle’s message, over SMTP', () => {
  it('arrives as the outbox holds it: envelope and To, subject, text and HTML parts with the data escaped in HTML only, its date and Message-ID', async () => {
    const smtp = await smtpServer({ auth: { user: 'lineofsight', pass: 's3cret' } });
    const c = await council({ smtp, smtpExtra: { password: '${SMTP_PASSWORD}' }, env: { SMTP_PASSWORD: 's3cret' } });
    await withService(
      c.service,
      async (open) => {
        const cycle = await runCycle(open, { pipelines: open.config.pipelines, choice: { period: '2024-06' }, now: at(JULY_2ND) });
        expect(cycle.delivered).toEqual({ via: `SMTP 127.0.0.1:${smtp.port}`, sent: 1, retrying: 0, failed: 0 });
        const rows = await open.store.outbox.list(undefined, 10);
        expect(rows).toHaveLength(1);
        const row = rows[0]!;
        expect(row).toMatchObject({ state: 'sent', kind: 'digest', attempts: 1, to: { address: 'sam@example.gov.uk', name: OWNER }, subject: '1 red: Contact centre - June 2024' });

        expect(smtp.received).toHaveLength(1);
        const { mailFrom, rcptTo, mail, raw } = smtp.received[0]!;
        expect(mailFrom).toBe('performance@example.gov.uk');
        expect(rcptTo).toEqual(['sam@example.gov.uk']);
        expect(addresses(mail.to)).toEqual([{ address: 'sam@example.gov.uk', name: OWNER }]);
        expect(addresses(mail.from)).toEqual([{ address: 'performance@example.gov.uk', name: 'Performance' }]);
        expect(mail.subject).toBe(row.subject);
        expect(mail.messageId).toBe(row.messageId);
        expect(row.messageId).toMatch(/^<[0-9a-f-]{36}@example\.gov\.uk>$/);
        expect(mail.date?.toISOString()).toBe(row.createdAt);
        expect(mail.headers.get('x-lineofsight-message')).toBe('digest');

        // Both parts, as alternatives of one another.
        expect(raw.toString('utf8')).toMatch(/Content-Type: multipart\/alternative/i);
        expect(typeof mail.html).toBe('string');
        expect(mail.text).toBe(row.text);
        expect(mail.html).toBe(row.html);
        // The data as written in the text part; escaped, never markup, in the HTML part.
        expect(mail.text).toContain(TITLE);
        expect(mail.text).toContain(`Exception report for ${OWNER}`);
        const html = mail.html as string;
        expect(html).toContain(escapeHtml(TITLE));
        expect(escapeHtml(TITLE)).toBe('Calls &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;');
        expect(html).toContain(`Exception report for ${escapeHtml(OWNER)}`);
        expect(html).not.toContain('<script');
        expect(html).not.toContain(TITLE);
      },
      { logger: silentLogger },
    );
  });
});

interface Transient {
  name: string;
  fault: (s: LoopbackSmtp) => unknown;
  heal: (s: LoopbackSmtp) => unknown;
  error: RegExp;
  smtpExtra?: Record<string, string | number>;
}

const TRANSIENT: Transient[] = [
  { name: 'nothing listening, then the server up', fault: (s) => s.stop(), heal: (s) => s.start(), error: /ECONNREFUSED/ },
  { name: '421 after the data', fault: (s) => s.replyNext(421, 1000, 'data'), heal: (s) => s.clearFaults(), error: /\b421\b/ },
  { name: '450 at RCPT TO', fault: (s) => s.replyNext(450, 1000, 'rcpt'), heal: (s) => s.clearFaults(), error: /\b450\b/ },
  { name: 'a server that never greets (connect_timeout)', fault: (s) => s.holdGreeting(), heal: (s) => s.release(), error: /greeting|timeout/i, smtpExtra: { connect_timeout: '500ms' } },
];

describe.each(STORES)('delivery from a %s outbox', (client) => {
  it.each(TRANSIENT)('$name: pending with the fault, retried after a backoff that doubles up to retry_max, then delivered once', async ({ fault, heal, error, smtpExtra }) => {
    const smtp = await smtpServer();
    const c = await council({ client, smtp, smtpExtra });
    const log = capturing();
    const open = await opened(c.service, log.logger);
    const t0 = startOfClock();
    const [id] = await open.store.outbox.write([digest(1)], new Date(t0));
    const written = (await open.store.outbox.entry(id!))!;
    await fault(smtp);

    // Three attempts while the fault lasts: 1 min, then 2, then 3 (retry_max), each from the attempt.
    let clock = t0;
    for (const [attempt, wait] of [[1, MINUTE], [2, 2 * MINUTE], [3, 3 * MINUTE]] as const) {
      expect(await deliverOutbox(open, at(clock))).toEqual({ via: `SMTP 127.0.0.1:${smtp.port}`, sent: 0, retrying: 1, failed: 0 });
      const entry = (await open.store.outbox.entry(id!))!;
      expect(entry).toMatchObject({ state: 'pending', attempts: attempt, nextAttemptAt: new Date(clock + wait).toISOString(), sentAt: null, messageId: written.messageId });
      expect(entry.lastError).toMatch(error);
      clock += wait;
    }
    expect(log.lines.filter((l) => l.msg === 'email not sent now: it will be tried again').map((l) => [l.message, l.retryInSeconds])).toEqual([[id, 60], [id, 120], [id, 180]]);
    expect(smtp.received).toEqual([]);

    // Healed, but a drain before the backoff is over sends nothing.
    await heal(smtp);
    expect(await deliverOutbox(open, at(clock - 1000))).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
    expect(smtp.received).toEqual([]);
    expect((await open.store.outbox.entry(id!))!.state).toBe('pending');

    expect(await deliverOutbox(open, at(clock))).toMatchObject({ sent: 1, retrying: 0, failed: 0 });
    expect(await deliverOutbox(open, at(clock + DAY))).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
    expect(smtp.messageIds()).toEqual([written.messageId]);
    expect(smtp.received[0]!.rcptTo).toEqual(['sam@example.gov.uk']);
    expect(await open.store.outbox.entry(id!)).toMatchObject({ state: 'sent', attempts: 4, sentAt: new Date(clock).toISOString() });
  });

  it.each(['rcpt', 'data'] as const)('a 550 at %s fails the message for good: logged, counted, reported to the performance team, never retried by a drain; outbox retry <id> sends it', async (stage) => {
    const smtp = await smtpServer();
    const c = await council({ client, smtp });
    const log = capturing();
    const open = await opened(c.service, log.logger);
    const t0 = startOfClock();
    const [id] = await open.store.outbox.write([digest(1)], new Date(t0));
    const original = (await open.store.outbox.entry(id!))!;
    smtp.replyNext(550, 1, stage);

    // The report is written with the failure and sent in the same drain.
    expect(await deliverOutbox(open, at(t0))).toMatchObject({ sent: 1, retrying: 0, failed: 1 });
    const failed = (await open.store.outbox.entry(id!))!;
    expect(failed).toMatchObject({ state: 'failed', attempts: 1, sentAt: null });
    expect(failed.lastError).toMatch(/\b550\b.*Mailbox unavailable/);
    expect(log.lines.filter((l) => l.level === 50).map((l) => [l.msg, l.message, l.messageId, l.to])).toEqual([['email failed: it will not be sent', id, original.messageId, 'sam@example.gov.uk']]);
    expect(Object.fromEntries(await open.store.outbox.counts())).toEqual({ failed: 1, sent: 1 });

    const [report] = (await open.store.outbox.list(undefined, 10)).filter((m) => m.id !== id);
    expect(report).toMatchObject({ kind: 'undeliverable', state: 'sent', to: { address: 'team@example.gov.uk', name: 'Performance Team' }, subject: `Email not delivered: ${original.subject}` });
    expect(report!.messageId).not.toBe(original.messageId);
    expect(smtp.received).toHaveLength(1);
    const { rcptTo, mail } = smtp.received[0]!;
    expect(rcptTo).toEqual(['team@example.gov.uk']);
    expect(mail.messageId).toBe(report!.messageId);
    expect(mail.subject).toBe(`Email not delivered: ${original.subject}`);
    for (const said of ['To: Sam <sam@example.gov.uk>', `Message-ID: ${original.messageId}`, `Outbox: message ${id}: lineofsight outbox retry ${id} sends it again`]) expect(mail.text).toContain(said);
    expect(mail.text).toMatch(/Why: .*550/);
    expect(mail.html).toContain(escapeHtml(original.messageId));

    // Failed stays failed, whatever later drains there are.
    expect(await deliverOutbox(open, at(t0 + DAY))).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);

    const retried = cli(['outbox', 'retry', String(id), '--config', c.ws.config], c.env);
    expect(await retried.exited, retried.stderr()).toEqual({ status: 0, signal: null });
    expect(retried.stdout()).toBe(`message ${id} retried: sent; 1 sent, 0 to retry, 0 failed\n`);
    expect(smtp.messageIds()).toEqual([report!.messageId, original.messageId]);
    expect(smtp.received[1]!.rcptTo).toEqual(['sam@example.gov.uk']);
    expect(await open.store.outbox.entry(id!)).toMatchObject({ state: 'sent', attempts: 1 });

    // Only a failed message is retried: a sent one is not sent again.
    const again = cli(['outbox', 'retry', String(id), '--config', c.ws.config], c.env);
    expect((await again.exited).status).toBe(1);
    expect(again.stderr()).toContain(`message ${id} is sent, not failed`);
    expect(smtp.received).toHaveLength(2);
  });

  it('a report that cannot be delivered either is failed, and not itself reported: no loop; retryMessage sends it later', async () => {
    const smtp = await smtpServer();
    const c = await council({ client, smtp });
    const open = await opened(c.service);
    const t0 = startOfClock();
    const [id] = await open.store.outbox.write([digest(1)], new Date(t0));
    smtp.replyNext(550, 2, 'rcpt');

    expect(await deliverOutbox(open, at(t0))).toMatchObject({ sent: 0, retrying: 0, failed: 2 });
    const rows = await open.store.outbox.list(undefined, 10);
    expect(rows.map((m) => [m.id === id ? 'original' : m.kind, m.state, m.to.address])).toEqual([
      ['undeliverable', 'failed', 'team@example.gov.uk'],
      ['original', 'failed', 'sam@example.gov.uk'],
    ]);
    expect(await deliverOutbox(open, at(t0 + DAY))).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
    expect(await open.store.outbox.list(undefined, 10)).toHaveLength(2);
    expect(smtp.received).toEqual([]);

    const report = rows[0]!;
    const { entry, delivered } = await retryMessage(open, report.id, new Date());
    expect(entry).toMatchObject({ id: report.id, state: 'pending', attempts: 0 });
    expect(delivered).toMatchObject({ sent: 1, retrying: 0, failed: 0 });
    expect(smtp.messageIds()).toEqual([report.messageId]);
    expect(smtp.received[0]!.rcptTo).toEqual(['team@example.gov.uk']);
    expect(await open.store.outbox.entry(report.id)).toMatchObject({ state: 'sent' });
    expect(await open.store.outbox.entry(id!)).toMatchObject({ state: 'failed' });
    await expect(retryMessage(open, report.id, new Date())).rejects.toThrow(`message ${report.id} is sent, not failed`);
  });

  it('a run killed (SIGKILL) mid-send leaves its message sending: a restarted drainer leaves it while the claim holds, and sends it once after', async () => {
    const smtp = await smtpServer();
    smtp.holdGreeting();
    const c = await council({ client, smtp });
    const run = script(RUN_JUNE, [c.ws.config]);
    await until(() => smtp.connections >= 1, `the run to connect to the SMTP server (stderr: ${run.stderr()})`);
    run.kill();
    expect(await run.exited).toEqual({ status: null, signal: 'SIGKILL' });
    smtp.release();

    const open = await opened(c.service);
    const rows = await open.store.outbox.list(undefined, 10);
    expect(rows.map((m) => [m.kind, m.state, m.attempts, m.sentAt])).toEqual([['digest', 'sending', 1, null]]);
    const row = rows[0]!;

    // The claim (claim_timeout 1 h) is the killed process's until it runs out.
    expect(await deliverOutbox(open)).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
    expect((await open.store.outbox.entry(row.id))!.state).toBe('sending');
    const later = () => new Date(Date.now() + HOUR + 1000);
    expect(await deliverOutbox(open, later)).toMatchObject({ sent: 1, retrying: 0, failed: 0 });
    expect(await deliverOutbox(open, later)).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
    expect(smtp.messageIds()).toEqual([row.messageId]);
    expect(smtp.received[0]!.rcptTo).toEqual(['sam@example.gov.uk']);
    expect(await open.store.outbox.entry(row.id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('a process killed (SIGKILL) after writing to the outbox and before sending: a restart delivers each message once', async () => {
    const smtp = await smtpServer();
    const c = await council({ client, smtp });
    const writer = script(WRITE_THEN_WAIT, [JSON.stringify(c.service.config.service.store)]);
    await until(() => writer.stdout().includes('\n'), `the writer to write (stderr: ${writer.stderr()})`);
    const ids = JSON.parse(writer.stdout()) as number[];
    writer.kill();
    expect(await writer.exited).toEqual({ status: null, signal: 'SIGKILL' });
    expect(smtp.connections).toBe(0);

    const open = await opened(c.service);
    const rows = await open.store.outbox.list(undefined, 10);
    expect(rows.map((m) => [m.id, m.state, m.attempts]).sort()).toEqual(ids.map((id) => [id, 'pending', 0]));
    expect(await deliverOutbox(open)).toMatchObject({ sent: 3, retrying: 0, failed: 0 });
    expect(await deliverOutbox(open)).toMatchObject({ sent: 0, retrying: 0, failed: 0 });
    expect([...smtp.timesReceived()].sort()).toEqual(rows.map((m) => [m.messageId, 1]).sort());
    expect((await open.store.outbox.list(undefined, 10)).map((m) => m.state)).toEqual(['sent', 'sent', 'sent']);
  });

  it('a run killed after the server had the data and before its reply: the one duplicate, sent again with the same Message-ID', async () => {
    const smtp = await smtpServer();
    smtp.holdReplies();
    const c = await council({ client, smtp });
    const run = script(RUN_JUNE, [c.ws.config]);
    await until(() => smtp.received.length >= 1, `the server to have the run's message (stderr: ${run.stderr()})`);
    run.kill();
    expect(await run.exited).toEqual({ status: null, signal: 'SIGKILL' });
    smtp.release();

    const open = await opened(c.service);
    const [row, ...others] = await open.store.outbox.list(undefined, 10);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ state: 'sending', attempts: 1 });
    expect(await deliverOutbox(open, () => new Date(Date.now() + HOUR + 1000))).toMatchObject({ sent: 1, retrying: 0, failed: 0 });
    expect(smtp.messageIds()).toEqual([row!.messageId, row!.messageId]);
    // The Date header, in whole seconds, is the message's writing both times.
    const written = new Date(Math.floor(Date.parse(row!.createdAt) / 1000) * 1000).toISOString();
    expect(smtp.received.map((r) => r.mail.date?.toISOString())).toEqual([written, written]);
    expect(await open.store.outbox.entry(row!.id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('two processes draining one outbox at once send every message exactly once', async () => {
    const smtp = await smtpServer();
    const c = await council({ client, smtp });
    const open = await opened(c.service);
    const messages = Array.from({ length: 200 }, (_, n) => digest(n));
    await open.store.outbox.write(messages, new Date());
    // Replies are held until four messages are in flight at once: more than one process's
    // three connections, so both drainers are sending before either may finish.
    smtp.holdReplies();
    const drainers = [script(DRAIN, [c.ws.config]), script(DRAIN, [c.ws.config])];
    await until(() => smtp.held.replies >= 4, `both drainers sending (stderr: ${drainers.map((d) => d.stderr()).join(' | ')})`, 60_000);
    smtp.release();
    for (const d of drainers) expect(await d.exited, d.stderr()).toEqual({ status: 0, signal: null });

    const drained = drainers.map((d) => JSON.parse(d.stdout()) as { sent: number; retrying: number; failed: number });
    expect(drained.map((d) => d.sent > 0)).toEqual([true, true]);
    expect(drained.reduce((n, d) => n + d.sent, 0)).toBe(200);
    expect(drained.map((d) => d.retrying + d.failed)).toEqual([0, 0]);
    expect(smtp.received).toHaveLength(200);
    expect([...smtp.timesReceived().values()].every((n) => n === 1)).toBe(true);
    expect(new Set(smtp.messageIds())).toEqual(new Set(messages.map((m) => m.messageId)));
    expect(Object.fromEntries(await open.store.outbox.counts())).toEqual({ sent: 200 });
  }, 120_000);
});

describe('the files courier', () => {
  it('writes one .eml a message, named by its outbox id; a second attempt after a claim ran out rewrites the same file', async () => {
    const c = await council({ transport: 'files' });
    const open = await opened(c.service);
    const dir = c.ws.file('outbox');
    const t0 = startOfClock();
    const ids = await open.store.outbox.write([digest(1), digest(2)], new Date(t0));
    const day = new Date(t0).toISOString().slice(0, 10);
    const names = ids.map((id) => `${day}-${String(id).padStart(6, '0')}-digest.eml`);

    // A process that claimed the first message and wrote its file, then died before marking it sent.
    const [claimed] = await open.store.outbox.claim('a process that died', new Date(t0), new Date(t0 + 1000), 1);
    expect(claimed!.id).toBe(ids[0]);
    const courier = courierFor(open.config.service.email, 1);
    await courier.send(claimed!);
    courier.close();
    expect(readdirSync(dir)).toEqual([names[0]]);

    expect(await deliverOutbox(open, at(t0 + 2000))).toEqual({ via: `files in ${dir}`, sent: 2, retrying: 0, failed: 0 });
    expect(await deliverOutbox(open, at(t0 + DAY))).toMatchObject({ sent: 0 });
    expect(readdirSync(dir).sort()).toEqual([...names].sort());
    for (const [i, id] of ids.entries()) {
      const entry = (await open.store.outbox.entry(id))!;
      expect(entry).toMatchObject({ state: 'sent', attempts: i === 0 ? 2 : 1 });
      const mail: ParsedMail = await simpleParser(readFileSync(path.join(dir, names[i]!)));
      expect(mail.messageId).toBe(entry.messageId);
      expect(mail.subject).toBe(entry.subject);
      expect(addresses(mail.to)).toEqual([{ address: 'sam@example.gov.uk', name: 'Sam' }]);
      expect(mail.text).toBe(entry.text);
      expect(mail.html).toBe(entry.html);
    }
  });
});
