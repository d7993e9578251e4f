import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { deliverOutbox } from '../src/app/deliver.js';
import { reckonExceptions } from '../src/app/exceptions.js';
import type { OpenService } from '../src/app/open.js';
import { dateIn } from '../src/calendar/localDate.js';
import { FinancialCalendar } from '../src/calendar/periods.js';
import type { LoadedConfig } from '../src/config/load.js';
import { readPeopleFile, type Directory } from '../src/config/people.js';
import { pipelineSchema, serviceConfigSchema } from '../src/config/schema.js';
import { silentLogger } from '../src/logger.js';
import { mailOf } from '../src/notify/courier.js';
import type { OutboxEntry } from '../src/notify/outbox.js';
import { scorecardPeriods } from '../src/report/scorecard.js';
import { Store } from '../src/store/store.js';
import { compare, median, timed, type BenchResult } from './measure.js';

const ROUNDS = 7;
const INDICATORS = 1_000;
const PER_OWNER = 5;
const PEOPLE = INDICATORS / PER_OWNER;
const PER_PIPELINE = 50;
/** Messages sent at once, as `deliverOutbox` sends them: the SMTP pool's connections. */
const CONCURRENCY = 3;

const signed = { signed_off_by: 'Cabinet', signed_off_on: '2023-03-01', rationale: 'bench' };

/** A loopback SMTP server that takes every message, reads it to the end, and counts it. */
async function loopbackServer(): Promise<{ port: number; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        received++;
        callback();
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return { port, received: () => received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * A council of 1,000 indicators in pipelines of fifty, five to each of 200 owners, every one
 * RED or AMBER at the period its scorecard stands at: 1,000 RAG exceptions, 200 recipients.
 */
export function councilOf(dir: string, port: number): LoadedConfig {
  const calendar = new FinancialCalendar(4);
  const pipelines = Array.from({ length: INDICATORS / PER_PIPELINE }, (_, p) => ({
    ...pipelineSchema.parse({
      id: `p${p}`,
      title: `Bench pipeline ${p}`,
      source: 'db',
      schedule: '0 6 * * *',
      frequency: 'monthly',
      query: 'SELECT 1 AS v',
      indicators: Array.from({ length: PER_PIPELINE }, (_, i) => {
        const n = p * PER_PIPELINE + i;
        return {
          id: `I${n}`,
          title: `Bench indicator ${n} of cases closed within the service standard`,
          unit: '%',
          type: 'value',
          value: 'v',
          polarity: 'higher_is_better',
          owner: `person${Math.floor(n / PER_OWNER)}`,
          service: `Service ${p % 20}`,
          clinic: `clinic-${p % 5}`,
          priority: 'A well-run council',
          perspective: 'customer',
          targets: [{ from: '2023-24', value: 90, ...signed }],
        };
      }),
    }),
    file: 'bench',
  }));
  const service = serviceConfigSchema.parse({
    store: { client: 'sqlite', filename: path.join(dir, 'unused.sqlite') },
    sources: { db: { client: 'sqlite', connection: 'x' } },
    exceptions: { links: { grafana: 'https://grafana.example.gov.uk', api: 'https://lineofsight.example.gov.uk' } },
    email: { from: 'lineofsight <lineofsight@example.gov.uk>', transport: 'smtp', smtp: { host: '127.0.0.1', port, security: 'none' } },
  });
  return { file: 'bench', service, calendar, pipelines, yaml: new Map(), targetOrigins: new Map() };
}

/** The people directory, written as a people file and read by the service's own reader. */
export async function directoryOf(dir: string): Promise<Directory> {
  const people = Array.from({ length: PEOPLE }, (_, k) => `  - { id: person${k}, name: Person ${k}, email: person${k}@example.gov.uk, roles: [Service manager] }`);
  const file = path.join(dir, 'people.yaml');
  writeFileSync(file, `performance_team: { name: Performance Team, email: performance@example.gov.uk }\npeople:\n${people.join('\n')}\n`);
  const { directory, problems } = await readPeopleFile(file, {});
  if (!directory || problems.length) throw new Error(`people file: ${problems.map((p) => p.message).join('; ')}`);
  return directory;
}

/**
 * A migrated store holding, for each indicator, a judged value at the period its scorecard
 * stands at (four RED and one AMBER per owner) and at the `periods - 1` before it, and nothing
 * else: no exception, no outbox row. Seeded once, straight into the file; each round copies it.
 */
export async function seededTemplate(config: LoadedConfig, file: string, today: string, periods = 1): Promise<void> {
  const store = new Store({ client: 'sqlite', filename: file });
  await store.migrate();
  await store.close();
  const { lines } = scorecardPeriods(config, {}, today);
  const db = new Database(file);
  const run = db.prepare('INSERT INTO runs (id, pipeline_id, period_id, period_start, period_end, started_at, finished_at, outcome, rows_read, rows_rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const value = db.prepare(`INSERT INTO indicator_values (indicator_id, pipeline_id, period_id, period_start, period_end, revision, value, data_quality, target, tolerance_amount, rag,
    rag_explanation, direction_previous, direction_last_year, run_id, recorded_at) VALUES (@indicator, @pipeline, @period, @start, @end, 1, @value, 'passed', 90, 4.5, @rag, @explanation, 'improving', 'no change', @run, @at)`);
  db.transaction(() => {
    const runs = new Map<string, number>();
    lines.forEach((l, n) => {
      let period = l.period;
      for (let back = 0; back < periods; back++, period = config.calendar.previous(period)) {
        const at = `${period.end}T06:00:00.000Z`;
        const key = `${l.pipelineId}/${period.id}`;
        if (!runs.has(key)) {
          runs.set(key, runs.size + 1);
          run.run(runs.size, l.pipelineId, period.id, period.start, period.end, at, at, 'succeeded', 100, 0);
        }
        const amber = (n + back) % PER_OWNER === PER_OWNER - 1;
        const v = amber ? 87.2 : 70 + ((n + back) % 13);
        const rag = amber ? 'AMBER' : 'RED';
        const explanation = amber
          ? `AMBER: ${v}% is below the target of 90% but within the tolerance of 4.5 points (85.5% or more)`
          : `RED: ${v}% is below the target of 90% by more than the tolerance of 4.5 points (under 85.5%)`;
        value.run({ indicator: l.indicator.id, pipeline: l.pipelineId, period: period.id, start: period.start, end: period.end, value: v, rag, explanation, run: runs.get(key)!, at });
      }
    });
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

async function outboxRows(store: Store): Promise<number> {
  return [...(await store.outbox.counts()).values()].reduce((a, b) => a + b, 0);
}

export async function benchExceptions(): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'los-exceptions-'));
  const server = await loopbackServer();
  const config = councilOf(dir, server.port);
  const directory = await directoryOf(dir);
  const at = new Date();
  const today = dateIn(at, config.service.timezone);
  const template = path.join(dir, 'template.sqlite');
  await seededTemplate(config, template, today);

  // A fresh store for every candidate round, and one for the warm-up and the unchanged cycles:
  // copied and opened before any timing, so a round times the reckoning and the sending only.
  let made = 0;
  const fresh = async (): Promise<Store> => {
    const file = path.join(dir, `round-${made++}.sqlite`);
    copyFileSync(template, file);
    const store = new Store({ client: 'sqlite', filename: file });
    await store.migrate();
    return store;
  };
  const openOf = (store: Store): Pick<OpenService, 'config' | 'register' | 'directory' | 'store' | 'logger'> => ({ config, register: undefined, directory, store, logger: silentLogger });
  const stores: Store[] = [];
  for (let i = 0; i < ROUNDS; i++) stores.push(await fresh());
  const first = await fresh();

  try {
    // Warm-up, untimed: one reckoning and delivery, whose 200 messages the baseline then sends as they were written.
    const firstOpen = openOf(first);
    const reckoned = await reckonExceptions(firstOpen, at);
    const delivered = await deliverOutbox(firstOpen);
    const mails = (await first.outbox.list('sent', 10_000)).reverse().map(mailOf);
    if (reckoned.raised.exceptions.length !== INDICATORS || reckoned.messages.length !== PEOPLE || delivered.sent !== PEOPLE || mails.length !== PEOPLE || server.received() !== PEOPLE) {
      throw new Error(`warm-up: ${reckoned.raised.exceptions.length} exceptions raised, ${reckoned.messages.length} messages written, ${delivered.sent} sent, ${server.received()} received; expected ${INDICATORS}, ${PEOPLE}, ${PEOPLE}, ${PEOPLE}`);
    }

    // The unchanged cycle: the same results reckoned again, no time passed, then an hour on (no reminder due before a day).
    const unchanged: { at: Date; kept: number; written: number; sent: number; received: number }[] = [];
    for (const when of [at, new Date(at.getTime() + 3_600_000)]) {
      const rowsBefore = await outboxRows(first);
      const receivedBefore = server.received();
      const again = await reckonExceptions(firstOpen, when);
      const written = (await outboxRows(first)) - rowsBefore;
      const drained = await deliverOutbox(firstOpen, () => when);
      unchanged.push({ at: when, kept: again.open.length, written, sent: drained.sent, received: server.received() - receivedBefore });
    }

    const candidateWritten: number[] = [];
    const candidateSent: number[] = [];
    const candidateReceived: number[] = [];
    const baselineReceived: number[] = [];
    const reckonMs: number[] = [];
    const drainMs: number[] = [];
    let round = 0;
    const baseline = async () => {
      const before = server.received();
      const transport = nodemailer.createTransport({ pool: true, maxConnections: CONCURRENCY, host: '127.0.0.1', port: server.port, secure: false, ignoreTLS: true });
      const queue = [...mails];
      const worker = async () => {
        for (let m = queue.shift(); m; m = queue.shift()) await transport.sendMail(m);
      };
      try {
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      } finally {
        transport.close();
      }
      baselineReceived.push(server.received() - before);
    };
    const candidate = async () => {
      const open = openOf(stores[round++]!);
      const before = server.received();
      reckonMs.push(await timed(async () => candidateWritten.push((await reckonExceptions(open, at)).messages.length)));
      drainMs.push(await timed(async () => candidateSent.push((await deliverOutbox(open)).sent)));
      candidateReceived.push(server.received() - before);
    };
    const result = await compare(ROUNDS, baseline, candidate);

    const allReceived = [...candidateWritten, ...candidateSent, ...candidateReceived, ...baselineReceived].every((n) => n === PEOPLE);
    const quiet = unchanged.every((u) => u.kept === INDICATORS && u.written === 0 && u.sent === 0 && u.received === 0);
    const per = (xs: number[]) => xs.join('/');
    const [same, later] = unchanged as [(typeof unchanged)[0], (typeof unchanged)[0]];
    return {
      name: `exceptions: ${INDICATORS.toLocaleString('en-GB')} RAG exceptions across ${PEOPLE} recipients reckoned, rendered, written to the outbox and sent to a loopback SMTP server`,
      target: 'exceptions to emails <= 1.5x bare nodemailer; an unchanged cycle writes and sends nothing',
      measured:
        `${result.candidateMs.toFixed(0)} ms vs ${result.baselineMs.toFixed(0)} ms bare nodemailer sending the same ${PEOPLE} rendered messages (${result.ratio.toFixed(2)}x); ` +
        `of which reckoning (facts read, raised, reconciled, rendered, written) ${median(reckonMs).toFixed(0)} ms and draining the outbox ${median(drainMs).toFixed(0)} ms (medians); ` +
        `per round the candidate wrote ${per(candidateWritten)}, sent ${per(candidateSent)}, and the server received ${per(candidateReceived)} from it and ${per(baselineReceived)} from the baseline; ` +
        `unchanged cycle with ${same.kept} exceptions open: ${same.written} outbox rows written, ${same.sent} sent, ${same.received} received (an hour later: ${later.written} written, ${later.sent} sent, ${later.received} received)`,
      pass: result.ratio <= 1.5 && allReceived && quiet,
    };
  } finally {
    for (const s of [...stores, first]) await s.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
