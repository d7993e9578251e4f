import type Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { clinicNamed, clinicPack, packPeriod, sendClinicPack } from '../src/app/clinicPack.js';
import type { OpenService } from '../src/app/open.js';
import { runCycle } from '../src/app/runCycle.js';
import { schedulerStatusOf } from '../src/app/scheduledRun.js';
import { loadService } from '../src/app/service.js';
import { Scheduler } from '../src/daemon/scheduler.js';
import { silentLogger } from '../src/logger.js';
import { packChanges, type PackShown } from '../src/notify/pack.js';
import { renderPack } from '../src/notify/packRender.js';
import { statusJson } from '../src/report/status.js';
import { buildCli } from './helpers/build.js';
import { lineofsight } from './helpers/cli.js';
import { contactCentreCalls, contactCentrePipeline } from './helpers/contactCentre.js';
import { freshPostgres } from './helpers/databases.js';
import { holdOpen } from './helpers/holdOpen.js';
import { workspace } from './helpers/workspace.js';
import { demoEnv } from './helpers/demoStore.js';

beforeAll(buildCli);

/** A risk of the Customer clinic above the tolerance line, bearing on CS1. */
const RISK = `tolerance_line: { score: 12 }
risks:
  - id: CC-R1
    title: Callers <abandon> the line
    owner: ola
    clinic: Customer
    inherent: { likelihood: B, impact: I }
    current: { likelihood: B, impact: I }
    indicators: [CS1]
`;

const PEOPLE = `
performance_team: { name: Performance team, email: team@example.gov.uk }
people:
  - { id: sam, name: Sam Owner, email: sam@example.gov.uk }
  - { id: ola, name: Ola Head, email: ola@example.gov.uk }
  - { id: nia, name: Nia Nomail }
services:
  Contact centre: { manager: ola }
`;

/** A contact centre in the Customer clinic, its monthly share of calls answered set by each test; April to June stored. */
async function customerClinic(o: { schedule?: string; title?: string; store?: string; email?: string; risk?: boolean; checks?: string; setup?: string } = {}) {
  const ws = workspace({
    'lineofsight.yaml': [
      'timezone: Europe/London',
      'pipelines_dir: {{dir}}/pipelines',
      o.store ?? 'store: { client: sqlite, filename: {{dir}}/store.sqlite }',
      'sources:\n  db: { client: sqlite, connection: {{dir}}/calls.sqlite }',
      'people_file: {{dir}}/people.yaml',
      'clinics_file: {{dir}}/clinics.yaml',
      ...(o.risk ? ['risks_file: {{dir}}/risks.yaml'] : []),
      'exceptions: { links: { grafana: "https://grafana.example.gov.uk/", api: "https://lineofsight.example.gov.uk" } }',
      'scheduler: { lease: 30s, recompute: 0, source_retries: [] }',
      `email: { from: "Performance <performance@example.gov.uk>", transport: files, files_dir: {{dir}}/outbox${o.email ?? ''} }`,
      '',
    ].join('\n'),
    'people.yaml': PEOPLE,
    'clinics.yaml': `clinics:\n  - { id: Customer, name: Customer improvement clinic, members: [sam, ola, nia], schedule: "${o.schedule ?? '0 8 * * 2#1'}", period: month }\n`,
    'pipelines/calls.yaml': contactCentrePipeline({ title: o.title ?? 'Calls answered', owner: 'sam', clinic: 'Customer', checks: o.checks }),
    'risks.yaml': RISK,
  });
  const { db, share } = contactCentreCalls(ws.file('calls.sqlite'), o.setup);
  const held = await holdOpen(await loadService(ws.config), { logger: silentLogger });
  await runCycle(held.open, { pipelines: held.open.config.pipelines, choice: { from: '2024-04', to: '2024-06' }, now: () => new Date('2024-07-02T05:00:00Z') });
  const closing = { db, ...held };
  opened.push(closing);
  return { ws, share, ...held };
}

const opened: { db: Database.Database; close(): Promise<void> }[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const o of opened.splice(0)) {
    o.db.close();
    await o.close();
  }
});

const packsIn = async (open: OpenService) => (await open.store.outbox.list(undefined, 100)).filter((m) => m.kind === 'clinic_pack');

describe("an improvement clinic's exception pack", () => {
  it('shows each exception with its value, target, tolerance, explanation, direction of travel and history from its first value, and counts the clinic by RAG', async () => {
    const { open } = await customerClinic();
    const clinic = clinicNamed(open, 'Customer');
    const pack = await clinicPack(open, clinic, packPeriod(open, clinic, '2024-07-02'), new Date('2024-07-02T08:00:00Z'));
    expect(pack).toMatchObject({ clinic: { id: 'Customer' }, periodId: '2024-06', period: 'June 2024', indicators: 1, counts: [{ rag: 'RED', count: 1 }], changes: { last: null } });
    expect(pack.rows).toHaveLength(1);
    expect(pack.rows[0]).toMatchObject({
      indicator: 'CS1',
      owner: 'Sam Owner',
      value: '70.0%',
      target: '80%',
      tolerance: '5 points',
      rag: 'RED',
      direction: expect.stringMatching(/^worsening on the period before/),
      dataQuality: expect.any(String),
    });
    expect(pack.rows[0]!.explanation).toMatch(/RED/);
    // April is its first value: the periods before it existed are not shown.
    expect(pack.rows[0]!.history.map((p) => `${p.short} ${p.shown} ${p.rag}`)).toEqual(['Apr 85.0% GREEN', 'May 78.0% AMBER', 'Jun 70.0% RED']);
  });

  it("shows an earlier period's data still not received once the scorecard has moved on, and does not call it cleared", async () => {
    const { open, share } = await customerClinic();
    const clinic = clinicNamed(open, 'Customer');
    share('2024-06-30', 90);
    await runCycle(open, { pipelines: open.config.pipelines, choice: { period: '2024-07' }, now: () => new Date('2024-08-12T07:00:00Z') });
    const july = await sendClinicPack(open, clinic, packPeriod(open, clinic, '2024-08-12'), new Date('2024-08-12T08:00:00Z'), { scheduled: false });
    expect(july.pack.rows.flatMap((r) => r.exceptions.map((e) => e.key))).toContain('data_not_received:CS1:2024-07');
    // August comes in, July never does.
    share('2024-08-31', 90);
    await runCycle(open, { pipelines: open.config.pipelines, choice: { period: '2024-08' }, now: () => new Date('2024-09-03T07:00:00Z') });
    const august = await clinicPack(open, clinic, packPeriod(open, clinic, '2024-09-03'), new Date('2024-09-03T08:00:00Z'));
    expect(august.periodId).toBe('2024-08');
    expect(august.rows.flatMap((r) => r.exceptions.map((e) => e.title))).toEqual(['CS1 Calls answered: no data for July 2024, 33 days after it ended']);
    expect(august.changes.cleared).not.toContainEqual(expect.stringMatching(/no data for July/));
  });

  it('covers a period from the first day after it ends', async () => {
    const { open } = await customerClinic();
    const clinic = clinicNamed(open, 'Customer');
    expect(packPeriod(open, clinic, '2024-07-01', '2024-06').id).toBe('2024-06');
    expect(packPeriod(open, clinic, '2024-07-01').id).toBe('2024-06');
  });

  it('escapes every value in its HTML, links the indicator detail dashboard with the indicator selected and the API, and shows the linked risk at its matrix position and the open check', async () => {
    const { open } = await customerClinic({
      title: 'Calls <b>answered</b> & "kept"',
      risk: true,
      checks: '  - { id: no-bad-rows, type: sql, query: "SELECT * FROM bad WHERE day >= :period_start AND day < :period_end" }',
      setup: "CREATE TABLE bad (day TEXT); INSERT INTO bad VALUES ('2024-06-03')",
    });
    const clinic = clinicNamed(open, 'Customer');
    const pack = await clinicPack(open, clinic, packPeriod(open, clinic, '2024-07-02'), new Date('2024-07-02T08:00:00Z'));
    const row = pack.rows[0]!;
    expect(row.checks).toEqual([expect.objectContaining({ check: 'no-bad-rows', severity: 'error', period: '2024-06', acknowledged: false })]);
    expect(row.risks).toEqual([expect.objectContaining({ id: 'CC-R1', cell: 'B/I', aboveTolerance: true, position: 'likelihood High, impact Catastrophic, score 20' })]);
    expect(pack.risks.map((r) => r.id)).toEqual(['CC-R1']);
    const { html, text } = renderPack(pack, open.config.service.exceptions.links);
    expect(html).toContain('Calls &lt;b&gt;answered&lt;/b&gt; &amp; &quot;kept&quot;');
    expect(html).toContain('Callers &lt;abandon&gt; the line');
    expect(html).not.toMatch(/<b>answered|<abandon>/);
    expect(html).toContain('href="https://grafana.example.gov.uk/d/lineofsight-indicator?var-indicator=CS1"');
    expect(html).toContain('href="https://lineofsight.example.gov.uk/api/values/CS1');
    expect(text).toMatch(/Open check: no-bad-rows \(error, 2024-06\)/);
    expect(text).toMatch(/CC-R1 Callers <abandon> the line at B\/I, above the tolerance line/);
  });

  it('is refused for a clinic not configured, and for a period not yet over', async () => {
    const { open } = await customerClinic();
    expect(() => clinicNamed(open, 'Place')).toThrow(/unknown clinic "Place" \(clinics in .*clinics\.yaml: Customer\)/);
    expect(() => packPeriod(open, clinicNamed(open, 'Customer'), '2024-07-02', '2024-07')).toThrow(/period 2024-07 has not ended/);
  });

  it('carries the same rows as a CSV file whose cells cannot run as formulas', async () => {
    const { open } = await customerClinic({ title: '=HYPERLINK("http://x.example")' });
    const clinic = clinicNamed(open, 'Customer');
    const sent = await sendClinicPack(open, clinic, packPeriod(open, clinic, '2024-07-02'), new Date('2024-07-02T08:00:00Z'), { scheduled: false });
    expect(sent).toMatchObject({ sent: true, messages: 3 });
    const [message] = await packsIn(open);
    expect(message!.attachments.map((a) => [a.filename, a.contentType])).toEqual([['Customer-2024-06.csv', 'text/csv; charset=utf-8']]);
    const csv = message!.attachments[0]!.content;
    expect(csv.split('\r\n')[0]).toMatch(/^clinic,indicator,title,/);
    expect(csv).toContain(`"'=HYPERLINK(""http://x.example"")"`);
    expect(csv).not.toMatch(/,=HYPERLINK/);
  });

  it('says what changed since the last pack: exceptions raised and cleared, RAG moved', async () => {
    const { open, share } = await customerClinic();
    const clinic = clinicNamed(open, 'Customer');
    const june = packPeriod(open, clinic, '2024-07-02');
    await sendClinicPack(open, clinic, june, new Date('2024-07-02T08:00:00Z'), { scheduled: false });
    share('2024-06-30', 90);
    await runCycle(open, { pipelines: open.config.pipelines, choice: { period: '2024-06' }, now: () => new Date('2024-07-03T05:00:00Z') });
    const again = await clinicPack(open, clinic, june, new Date('2024-07-03T08:00:00Z'));
    expect(again.changes).toMatchObject({ last: { periodId: '2024-06', sentAt: '2024-07-02T08:00:00.000Z' }, moved: [{ indicator: 'CS1', from: 'RED', to: 'GREEN' }] });
    expect(again.changes.raised).toEqual([]);
    expect(again.changes.cleared).toEqual(['CS1 Calls answered is RED for June 2024']);
  });

  const shown = (rags: Record<string, string>, exceptions: Record<string, string>): PackShown => ({ rags, exceptions });
  it.each([
    ['the first pack', shown({ A: 'RED' }, { 'rag:A': 'A is RED' }), undefined, { last: null, raised: [], cleared: [], moved: [] }],
    ['nothing changed', shown({ A: 'RED' }, { 'rag:A': 'A is RED' }), shown({ A: 'RED' }, { 'rag:A': 'A is RED' }), { raised: [], cleared: [], moved: [] }],
    ['one raised, one cleared', shown({ A: 'GREEN', B: 'RED' }, { 'rag:B': 'B is RED' }), shown({ A: 'RED', B: 'GREEN' }, { 'rag:A': 'A is RED' }), { raised: ['B is RED'], cleared: ['A is RED'], moved: [{ indicator: 'A', from: 'RED', to: 'GREEN' }, { indicator: 'B', from: 'GREEN', to: 'RED' }] }],
    ['an indicator new since the last pack has not moved', shown({ A: 'RED', C: 'AMBER' }, {}), shown({ A: 'RED' }, {}), { raised: [], cleared: [], moved: [] }],
  ] as const)('changes: %s', (_, now, before, expected) => {
    const last = before && { sentAt: '2024-06-04T07:00:00.000Z', periodId: '2024-05', period: 'May 2024', shown: before };
    expect(packChanges(now, last)).toMatchObject(expected);
  });
});

describe("the daemon sends a clinic's pack on its schedule, once per clinic and period", () => {
  it('sends each member the pack at its slot; a later slot in the same period sends nothing; a slot missed while down is sent at start', async () => {
    const { open } = await customerClinic({ schedule: '0 0,5 8 * * 2' });
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    // Tuesday 2 July 2024, 07:58 in London: slots at 08:00 and 08:05 (both for June).
    vi.setSystemTime(new Date('2024-07-02T06:58:00Z'));
    const scheduler = new Scheduler(() => open);
    try {
      await scheduler.start();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(await packsIn(open)).toEqual([]);
      await vi.advanceTimersByTimeAsync(2 * 60_000);
      await scheduler.settled();
      const first = await packsIn(open);
      expect(first.map((m) => `${m.to.name} <${m.to.address}>`).sort()).toEqual(['Ola Head <ola@example.gov.uk>', 'Performance team, for Nia Nomail <team@example.gov.uk>', 'Sam Owner <sam@example.gov.uk>']);
      expect(first.map((m) => [m.state, m.subject])).toEqual(Array(3).fill(['sent', 'Exception pack: Customer improvement clinic - June 2024 (1 exception)']));
      await vi.advanceTimersByTimeAsync(6 * 60_000);
      await scheduler.settled();
      const claims = (await open.store.claims.recent(100)).filter((c) => c.job === 'clinic:Customer').sort((a, b) => a.slot.localeCompare(b.slot));
      expect(claims.map((c) => [c.slot, c.state])).toEqual([
        ['2024-07-02T08:00:00', 'finished'],
        ['2024-07-02T08:05:00', 'finished'],
      ]);
      expect(claims[1]!.detail).toMatch(/not written again \(the pack for June 2024 was sent already\); outbox: 0 sent/);
      expect(await packsIn(open)).toHaveLength(3);
      // status names the clinic's job beside the pipeline's.
      const status = statusJson(await schedulerStatusOf(open, new Date())) as { jobs: { job: string; pipeline: string | null; clinic: string | null; recent: { state: string }[] }[] };
      expect(status.jobs.map((j) => [j.job, j.pipeline, j.clinic, j.recent.map((c) => c.state)])).toEqual([
        ['pipeline:calls', 'calls', null, []],
        ['clinic:Customer', null, 'Customer', ['finished', 'finished']],
      ]);
    } finally {
      await scheduler.stop();
    }
    // Down over the next Tuesday's slots: at start the newest missed slot's pack (for July) is sent, once.
    vi.setSystemTime(new Date('2024-08-06T09:00:00Z'));
    const restarted = new Scheduler(() => open);
    try {
      await restarted.start();
      await vi.advanceTimersByTimeAsync(1_000);
      await restarted.settled();
      const packs = await packsIn(open);
      expect(packs.filter((m) => m.subject.includes('July 2024'))).toHaveLength(3);
      expect(packs).toHaveLength(6);
    } finally {
      await restarted.stop();
    }
  });

  it('a pack written before the sending hours waits in the outbox, and the daemon sends it at their opening with no cycle to send it', async () => {
    const { open } = await customerClinic({ schedule: '0 0 8 * * 2', email: ', sending_hours: { days: [mon, tue, wed, thu, fri], from: "08:30", to: "18:00" }' });
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(new Date('2024-07-02T06:58:00Z'));
    const scheduler = new Scheduler(() => open);
    try {
      await scheduler.start();
      await vi.advanceTimersByTimeAsync(3 * 60_000);
      await scheduler.settled();
      expect((await packsIn(open)).map((m) => [m.state, m.nextAttemptAt])).toEqual(Array(3).fill(['pending', '2024-07-02T07:30:00.000Z']));
      await vi.advanceTimersByTimeAsync(28 * 60_000);
      expect((await packsIn(open)).map((m) => m.state)).toEqual(Array(3).fill('pending'));
      await vi.advanceTimersByTimeAsync(2 * 60_000);
      await scheduler.tick();
      expect((await packsIn(open)).map((m) => [m.state, m.sentAt! >= '2024-07-02T07:30:00.000Z'])).toEqual(Array(3).fill(['sent', true]));
    } finally {
      await scheduler.stop();
    }
  });

  it('on PostgreSQL, two replicas sending the same scheduled pack at once write it once', async () => {
    const url = await freshPostgres('los_clinic_race');
    const store = `store: { client: pg, connection: "${url}" }`;
    const a = await customerClinic({ store });
    const b = await holdOpen(await loadService(a.ws.config), { logger: silentLogger });
    try {
      const at = new Date('2024-07-02T07:00:00Z');
      const june = packPeriod(a.open, clinicNamed(a.open, 'Customer'), '2024-07-02');
      const tries = [a.open, b.open, a.open, b.open].map((open) => sendClinicPack(open, clinicNamed(open, 'Customer'), june, at, { scheduled: true }));
      const results = await Promise.all(tries);
      expect(results.filter((r) => r.sent)).toHaveLength(1);
      expect(results.filter((r) => !r.sent).map((r) => !r.sent && r.why)).toEqual(Array(3).fill('the pack for June 2024 was sent already'));
      expect(await packsIn(a.open)).toHaveLength(3);
    } finally {
      await b.close();
    }
  });
});

describe('lineofsight report --clinic', () => {
  const tmp = workspace({});
  const env = demoEnv(tmp.dir);
  const run = (...args: string[]) => lineofsight(args, { env });

  it('prints, writes, shapes as JSON and sends a demo clinic pack; a clinic or period it cannot have is refused', () => {
    expect(run('demo', '--as-of', '2026-04-01').status).toBe(0);
    const text = run('report', '--clinic', 'Place', '--period', '2026-03');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^Place improvement clinic: exception pack for March 2026\n[\s\S]*Summary\n=+\n[\s\S]*Exceptions \(\d+\)\n[\s\S]*Last 13 periods: Mar /);

    const json = JSON.parse(run('report', '--clinic', 'Place', '--period', '2026-03', '--json').stdout) as { pack: { periodId: string; indicators: number; counts: { count: number }[]; rows: { history: unknown[] }[]; shown?: unknown } };
    expect(json.pack.periodId).toBe('2026-03');
    expect(json.pack.counts.reduce((n, c) => n + c.count, 0)).toBe(json.pack.indicators);
    expect(json.pack.rows.length).toBeGreaterThan(0);
    expect(json.pack.rows.every((r) => r.history.length >= 1 && r.history.length <= 13)).toBe(true);
    expect(json.pack).not.toHaveProperty('shown');

    const out = run('report', '--clinic', 'Place', '--period', '2026-03', '--out', tmp.file('pack.html'));
    expect(out.stdout).toBe(`wrote ${tmp.file('pack.html')}\nwrote ${tmp.file('Place-2026-03.csv')}\n`);
    expect(readFileSync(tmp.file('pack.html'), 'utf8')).toMatch(/^<!DOCTYPE html>[\s\S]*Place improvement clinic/);
    expect(existsSync(tmp.file('Place-2026-03.csv'))).toBe(true);

    const sent = run('report', '--clinic', 'Place', '--period', '2026-03', '--send');
    expect(sent.stdout).toMatch(/Exception pack: Place improvement clinic - March 2026 .*written to the outbox for the clinic's members; 3 sent \(files in /);
    const messages = JSON.parse(run('outbox', '--json').stdout) as { messages: { kind: string }[] };
    expect(messages.messages.filter((m) => m.kind === 'clinic_pack')).toHaveLength(3);

    expect(run('report', '--clinic', 'Nowhere')).toMatchObject({ status: 1, stderr: expect.stringMatching(/unknown clinic "Nowhere" \(clinics in .*: Place, Resources, Customer\)/) });
    expect(run('report', '--clinic', 'Place', '--period', '2099-01')).toMatchObject({ status: 1, stderr: expect.stringMatching(/period 2099-01 has not ended/) });
  });
});
