import Database from 'better-sqlite3';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { withService } from '../src/app/open.js';
import { runCycle } from '../src/app/runCycle.js';
import { loadService } from '../src/app/service.js';
import { silentLogger } from '../src/logger.js';
import { workspace } from './helpers/workspace.js';

const PIPELINE = `
id: calls
title: Calls
source: db
schedule: "0 6 * * *"
frequency: monthly
query: SELECT COUNT(*) AS answered FROM calls WHERE day >= :period_start AND day < :period_end
indicators:
  - { id: CS1, title: Calls answered, type: count, value: answered, polarity: higher_is_better, owner: Sam, service: Contact centre }
`;

async function service() {
  const ws = workspace({
    'lineofsight.yaml': 'pipelines_dir: {{dir}}/pipelines\nstore: { client: sqlite, filename: {{dir}}/store.sqlite }\nsources:\n  db: { client: sqlite, connection: {{dir}}/calls.sqlite }\n',
    'pipelines/calls.yaml': PIPELINE,
  });
  const db = new Database(ws.file('calls.sqlite'));
  db.exec("CREATE TABLE calls (day TEXT); INSERT INTO calls VALUES ('2024-04-02'), ('2024-05-03'), ('2024-06-04')");
  db.close();
  return loadService(ws.config, {});
}

describe('one run cycle', () => {
  it('stops between periods when its signal aborts, keeping what it ran', async () => {
    const svc = await service();
    const controller = new AbortController();
    let clock = 0;
    // The first period asks the time when it starts and when it finishes; abort as it finishes.
    const now = () => {
      if (++clock === 2) controller.abort();
      return new Date();
    };
    await withService(
      svc,
      async (open) => {
        const cycle = await runCycle(open, { pipelines: svc.config.pipelines, choice: { from: '2024-04', to: '2024-06' }, signal: controller.signal, now });
        expect(cycle.runs.map((r) => [r.period.id, r.outcome])).toEqual([['2024-04', 'succeeded']]);
        expect((await open.store.runs.runsOf('calls')).map((r) => r.periodId)).toEqual(['2024-04']);

        const none = await runCycle(open, { pipelines: svc.config.pipelines, choice: { period: '2024-25' }, signal: AbortSignal.abort() });
        expect(none.runs).toEqual([]);
        expect(await open.store.runs.runsOf('calls')).toHaveLength(1);
      },
      { logger: silentLogger },
    );
  });

  it('runs every period asked for when nothing stops it', async () => {
    const svc = await service();
    await withService(
      svc,
      async (open) => {
        const cycle = await runCycle(open, { pipelines: svc.config.pipelines, choice: { from: '2024-04', to: '2024-06' } });
        expect(cycle.runs.map((r) => [r.period.id, r.values[0]?.value])).toEqual([['2024-04', 1], ['2024-05', 1], ['2024-06', 1]]);
        expect(cycle.skipped).toEqual([]);
      },
      { logger: silentLogger },
    );
  });

  it('tries a failing source again after each pause before it records the run failed; each period has every retry', async () => {
    const svc = await service();
    const file = svc.config.service.sources.db!.client === 'sqlite' ? String((svc.config.service.sources.db as { connection: string }).connection) : '';
    const db = new Database(file);
    db.exec('ALTER TABLE calls RENAME TO calls_away');
    // The periods each retry was for, as the log says them.
    const retried: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void (JSON.parse(line).msg === 'source failed: will try again' && retried.push(JSON.parse(line).period)) });
    await withService(
      svc,
      async (open) => {
        // Back during the second pause: April's third try succeeds, and so do May and June.
        let pauses = 0;
        const now = () => new Date();
        const timer = setInterval(() => {
          if (++pauses === 3) db.exec('ALTER TABLE calls_away RENAME TO calls');
        }, 40);
        const back = await runCycle(open, { pipelines: svc.config.pipelines, choice: { from: '2024-04', to: '2024-06' }, retries: [100, 100], now });
        clearInterval(timer);
        expect(retried.length).toBeGreaterThanOrEqual(1);
        expect(new Set(retried)).toEqual(new Set(['2024-04']));
        expect(back.runs.map((r) => [r.period.id, r.outcome])).toEqual([['2024-04', 'succeeded'], ['2024-05', 'succeeded'], ['2024-06', 'succeeded']]);
        expect((await open.store.runs.runsOf('calls')).map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);

        // Gone for good: each period is tried three times, then recorded failed once; the next still has its retries.
        db.exec('ALTER TABLE calls RENAME TO calls_away');
        retried.length = 0;
        const gone = await runCycle(open, { pipelines: svc.config.pipelines, choice: { from: '2024-04', to: '2024-05' }, retries: [50, 50] });
        expect(gone.runs.map((r) => [r.period.id, r.outcome, r.error])).toEqual([
          ['2024-04', 'failed', expect.stringMatching(/no such table: calls/)],
          ['2024-05', 'failed', expect.stringMatching(/no such table: calls/)],
        ]);
        expect(retried).toEqual(['2024-04', '2024-04', '2024-05', '2024-05']);
        expect((await open.store.runs.runsOf('calls')).filter((r) => r.outcome === 'failed')).toHaveLength(2);
      },
      { logger },
    );
    db.close();
  });
});
